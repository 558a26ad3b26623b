namespace LeNetHls.RtlCodegen.Tests;

/// <summary>
/// Moves a synthetic model's unsigned ReLU outputs into the upper half of their range: each such output gets
/// <c>lift</c> more fractional bits (a shift smaller by <c>lift</c>, values 2^lift times larger, saturating at
/// 2^W − 1), and every later format follows, so the model stays valid. SyntheticQModel aims its outputs at
/// the signed range, which leaves the codes ≥ 2^(W−1) that only an unsigned reading gets right nearly unused.
/// </summary>
internal static class UpperHalf
{
    public static QModel Lift(QModel model, int lift)
    {
        var layers = model.Layers.ToList();
        int offset = 0; // how many fractional bits the current layer's input gained
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            if (l.Activation == Activation.Tanh) throw new ArgumentException("tanh layers are never unsigned; lift a relu model");
            if (l.Kind == QLayerKind.MaxPool)
            {
                layers[i] = l with { Output = layers[i - 1].Output };
                continue;
            }
            int gain = l.HasWeights && l.Output.Unsigned ? lift : 0;
            layers[i] = l with
            {
                Accumulator = l.Accumulator! with { Frac = l.Accumulator.Frac + offset },
                Bias = l.Bias is null ? null : l.Bias with { Frac = l.Bias.Frac + offset },
                Output = l.Output with { Frac = l.Output.Frac + offset + gain },
            };
            offset += gain;
        }
        var lifted = model with { Layers = layers };
        QModelFile.Validate(lifted, $"<unsigned outputs lifted by {lift} bits>");
        return lifted;
    }
}
