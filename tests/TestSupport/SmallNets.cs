namespace LeNetHls.TestSupport;

/// <summary>Networks in LeNet's shape but small enough to train, quantize and compare in a unit test.</summary>
public static class SmallNets
{
    /// <summary>size×size pixels → conv 3×3 (convChannels, pad 1) → relu → max 2×2 → flatten → fc hidden → relu → fc classes.</summary>
    public static ModelSpec OneConv(string name, int size, int convChannels, int hidden, int classes) => new()
    {
        Name = name, Input = new Shape3(size, size, 1),
        Layers =
        [
            new() { Kind = LayerKind.Conv2D, Name = "conv1", Out = convChannels, Kernel = 3, Pad = 1 },
            new() { Kind = LayerKind.ReLU, Name = "relu1" },
            new() { Kind = LayerKind.MaxPool, Name = "pool1", Kernel = 2, Stride = 2 },
            new() { Kind = LayerKind.Flatten, Name = "flatten" },
            new() { Kind = LayerKind.Dense, Name = "fc1", Out = hidden },
            new() { Kind = LayerKind.ReLU, Name = "relu2" },
            new() { Kind = LayerKind.Dense, Name = "fc2", Out = classes },
        ],
    };

    /// <summary>
    /// A seeded random model whose biases are random too (within ±0.1): CreateRandom starts them at zero,
    /// which would leave the bias paths of the arithmetic untested.
    /// </summary>
    public static FloatModel RandomWithBiases(ModelSpec spec, int seed)
    {
        var model = FloatModel.CreateRandom(spec, seed);
        var rng = new Random(seed);
        foreach (var p in model.Parameters)
            for (int i = 0; i < p.Biases.Length; i++) p.Biases[i] = (float)(rng.NextDouble() - 0.5) * 0.2f;
        return model;
    }
}
