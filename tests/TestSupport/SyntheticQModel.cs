namespace LeNetHls.TestSupport;

/// <summary>
/// Valid qmodels with seeded random integers for any ModelSpec, so generators and simulators can be
/// tested without a trained network. Shifts are chosen so outputs use their whole range (and some
/// values saturate), which exercises rounding and overflow paths.
/// </summary>
public static class SyntheticQModel
{
    /// <param name="unsignedRelu">ReLU outputs (and their maxpools) as ufx&lt;actBits,F&gt; (docs/fixed-point.md §1); needs sat.</param>
    public static QModel Create(ModelSpec spec, int weightBits = 8, int actBits = 8, int seed = 1,
                                RoundingMode rounding = RoundingMode.Rnd, OverflowMode overflow = OverflowMode.Sat,
                                bool unsignedRelu = false)
    {
        var rng = new Random(seed);
        var shapes = spec.OutputShapes();
        var layers = new List<QLayer>();
        var input = new QActivation(9, 0, 0, 255);
        var current = input;
        var inShape = spec.Input;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var l = spec.Layers[i];
            var outShape = shapes[i];
            switch (l.Kind)
            {
                case LayerKind.Conv2D:
                case LayerKind.Dense:
                {
                    var act = i + 1 < spec.Layers.Count ? spec.Layers[i + 1].Kind : LayerKind.Flatten;
                    var activation = act == LayerKind.ReLU ? Activation.ReLU : act == LayerKind.Tanh ? Activation.Tanh : Activation.None;
                    int[] wShape = spec.WeightShape(i);
                    var w = new int[wShape.Aggregate(1, (a, b) => a * b)];
                    // Bipolar weights (weightBits 1) are ±1; a layer with a connection table keeps 2 bits (it needs 0s).
                    int layerWeightBits = weightBits == FixedPointMath.BipolarBits && l.Connections is not null ? 2 : weightBits;
                    long wMax = FixedPointMath.WeightMaxOf(layerWeightBits);
                    int outC = wShape[^1];
                    for (int j = 0; j < w.Length; j++)
                    {
                        bool connected = l.Kind != LayerKind.Conv2D || ModelSpec.IsConnected(l, j / outC % wShape[2], j % outC);
                        w[j] = !connected ? 0
                             : layerWeightBits == FixedPointMath.BipolarBits ? (rng.Next(2) == 0 ? -1 : 1)
                             : (int)rng.NextInt64(-wMax - 1, wMax + 1);
                    }
                    int fanIn = w.Length / outC;
                    int wFrac = Math.Max(layerWeightBits - 1, 1);
                    int accFrac = wFrac + current.Frac;
                    // Typical |acc| ~ sqrt(fanIn)·|w|·|x|: place it near the top of the output range.
                    double typical = Math.Sqrt(fanIn) * (wMax / 2.0) * Math.Max(1, current.MaxAbs / 2.0);
                    int outBits = activation == Activation.Tanh ? 10 : actBits;
                    int shift = (int)Math.Ceiling(Math.Log2(typical)) - (outBits - 2);
                    var b = new int[outC];
                    long bMax = 1L << Math.Max(1, shift + outBits - 3);
                    for (int j = 0; j < outC; j++) b[j] = (int)rng.NextInt64(-bMax, bMax);
                    int bBits = FixedPointMath.SignedBitsForRange(b.Min(), b.Max());
                    QTanhTable? tanh = null;
                    QActivation output;
                    int outFrac = accFrac - shift;
                    if (activation == Activation.Tanh)
                    {
                        int idxBits = 10, idxFrac = outFrac;
                        int tFrac = actBits - 1;
                        var table = new int[1 << idxBits];
                        for (int k = 0; k < table.Length; k++)
                            table[k] = (int)FixedPointMath.QuantizeReal(Math.Tanh((k - (1 << (idxBits - 1))) * Math.Pow(2, -idxFrac)), actBits, tFrac);
                        tanh = new QTanhTable(idxBits, idxFrac, table);
                        output = new QActivation(actBits, tFrac, table.Min(), table.Max());
                    }
                    else
                    {
                        output = activation == Activation.ReLU && unsignedRelu
                            ? QActivation.UnsignedRelu(actBits, outFrac)
                            : new QActivation(actBits, outFrac, activation == Activation.ReLU ? 0 : FixedPointMath.MinOf(actBits), FixedPointMath.MaxOf(actBits));
                    }
                    var layer = new QLayer
                    {
                        Name = l.Name, Kind = l.Kind == LayerKind.Conv2D ? QLayerKind.Conv2D : QLayerKind.Dense,
                        InShape = inShape, OutShape = outShape, Kernel = l.Kernel, Stride = l.Stride, Pad = l.Pad,
                        Connections = l.Connections, Activation = activation,
                        Weights = new QTensor(layerWeightBits, wFrac, wShape, w),
                        Bias = new QTensor(bBits, accFrac, [outC], b),
                        Accumulator = new QFormat(2, accFrac), Tanh = tanh, Output = output,
                    };
                    long bound = QModelFile.AccumulatorBound(layer, current);
                    layer = layer with { Accumulator = new QFormat(FixedPointMath.SignedBitsFor(bound), accFrac) };
                    layers.Add(layer);
                    current = output;
                    break;
                }
                case LayerKind.MaxPool:
                    layers.Add(new QLayer
                    {
                        Name = l.Name, Kind = QLayerKind.MaxPool, InShape = inShape, OutShape = outShape,
                        Kernel = l.Kernel, Stride = l.Stride, Output = current,
                    });
                    break;
                case LayerKind.AvgPool:
                {
                    int log2 = (int)Math.Log2(l.Kernel * l.Kernel);
                    var acc = new QFormat(current.Bits + log2, current.Frac + log2);
                    layers.Add(new QLayer
                    {
                        Name = l.Name, Kind = QLayerKind.AvgPool, InShape = inShape, OutShape = outShape,
                        Kernel = l.Kernel, Stride = l.Stride, Accumulator = acc,
                        Output = current,
                    });
                    break;
                }
                default:
                    continue; // relu/tanh are fused; flatten is implicit
            }
            inShape = outShape;
        }
        var model = new QModel
        {
            Name = spec.Name, Rounding = rounding, Overflow = overflow,
            InputShape = spec.Input, Input = input, Layers = layers,
        };
        QModelFile.Validate(model, "<synthetic>");
        return model;
    }

    /// <summary>Seeded random 28×28 images with MNIST-like sparsity (about 80 % zeros).</summary>
    public static byte[][] Images(int count, int seed = 7, int size = 784)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var img = new byte[size];
            for (int i = 0; i < size; i++) img[i] = rng.NextDouble() < 0.8 ? (byte)0 : (byte)rng.Next(1, 256);
            return img;
        }).ToArray();
    }
}
