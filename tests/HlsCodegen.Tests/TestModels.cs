using LeNetHls.Core.FixedPoint;
using LeNetHls.Core.Quantized;
using LeNetHls.TestSupport;

namespace LeNetHls.HlsCodegen.Tests;

/// <summary>qmodel variants beyond SyntheticQModel's uniform widths.</summary>
internal static class TestModels
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

    /// <summary>Weights of different widths in every layer, from 3 to 16 bits, with 8-bit activations.</summary>
    public static QModel MixedWidths(Core.Model.ModelSpec spec) => WithWeightWidths(spec, [3, 12, 6, 16, 4]);

    /// <summary>The k-th conv/dense layer gets widths[k % widths.Length]-bit weights (1 to 16), with 8-bit activations.</summary>
    public static QModel WithWeightWidths(Core.Model.ModelSpec spec, int[] widths, int seed = 5)
    {
        var model = SyntheticQModel.Create(spec, weightBits: 16, actBits: 8, seed: seed);
        var computeLayers = model.Layers.Where(l => l.HasWeights).Select(l => l.Name).ToArray();
        for (int k = 0; k < computeLayers.Length; k++)
            if (widths[k % widths.Length] < 16) model = NarrowWeights(model, computeLayers[k], widths[k % widths.Length]);
        return model;
    }

    public static byte[] Images(int count, int seed = 7) => SyntheticQModel.Images(count, seed).SelectMany(i => i).ToArray();
}
