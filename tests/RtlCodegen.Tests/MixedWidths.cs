namespace LeNetHls.RtlCodegen.Tests;

/// <summary>Turns a uniform synthetic lenet5 into one with different widths per layer.</summary>
internal static class MixedWidths
{
    /// <summary>conv2 weights narrowed to 4 bits; the last layer widened to 16-bit scores with a left shift of 1.</summary>
    public static QModel Create(QModel uniform)
    {
        var layers = QModelVariants.NarrowWeights(uniform, "conv2", 4).Layers.ToList();

        var last = layers[^1];
        layers[^1] = last with { Output = new QActivation(16, last.Accumulator!.Frac + 1, FixedPointMath.MinOf(16), FixedPointMath.MaxOf(16)) };
        var model = uniform with { Layers = layers };
        QModelFile.Validate(model, "<mixed widths>");
        return model;
    }
}
