namespace LeNetHls.Core.Model;

public static class Presets
{
    public static readonly string[] Names = ["lenet5", "lenet5-classic"];

    /// <summary>
    /// Inputs of each C3 output map in LeCun et al. 1998, Table I.
    /// </summary>
    public static readonly int[][] LeCunC3Table =
    [
        [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 0], [5, 0, 1],
        [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 0], [4, 5, 0, 1], [5, 0, 1, 2],
        [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5], [0, 1, 2, 3, 4, 5],
    ];

    public static ModelSpec Get(string name) => name switch
    {
        "lenet5" => LeNet5(),
        "lenet5-classic" => LeNet5Classic(),
        _ => throw new LeNetHlsException($"unknown preset '{name}' (choose one of: {string.Join(", ", Names)})"),
    };

    /// <summary>The modern LeNet-5: ReLU, max pooling, 416,520 MACs per image.</summary>
    public static ModelSpec LeNet5() => new ModelSpec
    {
        Name = "lenet5",
        Input = new Shape3(28, 28, 1),
        Layers =
        [
            new() { Kind = LayerKind.Conv2D, Name = "conv1", Out = 6, Kernel = 5, Pad = 2 },
            new() { Kind = LayerKind.ReLU, Name = "relu1" },
            new() { Kind = LayerKind.MaxPool, Name = "pool1", Kernel = 2, Stride = 2 },
            new() { Kind = LayerKind.Conv2D, Name = "conv2", Out = 16, Kernel = 5 },
            new() { Kind = LayerKind.ReLU, Name = "relu2" },
            new() { Kind = LayerKind.MaxPool, Name = "pool2", Kernel = 2, Stride = 2 },
            new() { Kind = LayerKind.Flatten, Name = "flatten" },
            new() { Kind = LayerKind.Dense, Name = "fc1", Out = 120 },
            new() { Kind = LayerKind.ReLU, Name = "relu3" },
            new() { Kind = LayerKind.Dense, Name = "fc2", Out = 84 },
            new() { Kind = LayerKind.ReLU, Name = "relu4" },
            new() { Kind = LayerKind.Dense, Name = "fc3", Out = 10 },
        ],
    };

    /// <summary>
    /// LeCun 1998: 32×32 input (MNIST zero-padded by 2, done here as C1's pad of 2, which is the
    /// same because pixel 0 maps to 0), tanh, 2×2 average pooling, the C3 connection table,
    /// C5 of 120 maps, F6 of 84, and 10 outputs scored by softmax instead of RBF units.
    /// </summary>
    public static ModelSpec LeNet5Classic() => new ModelSpec
    {
        Name = "lenet5-classic",
        Input = new Shape3(28, 28, 1),
        Layers =
        [
            new() { Kind = LayerKind.Conv2D, Name = "c1", Out = 6, Kernel = 5, Pad = 2 },
            new() { Kind = LayerKind.Tanh, Name = "tanh1" },
            new() { Kind = LayerKind.AvgPool, Name = "s2", Kernel = 2, Stride = 2 },
            new() { Kind = LayerKind.Conv2D, Name = "c3", Out = 16, Kernel = 5, Connections = LeCunC3Table },
            new() { Kind = LayerKind.Tanh, Name = "tanh2" },
            new() { Kind = LayerKind.AvgPool, Name = "s4", Kernel = 2, Stride = 2 },
            new() { Kind = LayerKind.Conv2D, Name = "c5", Out = 120, Kernel = 5 },
            new() { Kind = LayerKind.Tanh, Name = "tanh3" },
            new() { Kind = LayerKind.Flatten, Name = "flatten" },
            new() { Kind = LayerKind.Dense, Name = "f6", Out = 84 },
            new() { Kind = LayerKind.Tanh, Name = "tanh4" },
            new() { Kind = LayerKind.Dense, Name = "output", Out = 10 },
        ],
    };
}
