using System.Text.Json.Serialization;

namespace LeNetHls.Core.Model;

[JsonConverter(typeof(JsonStringEnumConverter<LayerKind>))]
public enum LayerKind
{
    [JsonStringEnumMemberName("conv2d")] Conv2D,
    [JsonStringEnumMemberName("maxpool")] MaxPool,
    [JsonStringEnumMemberName("avgpool")] AvgPool,
    [JsonStringEnumMemberName("relu")] ReLU,
    [JsonStringEnumMemberName("tanh")] Tanh,
    [JsonStringEnumMemberName("flatten")] Flatten,
    [JsonStringEnumMemberName("dense")] Dense,
}

/// <summary>Height, width, channels of an HWC tensor. Dense outputs are 1×1×N.</summary>
public readonly record struct Shape3(int H, int W, int C)
{
    [JsonIgnore] public int Size => H * W * C;
    public override string ToString() => $"{H}x{W}x{C}";
}

/// <summary>
/// One layer of a sequential model. Conv2D uses Out (filters), Kernel, Stride, Pad and optionally
/// Connections (for each output channel, the input channels it reads; LeNet-5's C3 table).
/// Pools use Kernel and Stride. Dense uses Out (units).
/// </summary>
public sealed record LayerSpec
{
    public required LayerKind Kind { get; init; }
    public string Name { get; init; } = "";
    public int Out { get; init; }
    public int Kernel { get; init; }
    public int Stride { get; init; } = 1;
    public int Pad { get; init; }
    public int[][]? Connections { get; init; }

    [JsonIgnore] public bool HasParameters => Kind is LayerKind.Conv2D or LayerKind.Dense;
}

/// <summary>A sequential CNN: the architecture that model files, the quantizer and the generators share.</summary>
public sealed record ModelSpec
{
    public required string Name { get; init; }
    public required Shape3 Input { get; init; }
    public required IReadOnlyList<LayerSpec> Layers { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>Reading: an unknown field (a typo such as "kernal") is an error, not a silently ignored default.</summary>
    private static readonly JsonSerializerOptions StrictJson = new(Json) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, MaxDepth = 32 };

    /// <summary>Limits that keep every size computation far from 32-bit overflow; LeNet-5 needs a fraction of them.</summary>
    public const int MaxDimension = 4096;
    public const long MaxTensorSize = 1 << 26;

    /// <summary>Output shape of every layer, checking that the layers fit together.</summary>
    public Shape3[] OutputShapes()
    {
        var shapes = new Shape3[Layers.Count];
        var s = Input;
        if (s.H is < 1 or > MaxDimension || s.W is < 1 or > MaxDimension || s.C is < 1 or > MaxDimension || (long)s.H * s.W * s.C > MaxTensorSize)
            throw new LeNetHlsException($"model '{Name}': input {s} must have sides 1..{MaxDimension} and at most {MaxTensorSize} values");
        for (int i = 0; i < Layers.Count; i++)
        {
            var l = Layers[i];
            string where = $"model '{Name}', layer {i} ({l.Name})";
            if (l.Out > MaxDimension || l.Kernel > MaxDimension || l.Stride > MaxDimension || l.Pad > MaxDimension)
                throw new LeNetHlsException($"{where}: out, kernel, stride and pad must be at most {MaxDimension}");
            if (l.Kind is LayerKind.Conv2D or LayerKind.Dense && (long)s.Size * l.Out * (l.Kind == LayerKind.Conv2D ? (long)l.Kernel * l.Kernel : 1) > MaxTensorSize)
                throw new LeNetHlsException($"{where}: more than {MaxTensorSize} weights");
            switch (l.Kind)
            {
                case LayerKind.Conv2D:
                    if (l.Out < 1 || l.Kernel < 1 || l.Stride < 1 || l.Pad < 0)
                        throw new LeNetHlsException($"{where}: conv2d needs out ≥ 1, kernel ≥ 1, stride ≥ 1, pad ≥ 0");
                    int oh = (s.H + 2 * l.Pad - l.Kernel) / l.Stride + 1, ow = (s.W + 2 * l.Pad - l.Kernel) / l.Stride + 1;
                    if (oh < 1 || ow < 1) throw new LeNetHlsException($"{where}: kernel {l.Kernel} does not fit input {s}");
                    ValidateConnections(l, s.C, where);
                    s = new Shape3(oh, ow, l.Out);
                    break;
                case LayerKind.MaxPool:
                case LayerKind.AvgPool:
                    if (l.Kernel < 1 || l.Stride < 1) throw new LeNetHlsException($"{where}: pool needs kernel ≥ 1 and stride ≥ 1");
                    if ((s.H - l.Kernel) % l.Stride != 0 || (s.W - l.Kernel) % l.Stride != 0)
                        throw new LeNetHlsException($"{where}: pool {l.Kernel}/{l.Stride} does not tile input {s}");
                    s = new Shape3((s.H - l.Kernel) / l.Stride + 1, (s.W - l.Kernel) / l.Stride + 1, s.C);
                    break;
                case LayerKind.ReLU:
                case LayerKind.Tanh:
                    break;
                case LayerKind.Flatten:
                    s = new Shape3(1, 1, s.Size);
                    break;
                case LayerKind.Dense:
                    if (l.Out < 1) throw new LeNetHlsException($"{where}: dense needs out ≥ 1");
                    s = new Shape3(1, 1, l.Out);
                    break;
            }
            if ((long)s.H * s.W * s.C > MaxTensorSize) throw new LeNetHlsException($"{where}: output {s} has more than {MaxTensorSize} values");
            shapes[i] = s;
        }
        return shapes;
    }

    public Shape3 InputShapeOf(int layer) => layer == 0 ? Input : OutputShapes()[layer - 1];

    /// <summary>Weight shape in the file layout: conv [kh, kw, in, out], dense [in, out].</summary>
    public int[] WeightShape(int layer)
    {
        var l = Layers[layer];
        var inShape = InputShapeOf(layer);
        return l.Kind switch
        {
            LayerKind.Conv2D => [l.Kernel, l.Kernel, inShape.C, l.Out],
            LayerKind.Dense => [inShape.Size, l.Out],
            _ => throw new InvalidOperationException($"layer {layer} has no weights"),
        };
    }

    /// <summary>Indices of the layers that carry weights and biases, in file order.</summary>
    public int[] ParameterLayers() => Enumerable.Range(0, Layers.Count).Where(i => Layers[i].HasParameters).ToArray();

    /// <summary>Whether input channel ci feeds output channel co (always true without a connection table).</summary>
    public static bool IsConnected(LayerSpec l, int ci, int co) =>
        l.Connections is null || Array.IndexOf(l.Connections[co], ci) >= 0;

    /// <summary>Multiply-accumulates per image, skipping unconnected channel pairs.</summary>
    public long MacsPerImage()
    {
        var shapes = OutputShapes();
        long macs = 0;
        for (int i = 0; i < Layers.Count; i++)
        {
            var l = Layers[i];
            var inShape = i == 0 ? Input : shapes[i - 1];
            if (l.Kind == LayerKind.Conv2D)
            {
                long pairs = l.Connections?.Sum(c => (long)c.Length) ?? (long)inShape.C * l.Out;
                macs += (long)shapes[i].H * shapes[i].W * l.Kernel * l.Kernel * pairs;
            }
            else if (l.Kind == LayerKind.Dense) macs += (long)inShape.Size * l.Out;
        }
        return macs;
    }

    /// <summary>Key of a parameter layer in the .modelstruct file: "layer_{index}_{Type}" as in the numpy seed.</summary>
    public string ParameterKey(int layer) => $"layer_{layer}_{(Layers[layer].Kind == LayerKind.Conv2D ? "Conv2D" : "FC")}";

    /// <summary>Fills in default names (conv1, pool1, relu1, fc1, ...) and checks names are unique.</summary>
    public ModelSpec WithDefaultNames()
    {
        var counters = new Dictionary<string, int>();
        var layers = Layers.Select(l =>
        {
            if (!string.IsNullOrEmpty(l.Name)) return l;
            string stem = l.Kind switch
            {
                LayerKind.Conv2D => "conv", LayerKind.MaxPool or LayerKind.AvgPool => "pool",
                LayerKind.ReLU => "relu", LayerKind.Tanh => "tanh", LayerKind.Flatten => "flatten", _ => "fc",
            };
            counters[stem] = counters.GetValueOrDefault(stem) + 1;
            return l with { Name = $"{stem}{counters[stem]}" };
        }).ToList();
        var dup = layers.GroupBy(l => l.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new LeNetHlsException($"model '{Name}': layer name '{dup.Key}' is used twice");
        if (Names.ModelNameProblem(Name) is { } badModel) throw new LeNetHlsException(badModel);
        if (layers.Select(l => Names.LayerNameProblem(l.Name)).FirstOrDefault(p => p is not null) is { } badLayer)
            throw new LeNetHlsException($"model '{Name}': {badLayer}");
        return this with { Layers = layers };
    }

    private static void ValidateConnections(LayerSpec l, int inChannels, string where)
    {
        if (l.Connections is null) return;
        if (l.Connections.Length != l.Out)
            throw new LeNetHlsException($"{where}: connection table has {l.Connections.Length} rows, expected {l.Out} (one per output channel)");
        foreach (var row in l.Connections)
        {
            if (row.Length == 0 || row.Any(c => c < 0 || c >= inChannels) || row.Distinct().Count() != row.Length)
                throw new LeNetHlsException($"{where}: connection table rows must list distinct input channels in 0..{inChannels - 1}");
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ModelSpec FromJson(string json, string source)
    {
        ModelSpec? spec;
        try { spec = JsonSerializer.Deserialize<ModelSpec>(json, StrictJson); }
        catch (JsonException e) { throw LeNetHlsException.InFile(source, $"invalid model spec JSON ({e.Message.Split('\n')[0]})"); }
        if (spec is null || spec.Layers is null || spec.Layers.Count == 0) throw LeNetHlsException.InFile(source, "model spec has no layers");
        if (spec.Name is null) throw LeNetHlsException.InFile(source, "model spec: 'name' is null");
        if (spec.Layers.Any(l => l is null)) throw LeNetHlsException.InFile(source, "model spec: a layer is null");
        if (spec.Layers.Any(l => l.Name is null)) throw LeNetHlsException.InFile(source, "model spec: a layer name is null");
        if (spec.Layers.Any(l => l.Connections is { } c && c.Any(row => row is null)))
            throw LeNetHlsException.InFile(source, "model spec: a connection table row is null");
        try
        {
            spec = spec.WithDefaultNames();
            spec.OutputShapes();
        }
        catch (LeNetHlsException e) { throw LeNetHlsException.InFile(source, e.Message); }
        return spec;
    }
}
