using LeNetHls.Core.Golden;

namespace LeNetHls.Core.Verification;

/// <summary>
/// Where an implementation first leaves the golden model: one layer output element of one image, with its
/// position in the layer's HWC output. <paramref name="Actual"/> is null when the implementation wrote no value there.
/// </summary>
public sealed record LayerDivergence(int Image, int Layer, string LayerName, int Element, int Channel, int Row, int Col, long Expected, long? Actual)
{
    /// <param name="implementation">How the other side is named in the message: "csim", "RTL".</param>
    public string Describe(string implementation) =>
        $"image {Image}: first difference at layer {Layer} ({LayerName}), channel {Channel}, row {Row}, col {Col}: " +
        $"{implementation} {(Actual is { } a ? a.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no value")}, golden {Expected}";

    /// <summary>
    /// Compares every layer's output of one image with the golden model's trace, layer by layer in order,
    /// and returns the first element that differs, or null when every layer output is equal.
    /// </summary>
    /// <param name="actualLayer">The implementation's output of a layer (HWC order); read only as far as needed.</param>
    public static LayerDivergence? Locate(QModel model, int image, ReadOnlySpan<byte> pixels, Func<int, IReadOnlyList<long>> actualLayer)
    {
        var golden = new GoldenModel(model).Trace(pixels);
        for (int layer = 0; layer < model.Layers.Count; layer++)
        {
            var expected = golden[layer];
            var actual = actualLayer(layer);
            var shape = model.Layers[layer].OutShape;
            for (int i = 0; i < expected.Length; i++)
            {
                long? value = i < actual.Count ? actual[i] : null;
                if (value == expected[i]) continue;
                return new LayerDivergence(image, layer, model.Layers[layer].Name, i, i % shape.C, i / shape.C / shape.W, i / shape.C % shape.W,
                                           expected[i], value);
            }
        }
        return null;
    }
}
