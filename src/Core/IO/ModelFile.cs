using System.Buffers.Binary;
using System.Text.Json.Nodes;

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
    /// <summary>2: model_sha256 covers the architecture, the tensor table and the weights.</summary>
    public const int FormatVersion = 2;
    /// <summary>1: only the .bin was hashed; still read when the architecture is exactly a built-in preset.</summary>
    public const int LegacyFormatVersion = 1;

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
        doc["model_sha256"] = ContentHash(doc["architecture"]!.AsObject(), layers, doc["bin_sha256"]!.GetValue<string>());
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
        var known = new HashSet<string> { "model_name", "format_version", "architecture", "bin_file", "bin_size", "bin_sha256", "model_sha256", "training", "layer_weights" };
        if (doc.Select(kv => kv.Key).FirstOrDefault(k => !known.Contains(k)) is { } unknown)
            throw LeNetHlsException.InFile(structPath, $"unknown field '{unknown}'");
        long version = Long(doc, "format_version", structPath);
        if (version is not (FormatVersion or LegacyFormatVersion))
            throw LeNetHlsException.InFile(structPath, $"format_version {version} is not supported (this lenet-hls reads {LegacyFormatVersion} and {FormatVersion}); use the lenet-hls that wrote it");
        Str(doc, "model_name", structPath);
        if (doc["training"] is not null && (doc["training"] is not JsonObject training || training.Any(kv => kv.Value is not JsonValue v || !v.TryGetValue(out string? _))))
            throw LeNetHlsException.InFile(structPath, "'training' must be an object of strings");

        var architecture = doc["architecture"] as JsonObject ?? throw LeNetHlsException.InFile(structPath, "missing or invalid 'architecture'");
        ModelSpec spec;
        try { spec = ModelSpec.FromJson(architecture.ToJsonString(), structPath); }
        catch (InvalidOperationException e) { throw LeNetHlsException.InFile(structPath, $"invalid architecture ({e.Message})"); }

        string binName = Str(doc, "bin_file", structPath);
        if (binName.Length == 0 || binName != Path.GetFileName(binName) || binName is "." or ".." || !binName.EndsWith(BinExtension, StringComparison.Ordinal))
            throw LeNetHlsException.InFile(structPath, $"'bin_file' must name a {BinExtension} file beside the .modelstruct, got '{binName}'");
        string binPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(structPath))!, binName);
        if (Directory.Exists(binPath)) throw LeNetHlsException.InFile(binPath, "is a folder, expected the weight file");
        if (!File.Exists(binPath)) throw LeNetHlsException.InFile(binPath, "weight file not found");
        var bin = ReadAllBytes(binPath);
        long expectedSize = Long(doc, "bin_size", structPath);
        long canonicalSize = spec.ParameterLayers().Sum(i => 4L * (spec.WeightShape(i).Aggregate(1L, (a, b) => a * b) + spec.WeightShape(i)[^1]));
        if (expectedSize != canonicalSize)
            throw LeNetHlsException.InFile(structPath, $"bin_size {expectedSize} disagrees with the architecture ({canonicalSize} bytes of float32 parameters)");
        if (bin.Length < expectedSize) throw LeNetHlsException.InFile(binPath, $"truncated: {bin.Length} bytes, expected {expectedSize}");
        if (bin.Length != expectedSize) throw LeNetHlsException.InFile(binPath, $"{bin.Length} bytes, expected {expectedSize}");
        string binSha = Str(doc, "bin_sha256", structPath);
        if (Hashing.Sha256Hex(bin) != binSha)
            throw LeNetHlsException.InFile(binPath, "SHA-256 does not match the .modelstruct (corrupt or replaced weight file)");

        var layers = doc["layer_weights"] as JsonObject ?? throw LeNetHlsException.InFile(structPath, "missing or invalid 'layer_weights'");
        var parameters = new List<FloatParameters>();
        long offset = 0;
        foreach (int i in spec.ParameterLayers())
        {
            string key = spec.ParameterKey(i);
            var entry = layers[key] as JsonObject ?? throw LeNetHlsException.InFile(structPath, $"missing weights for {key} ({spec.Layers[i].Name})");
            if (entry.Select(kv => kv.Key).FirstOrDefault(k => k is not ("W" or "b")) is { } extra)
                throw LeNetHlsException.InFile(structPath, $"{key}: unknown field '{extra}'");
            var w = ReadTensor(entry, "W", key, spec.WeightShape(i), ref offset, bin, structPath, binPath);
            var b = ReadTensor(entry, "b", key, [spec.WeightShape(i)[^1]], ref offset, bin, structPath, binPath);
            parameters.Add(new FloatParameters(i, spec.WeightShape(i), w, b));
        }
        if (layers.Count != parameters.Count)
        {
            string? stray = layers.Select(kv => kv.Key).FirstOrDefault(k => !spec.ParameterLayers().Select(spec.ParameterKey).Contains(k));
            throw LeNetHlsException.InFile(structPath, $"{layers.Count} weight entries but the architecture has {parameters.Count} parameter layers" +
                                                       (stray is null ? "" : $" ('{stray}' matches no layer)"));
        }

        if (version == FormatVersion)
        {
            if (ContentHash(architecture, layers, binSha) != Str(doc, "model_sha256", structPath))
                throw LeNetHlsException.InFile(structPath, "model_sha256 does not match the architecture, tensor table and weights (the file was edited or is corrupt)");
        }
        else if (Presets.Names.Select(Presets.Get).All(p => p.ToJson() != spec.ToJson()))
        {
            throw LeNetHlsException.InFile(structPath,
                $"format_version {LegacyFormatVersion} only protects the weights, and this architecture is not a built-in preset, so it cannot be trusted; " +
                $"re-export the model with this lenet-hls (train it again, or `train --resume CHECKPOINT` with --epochs at its last epoch) to get format_version {FormatVersion}");
        }
        return new FloatModel(spec, parameters);
    }

    /// <summary>
    /// model_sha256: the architecture and tensor table as written (compact JSON) plus the .bin's SHA-256,
    /// so that no edit to the metadata can pass as the same model.
    /// </summary>
    private static string ContentHash(JsonObject architecture, JsonObject tensorTable, string binSha256) =>
        Hashing.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(
            $"lenet-hls-modelstruct/{FormatVersion}\n{architecture.ToJsonString()}\n{tensorTable.ToJsonString()}\n{binSha256}"));

    public static IReadOnlyDictionary<string, string> ReadTraining(string path)
    {
        var doc = ReadStruct(StructPath(path));
        return doc["training"] is JsonObject t
            ? t.ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? "")
            : new Dictionary<string, string>();
    }

    /// <summary>
    /// Reads one tensor of the table. Tensors lie back to back in file order (W then b per layer), so
    /// the offset is not free: any other value would read some other layer's numbers.
    /// </summary>
    private static float[] ReadTensor(JsonObject entry, string name, string key, int[] expectedShape, ref long expectedOffset, byte[] bin, string structPath, string binPath)
    {
        string what = $"{key}.{name}";
        var t = entry[name] as JsonObject ?? throw LeNetHlsException.InFile(structPath, $"missing {what}");
        if (t.Select(kv => kv.Key).FirstOrDefault(k => k is not ("shape" or "dtype" or "offset" or "size")) is { } extra)
            throw LeNetHlsException.InFile(structPath, $"{what}: unknown field '{extra}'");
        if (t["shape"] is not JsonArray shapeArray || shapeArray.Any(n => n is not JsonValue v || !v.TryGetValue(out int _)))
            throw LeNetHlsException.InFile(structPath, $"{what}: invalid shape");
        int[] shape = shapeArray.Select(n => n!.GetValue<int>()).ToArray();
        if (!shape.SequenceEqual(expectedShape))
            throw LeNetHlsException.InFile(structPath, $"{what} shape [{string.Join(",", shape)}] disagrees with the architecture [{string.Join(",", expectedShape)}]");
        if (Str(t, "dtype", structPath) != "float32") throw LeNetHlsException.InFile(structPath, $"{what}: dtype must be float32");
        long offset = Long(t, "offset", structPath), size = Long(t, "size", structPath);
        long count = expectedShape.Aggregate(1L, (a, b) => a * b);
        if (size != count) throw LeNetHlsException.InFile(structPath, $"{what}: size {size} does not match shape ({count})");
        if (offset != expectedOffset)
            throw LeNetHlsException.InFile(structPath, $"{what}: offset {offset}, expected {expectedOffset} (tensors lie back to back, each layer's W then b)");
        if (offset + 4 * size > bin.Length)
            throw LeNetHlsException.InFile(structPath, $"{what}: offset {offset} + {size} floats lies outside the {bin.Length}-byte weight file");
        var values = new float[size];
        for (int i = 0; i < size; i++)
        {
            float v = BinaryPrimitives.ReadSingleLittleEndian(bin.AsSpan((int)offset + 4 * i));
            if (!float.IsFinite(v)) throw LeNetHlsException.InFile(binPath, $"{what} element {i} is {v} (weights must be finite)");
            values[i] = v;
        }
        expectedOffset += 4 * size;
        return values;
    }

    private static byte[] ReadAllBytes(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        { throw LeNetHlsException.InFile(path, $"cannot read: {FileErrors.Reason(e)}"); }
    }

    private static JsonObject ReadStruct(string structPath)
    {
        if (Directory.Exists(structPath)) throw LeNetHlsException.InFile(structPath, "is a folder, expected a .modelstruct file");
        if (!File.Exists(structPath)) throw LeNetHlsException.InFile(structPath, "model file not found");
        try
        {
            return JsonNode.Parse(File.ReadAllText(structPath), documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) as JsonObject
                   ?? throw LeNetHlsException.InFile(structPath, "not a JSON object");
        }
        catch (JsonException e) { throw LeNetHlsException.InFile(structPath, $"invalid JSON ({e.Message.Split('\n')[0]})"); }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        { throw LeNetHlsException.InFile(structPath, $"cannot read: {FileErrors.Reason(e)}"); }
    }

    private static string Str(JsonObject o, string key, string file) =>
        o[key] is JsonValue v && v.TryGetValue(out string? s) ? s : throw LeNetHlsException.InFile(file, $"missing or invalid '{key}'");

    private static long Long(JsonObject o, string key, string file) =>
        o[key] is JsonValue v && v.TryGetValue(out long n) ? n : throw LeNetHlsException.InFile(file, $"missing or invalid '{key}'");
}
