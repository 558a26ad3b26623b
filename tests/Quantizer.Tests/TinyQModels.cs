namespace LeNetHls.Quantizer.Tests;

/// <summary>Hand-built qmodels of one or two layers whose every integer is known, for pinning rules.</summary>
public static class TinyQModels
{
    public static readonly QActivation Pixel = new(9, 0, 0, 255);

    /// <summary>A 1×1 convolution with one input and one output channel: y = requant(weight · pixel + bias).</summary>
    public static QLayer Pointwise(Shape3 shape, QActivation input, int weight, int bias, QActivation output,
                                   int weightBits = 8, int weightFrac = 0, Activation activation = Activation.None,
                                   QTanhTable? tanh = null, string name = "pw")
    {
        int accFrac = weightFrac + input.Frac;
        var layer = new QLayer
        {
            Name = name, Kind = QLayerKind.Conv2D, InShape = shape, OutShape = shape with { C = 1 },
            Kernel = 1, Stride = 1, Pad = 0, Activation = activation,
            Weights = new QTensor(weightBits, weightFrac, [1, 1, shape.C, 1], Enumerable.Repeat(weight, shape.C).ToArray()),
            Bias = new QTensor(Math.Max(2, FixedPointMath.SignedBitsForRange(Math.Min(0, bias), Math.Max(0, bias))), accFrac, [1], [bias]),
            Accumulator = new QFormat(2, accFrac), Tanh = tanh, Output = output,
        };
        return WithDerivedAccumulator(layer, input);
    }

    /// <summary>A dense layer whose weights are all one value.</summary>
    public static QLayer Dense(Shape3 inShape, QActivation input, int outputs, int weight, int weightBits, int bias, QActivation output, string name = "fc")
    {
        var layer = new QLayer
        {
            Name = name, Kind = QLayerKind.Dense, InShape = inShape, OutShape = new Shape3(1, 1, outputs),
            Weights = new QTensor(weightBits, 0, [inShape.Size, outputs], Enumerable.Repeat(weight, inShape.Size * outputs).ToArray()),
            Bias = new QTensor(FixedPointMath.SignedBitsForRange(Math.Min(0, bias), Math.Max(0, bias)), input.Frac, [outputs], Enumerable.Repeat(bias, outputs).ToArray()),
            Accumulator = new QFormat(2, input.Frac), Output = output,
        };
        return WithDerivedAccumulator(layer, input);
    }

    public static QLayer WithDerivedAccumulator(QLayer layer, QActivation input) =>
        layer with { Accumulator = new QFormat(FixedPointMath.SignedBitsFor(QModelFile.AccumulatorBound(layer, input)), layer.Accumulator!.Frac) };

    public static QModel Model(Shape3 inputShape, IReadOnlyList<QLayer> layers,
                               RoundingMode rounding = RoundingMode.Rnd, OverflowMode overflow = OverflowMode.Sat)
    {
        var model = new QModel
        {
            Name = "tiny", Rounding = rounding, Overflow = overflow,
            InputShape = inputShape, Input = Pixel, Layers = layers,
        };
        QModelFile.Validate(model, "<tiny>");
        return model;
    }

    /// <summary>One pointwise layer on a row of pixels, so that output[i] = requant(weight · pixel[i] + bias).</summary>
    public static QModel PointwiseModel(int pixels, int weight, int bias, QActivation output, int weightFrac = 0,
                                        Activation activation = Activation.None, RoundingMode rounding = RoundingMode.Rnd,
                                        OverflowMode overflow = OverflowMode.Sat, QTanhTable? tanh = null)
    {
        var shape = new Shape3(1, pixels, 1);
        return Model(shape, [Pointwise(shape, Pixel, weight, bias, output, weightFrac: weightFrac, activation: activation, tanh: tanh)], rounding, overflow);
    }
}
