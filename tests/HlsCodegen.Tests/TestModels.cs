namespace LeNetHls.HlsCodegen.Tests;

/// <summary>qmodel variants beyond SyntheticQModel's uniform widths.</summary>
internal static class TestModels
{
    /// <summary>Weights of different widths in every layer, from 3 to 16 bits, with 8-bit activations.</summary>
    public static QModel MixedWidths(Core.Model.ModelSpec spec) => WithWeightWidths(spec, [3, 12, 6, 16, 4]);

    /// <summary>The k-th conv/dense layer gets widths[k % widths.Length]-bit weights (1 to 16), with 8-bit activations.</summary>
    public static QModel WithWeightWidths(Core.Model.ModelSpec spec, int[] widths, int seed = 5)
    {
        var model = SyntheticQModel.Create(spec, weightBits: 16, actBits: 8, seed: seed);
        var computeLayers = model.Layers.Where(l => l.HasWeights).Select(l => l.Name).ToArray();
        for (int k = 0; k < computeLayers.Length; k++)
            if (widths[k % widths.Length] < 16) model = QModelVariants.NarrowWeights(model, computeLayers[k], widths[k % widths.Length]);
        return model;
    }

    public static byte[] Images(int count, int seed = 7) => SyntheticQModel.Images(count, seed).SelectMany(i => i).ToArray();
}
