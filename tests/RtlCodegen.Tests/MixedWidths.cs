using LeNetHls.Core.FixedPoint;
using LeNetHls.Core.Quantized;

namespace LeNetHls.RtlCodegen.Tests;

/// <summary>Turns a uniform synthetic lenet5 into one with different widths per layer.</summary>
internal static class MixedWidths
{
    /// <summary>conv2 weights narrowed to 4 bits; the last layer widened to 16-bit scores with a left shift of 1.</summary>
    public static QModel Create(QModel uniform)
    {
        var layers = uniform.Layers.ToList();
        int conv2 = layers.FindIndex(l => l.Name == "conv2");
        var c = layers[conv2];
        int drop = c.Weights!.Bits - 4;
        var weights = new QTensor(4, c.Weights.Frac - drop, c.Weights.Shape, c.Weights.Data.Select(w => w >> drop).ToArray());
        var biasData = c.Bias!.Data.Select(b => b >> drop).ToArray();
        var bias = new QTensor(FixedPointMath.SignedBitsForRange(biasData.Min(), biasData.Max()), c.Bias.Frac - drop, c.Bias.Shape, biasData);
        c = c with { Weights = weights, Bias = bias, Accumulator = new QFormat(2, c.Accumulator!.Frac - drop) };
        layers[conv2] = c with { Accumulator = new QFormat(FixedPointMath.SignedBitsFor(QModelFile.AccumulatorBound(c, uniform.InputOf(conv2))), c.Accumulator.Frac) };

        var last = layers[^1];
        layers[^1] = last with { Output = new QActivation(16, last.Accumulator!.Frac + 1, FixedPointMath.MinOf(16), FixedPointMath.MaxOf(16)) };
        var model = uniform with { Layers = layers };
        QModelFile.Validate(model, "<mixed widths>");
        return model;
    }
}
