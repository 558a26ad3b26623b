using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using LeNetHls.Core.Model;

namespace LeNetHls.Core.IO;

/// <summary>
/// The float model on disk, in the ncnn-style split of the numpy seed: X.modelstruct (JSON metadata:
/// per-layer shape, dtype, byte offset and element count) plus X.bin (little-endian float32, C order,
/// layers in order, W then b; conv W [kh, kw, in, out], dense W [in, out]). We add the architecture and
/// the .bin's SHA-256 so that corruption and shape mismatches are caught with clear errors.
/// </summary>
public static class ModelFile
{
    public const string StructExtension = ".modelstruct";
    public const string BinExtension = ".bin";
    public const int FormatVersion = 1;

    public static string StructPath(string path) => BasePath(path) + StructExtension;
    public static string BinPath(string path) => BasePath(path) + BinExtension;

    public static string BasePath(string path) =>
        path.EndsWith(StructExtension, StringComparison.Ordinal) ? path[..^StructExtension.Length]
        : path.EndsWith(BinExtension, StringComparison.Ordinal) ? path[..^BinExtension.Length]
        : path;

    public static void Save(FloatModel model, string basePath, IReadOnlyDictionary<string, string>? training = null)
    {
        basePath = BasePath(basePath);
        var spec = model.Spec;
        long total = model.Parameters.Sum(p => (long)(p.Weights.Length + p.Biases.Length)) * 4;
        var bin = new byte[total];
        var layers = new JsonObject();
        int offset = 0;
        foreach (var p in model.Parameters)
        {
            var entry = new JsonObject
            {
                ["W"] = Describe(p.WeightShape, ref offset, p.Weights, bin),
                ["b"] = Describe([p.Biases.Length], ref offset, p.Biases, bin),
            };
            layers[spec.ParameterKey(p.LayerIndex)] = entry;
        }
        var doc = new JsonObject
        {
            ["model_name"] = Path.GetFileName(basePath),
            ["format_version"] = FormatVersion,
            ["architecture"] = JsonNode.Parse(spec.ToJson()),
            ["bin_file"] = Path.GetFileName(basePath) + BinExtension,
            ["bin_size"] = bin.Length,
            ["bin_sha256"] = Hashing.Sha256Hex(bin),
            ["training"] = training is null ? new JsonObject() : new JsonObject(training.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["layer_weights"] = layers,
        };
        // The .bin goes first: a .modelstruct on disk always names the SHA of a complete .bin.
        AtomicFile.WriteAllBytes(basePath + BinExtension, bin);
        AtomicFile.WriteAllText(basePath + StructExtension, doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static JsonObject Describe(int[] shape, ref int offset, float[] values, byte[] bin)
    {
        var o = new JsonObject
        {
            ["shape"] = new JsonArray(shape.Select(s => (JsonNode?)s).ToArray()),
            ["dtype"] = "float32",
            ["offset"] = offset,
            ["size"] = values.Length,
        };
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bin.AsSpan(offset + 4 * i), values[i]);
        offset += 4 * values.Length;
        return o;
    }

    public static FloatModel Load(string path)
    {
        string structPath = StructPath(path);
        var doc = ReadStruct(structPath);
        ModelSpec spec;
        try { spec = ModelSpec.FromJson(doc["architecture"]?.ToJsonString() ?? "", structPath); }
        catch (InvalidOperationException e) { throw LeNetHlsException.InFile(structPath, $"invalid architecture ({e.Message})"); }

        string binName = Str(doc, "bin_file", structPath);
        string binPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(structPath))!, binName);
        if (!File.Exists(binPath)) throw LeNetHlsException.InFile(binPath, "weight file not found");
        var bin = File.ReadAllBytes(binPath);
        long expectedSize = Long(doc, "bin_size", structPath);
        if (bin.Length < expectedSize) throw LeNetHlsException.InFile(binPath, $"truncated: {bin.Length} bytes, expected {expectedSize}");
        if (bin.Length != expectedSize) throw LeNetHlsException.InFile(binPath, $"{bin.Length} bytes, expected {expectedSize}");
        if (Hashing.Sha256Hex(bin) != Str(doc, "bin_sha256", structPath))
            throw LeNetHlsException.InFile(binPath, "SHA-256 does not match the .modelstruct (corrupt or replaced weight file)");

        var layers = doc["layer_weights"] as JsonObject ?? throw LeNetHlsException.InFile(structPath, "missing layer_weights");
        var parameters = new List<FloatParameters>();
        foreach (int i in spec.ParameterLayers())
        {
            string key = spec.ParameterKey(i);
            var entry = layers[key] as JsonObject ?? throw LeNetHlsException.InFile(structPath, $"missing weights for {key} ({spec.Layers[i].Name})");
            var w = ReadTensor(entry, "W", key, spec.WeightShape(i), bin, structPath, binPath);
            var b = ReadTensor(entry, "b", key, [spec.WeightShape(i)[^1]], bin, structPath, binPath);
            parameters.Add(new FloatParameters(i, spec.WeightShape(i), w, b));
        }
        if (layers.Count != parameters.Count)
            throw LeNetHlsException.InFile(structPath, $"{layers.Count} weight entries but the architecture has {parameters.Count} parameter layers");
        return new FloatModel(spec, parameters);
    }

    public static IReadOnlyDictionary<string, string> ReadTraining(string path)
    {
        var doc = ReadStruct(StructPath(path));
        return doc["training"] is JsonObject t
            ? t.ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? "")
            : new Dictionary<string, string>();
    }

    private static float[] ReadTensor(JsonObject entry, string name, string key, int[] expectedShape, byte[] bin, string structPath, string binPath)
    {
        string what = $"{key}.{name}";
        var t = entry[name] as JsonObject ?? throw LeNetHlsException.InFile(structPath, $"missing {what}");
        int[] shape;
        try { shape = t["shape"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray(); }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
        { throw LeNetHlsException.InFile(structPath, $"{what}: invalid shape"); }
        if (!shape.SequenceEqual(expectedShape))
            throw LeNetHlsException.InFile(structPath, $"{what} shape [{string.Join(",", shape)}] disagrees with the architecture [{string.Join(",", expectedShape)}]");
        if ((t["dtype"]?.ToString() ?? "") != "float32") throw LeNetHlsException.InFile(structPath, $"{what}: dtype must be float32");
        long offset = Long(t, "offset", structPath), size = Long(t, "size", structPath);
        long count = expectedShape.Aggregate(1L, (a, b) => a * b);
        if (size != count) throw LeNetHlsException.InFile(structPath, $"{what}: size {size} does not match shape ({count})");
        if (offset < 0 || offset % 4 != 0 || offset + 4 * size > bin.Length)
            throw LeNetHlsException.InFile(structPath, $"{what}: offset {offset} + {size} floats lies outside the {bin.Length}-byte weight file");
        var values = new float[size];
        for (int i = 0; i < size; i++)
        {
            float v = BinaryPrimitives.ReadSingleLittleEndian(bin.AsSpan((int)offset + 4 * i));
            if (!float.IsFinite(v)) throw LeNetHlsException.InFile(binPath, $"{what} element {i} is {v} (weights must be finite)");
            values[i] = v;
        }
        return values;
    }

    private static JsonObject ReadStruct(string structPath)
    {
        if (!File.Exists(structPath)) throw LeNetHlsException.InFile(structPath, "model file not found");
        try
        {
            return JsonNode.Parse(File.ReadAllText(structPath)) as JsonObject
                   ?? throw LeNetHlsException.InFile(structPath, "not a JSON object");
        }
        catch (JsonException e) { throw LeNetHlsException.InFile(structPath, $"invalid JSON ({e.Message.Split('\n')[0]})"); }
    }

    private static string Str(JsonObject o, string key, string file) =>
        o[key] is JsonValue v && v.TryGetValue(out string? s) ? s : throw LeNetHlsException.InFile(file, $"missing or invalid '{key}'");

    private static long Long(JsonObject o, string key, string file) =>
        o[key] is JsonValue v && v.TryGetValue(out long n) ? n : throw LeNetHlsException.InFile(file, $"missing or invalid '{key}'");
}
