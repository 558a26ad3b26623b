namespace LeNetHls.TestSupport;

/// <summary>Valid qmodels derived from another one, for tests that need per-layer differences.</summary>
public static class QModelVariants
{
    /// <summary>
    /// Drops the low bits of one layer's weights and biases, keeping the model valid: the weight,
    /// bias and accumulator fracs move down together, so the requantization shift shrinks by the same
    /// amount (and can become a left shift). One bit makes the layer bipolar: each weight keeps its sign,
    /// q = +1 for q ≥ 0 and −1 otherwise (docs/fixed-point.md §1).
    /// </summary>
    public static QModel NarrowWeights(QModel model, string layerName, int bits)
    {
        var layers = model.Layers.ToList();
        int i = layers.FindIndex(l => l.Name == layerName);
        var l = layers[i];
        int drop = l.Weights!.Bits - bits;
        var weights = bits == FixedPointMath.BipolarBits
            ? l.Weights.Data.Select(v => v >= 0 ? 1 : -1).ToArray()
            : l.Weights.Data.Select(v => v >> drop).ToArray();
        var bias = l.Bias!.Data.Select(v => v >> drop).ToArray();
        int accFrac = l.Accumulator!.Frac - drop;
        var narrowed = l with
        {
            Weights = l.Weights with { Bits = bits, Frac = l.Weights.Frac - drop, Data = weights },
            Bias = new QTensor(FixedPointMath.SignedBitsForRange(bias.Min(), bias.Max()), accFrac, l.Bias.Shape, bias),
        };
        long bound = QModelFile.AccumulatorBound(narrowed, model.InputOf(i));
        layers[i] = narrowed with { Accumulator = new QFormat(FixedPointMath.SignedBitsFor(bound), accFrac) };
        var result = model with { Layers = layers };
        QModelFile.Validate(result, "<narrowed>");
        return result;
    }
}
