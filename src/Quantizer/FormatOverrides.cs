namespace LeNetHls.Quantizer;

/// <summary>A width and/or fractional-bit count that replaces the quantizer's choice for one tensor.</summary>
public sealed record FormatOverride(int? Bits, int? Frac);

public sealed record LayerOverride(FormatOverride? Weights, FormatOverride? Output);

/// <summary>
/// The per-layer override file of docs/qmodel.md: {"conv1": {"weights": {"bits": 6}, "output": {"bits": 8, "frac": 4}}}.
/// Keys are hardware layer names (conv1, pool1, fc3; fused activations have no entry of their own).
/// </summary>
public sealed class FormatOverrides
{
    public static readonly FormatOverrides None = new("", new Dictionary<string, LayerOverride>());

    public FormatOverrides(string source, IReadOnlyDictionary<string, LayerOverride> layers)
    {
        Source = source;
        Layers = layers;
    }

    /// <summary>The file the overrides came from, named in every error they cause.</summary>
    public string Source { get; }
    public IReadOnlyDictionary<string, LayerOverride> Layers { get; }

    public LayerOverride? For(string layer) => Layers.GetValueOrDefault(layer);

    public static FormatOverrides Load(string path)
    {
        if (!File.Exists(path)) throw LeNetHlsException.InFile(path, "override file not found");
        try { return Parse(File.ReadAllText(path), path); }
        catch (JsonException e) { throw LeNetHlsException.InFile(path, $"invalid JSON ({e.Message.Split('\n')[0]})"); }
    }

    public static FormatOverrides Parse(string json, string source)
    {
        void Fail(string problem) => throw LeNetHlsException.InFile(source, problem);
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) Fail("the override file must be a JSON object keyed by layer name");
        var layers = new Dictionary<string, LayerOverride>();
        foreach (var layer in doc.RootElement.EnumerateObject())
        {
            if (layer.Value.ValueKind != JsonValueKind.Object) Fail($"layer '{layer.Name}': expected an object with 'weights' and/or 'output'");
            FormatOverride? weights = null, output = null;
            foreach (var tensor in layer.Value.EnumerateObject())
            {
                int minBits = tensor.Name == "weights" ? QuantizeOptions.MinWeightBits : QuantizeOptions.MinBits;
                var format = ParseFormat(tensor.Value, $"layer '{layer.Name}' {tensor.Name}", minBits, Fail);
                switch (tensor.Name)
                {
                    case "weights": weights = format; break;
                    case "output": output = format; break;
                    default: Fail($"layer '{layer.Name}': unknown key '{tensor.Name}' (expected 'weights' or 'output')"); break;
                }
            }
            layers[layer.Name] = new LayerOverride(weights, output);
        }
        return new FormatOverrides(source, layers);
    }

    private static FormatOverride ParseFormat(JsonElement e, string what, int minBits, Action<string> fail)
    {
        if (e.ValueKind != JsonValueKind.Object) fail($"{what}: expected an object with 'bits' and/or 'frac'");
        int? bits = null, frac = null;
        foreach (var p in e.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int v))
            {
                fail($"{what}.{p.Name}: expected an integer");
                continue;
            }
            switch (p.Name)
            {
                case "bits":
                    if (v < minBits || v > QuantizeOptions.MaxBits)
                        fail($"{what}.bits: width {v} is outside {minBits}..{QuantizeOptions.MaxBits}");
                    bits = v;
                    break;
                case "frac":
                    if (v is < -64 or > 64) fail($"{what}.frac: {v} is outside -64..64");
                    frac = v;
                    break;
                default:
                    fail($"{what}: unknown key '{p.Name}' (expected 'bits' or 'frac')");
                    break;
            }
        }
        if (bits is null && frac is null) fail($"{what}: set 'bits' and/or 'frac'");
        return new FormatOverride(bits, frac);
    }
}
