namespace LeNetHls.Quantizer.Tests;

/// <summary>Float models small enough that every format the quantizer picks can be worked out by hand.</summary>
public static class TinyFloatModels
{
    /// <summary>
    /// 2×2 pixels → conv1 (1×1, w = 1, b = 0.5) → relu1 → pool1 (max 2×2) → flatten → fc1 (w = [0.75, −0.25], b = [0.1, −0.2]).
    /// </summary>
    public static FloatModel ReluModel(bool withBiases = true)
    {
        var spec = new ModelSpec
        {
            Name = "tiny", Input = new Shape3(2, 2, 1),
            Layers =
            [
                new() { Kind = LayerKind.Conv2D, Name = "conv1", Out = 1, Kernel = 1 },
                new() { Kind = LayerKind.ReLU, Name = "relu1" },
                new() { Kind = LayerKind.MaxPool, Name = "pool1", Kernel = 2, Stride = 2 },
                new() { Kind = LayerKind.Flatten, Name = "flatten" },
                new() { Kind = LayerKind.Dense, Name = "fc1", Out = 2 },
            ],
        };
        return new FloatModel(spec, [
            new FloatParameters(0, [1, 1, 1, 1], [1f], withBiases ? [0.5f] : [0f]),
            new FloatParameters(4, [1, 2], [0.75f, -0.25f], withBiases ? [0.1f, -0.2f] : [0f, 0f]),
        ]);
    }

    /// <summary>2×2 pixels → c1 (1×1, w = 2, b = −1) → tanh → s2 (avg 2×2) → flatten → out (w = [1, −1], b = 0).</summary>
    public static FloatModel TanhModel()
    {
        var spec = new ModelSpec
        {
            Name = "tiny-tanh", Input = new Shape3(2, 2, 1),
            Layers =
            [
                new() { Kind = LayerKind.Conv2D, Name = "c1", Out = 1, Kernel = 1 },
                new() { Kind = LayerKind.Tanh, Name = "tanh1" },
                new() { Kind = LayerKind.AvgPool, Name = "s2", Kernel = 2, Stride = 2 },
                new() { Kind = LayerKind.Flatten, Name = "flatten" },
                new() { Kind = LayerKind.Dense, Name = "out", Out = 2 },
            ],
        };
        return new FloatModel(spec, [
            new FloatParameters(0, [1, 1, 1, 1], [2f], [-1f]),
            new FloatParameters(4, [1, 2], [1f, -1f], [0f, 0f]),
        ]);
    }

    /// <summary>Calibration images for the tiny models: the relu model's conv1 peaks at 255 / 255 + 0.5 = 1.5.</summary>
    public static MnistSet Images() => Set([[0, 0, 0, 0], [255, 0, 0, 0], [51, 102, 0, 0], [10, 20, 30, 40]], 2, 2);

    public static MnistSet Set(IReadOnlyList<byte[]> images, int rows = 28, int cols = 28) =>
        new(images.SelectMany(i => i).ToArray(), new byte[images.Count], rows, cols);
}
