namespace LeNetHls.Core.Golden;

/// <summary>Every layer's integer output for chosen images, as JSON, to locate where another implementation diverges.</summary>
public static class GoldenTrace
{
    public sealed record LayerTrace(string Name, int[] Shape, int[] Values);
    public sealed record ImageTrace(int Image, int Label, int Prediction, IReadOnlyList<LayerTrace> Layers);

    public static IReadOnlyList<ImageTrace> Collect(QModel model, MnistSet set, IEnumerable<int> images)
    {
        var golden = new GoldenModel(model);
        return images.Select(i =>
        {
            var outputs = golden.Trace(set.Image(i));
            var layers = model.Layers.Select((l, k) => new LayerTrace(l.Name, [l.OutShape.H, l.OutShape.W, l.OutShape.C], outputs[k])).ToList();
            return new ImageTrace(i, set.Labels[i], GoldenModel.Argmax(outputs[^1]), layers);
        }).ToList();
    }

    public static void Write(QModel model, MnistSet set, IEnumerable<int> images, string path)
    {
        var traces = Collect(model, set, images);
        AtomicFile.Write(path, s => JsonSerializer.Serialize(s, new { model = model.Name, layout = "HWC", images = traces }, QModelFile.Json));
    }
}
