using System.Buffers.Binary;
using Google.Protobuf;
using LeNetHls.Onnx.Proto;

namespace LeNetHls.Onnx;

/// <summary>Reads and writes .onnx files (ModelProto) and the tensors inside them, external data included.</summary>
public static class OnnxFile
{
    /// <summary>The ONNX IR version written with opset 13 (ONNX 1.8).</summary>
    public const long IrVersion = 7;
    public const long Opset = 13;

    public static ModelProto Read(string path)
    {
        if (!File.Exists(path)) throw LeNetHlsException.InFile(path, "ONNX file not found");
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0) throw LeNetHlsException.InFile(path, "empty file, not an ONNX model");
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(bytes); }
        catch (InvalidProtocolBufferException e)
        {
            throw LeNetHlsException.InFile(path, $"not a valid ONNX model: truncated or corrupt protobuf ({e.Message.Split('\n')[0]})");
        }
        if (model.Graph is null || model.Graph.Node.Count == 0)
            throw LeNetHlsException.InFile(path, "not a valid ONNX model: it holds no graph (truncated or not an ONNX file)");
        return model;
    }

    public static void Write(ModelProto model, string path) => AtomicFile.Write(path, s => model.WriteTo(s));

    /// <summary>The float values of a FLOAT tensor, from float_data, raw_data or an external data file.</summary>
    /// <param name="modelDir">Folder of the .onnx file: external data locations are relative to it.</param>
    /// <param name="fail">Reports a problem with this tensor; never returns.</param>
    public static float[] FloatValues(TensorProto t, string modelDir, Func<string, Exception> fail)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Float)
            throw fail($"tensor '{t.Name}' has type {TypeName(t.DataType)}; only float weights are supported");
        long count = ElementCount(t);
        float[] values;
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
            values = Decode(ExternalBytes(t, modelDir, 4 * count, fail), count, t, fail);
        else if (t.HasRawData)
            values = Decode(t.RawData.Span, count, t, fail);
        else
        {
            if (t.FloatData.Count != count)
                throw fail($"tensor '{t.Name}' holds {t.FloatData.Count} values but its shape [{string.Join(",", t.Dims)}] needs {count}");
            values = t.FloatData.ToArray();
        }
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) throw fail($"tensor '{t.Name}' element {i} is {values[i]} (weights must be finite)");
        return values;
    }

    /// <summary>The values of an INT64 tensor (a Reshape target shape).</summary>
    public static long[] Int64Values(TensorProto t, string modelDir, Func<string, Exception> fail)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Int64)
            throw fail($"tensor '{t.Name}' has type {TypeName(t.DataType)}; a shape must be int64");
        long count = ElementCount(t);
        ReadOnlySpan<byte> raw = t.DataLocation == TensorProto.Types.DataLocation.External ? ExternalBytes(t, modelDir, 8 * count, fail)
                               : t.HasRawData ? t.RawData.Span : default;
        if (!t.HasRawData && t.DataLocation != TensorProto.Types.DataLocation.External)
        {
            if (t.Int64Data.Count != count) throw fail($"tensor '{t.Name}' holds {t.Int64Data.Count} values but its shape needs {count}");
            return t.Int64Data.ToArray();
        }
        if (raw.Length != 8 * count) throw fail($"tensor '{t.Name}' holds {raw.Length} bytes but its shape needs {8 * count}");
        var values = new long[count];
        for (int i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(raw[(8 * i)..]);
        return values;
    }

    public static long ElementCount(TensorProto t) => t.Dims.Aggregate(1L, (a, d) => a * d);

    public static string TypeName(int dataType) =>
        Enum.IsDefined(typeof(TensorProto.Types.DataType), dataType) ? ((TensorProto.Types.DataType)dataType).ToString().ToLowerInvariant() : $"#{dataType}";

    private static float[] Decode(ReadOnlySpan<byte> raw, long count, TensorProto t, Func<string, Exception> fail)
    {
        if (raw.Length != 4 * count)
            throw fail($"tensor '{t.Name}' holds {raw.Length} bytes but its shape [{string.Join(",", t.Dims)}] needs {4 * count}");
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]);
        return values;
    }

    private static byte[] ExternalBytes(TensorProto t, string modelDir, long expected, Func<string, Exception> fail)
    {
        string? location = null;
        long offset = 0, length = -1;
        foreach (var entry in t.ExternalData)
        {
            switch (entry.Key)
            {
                case "location": location = entry.Value; break;
                case "offset" when long.TryParse(entry.Value, out long o): offset = o; break;
                case "length" when long.TryParse(entry.Value, out long n): length = n; break;
            }
        }
        if (string.IsNullOrEmpty(location)) throw fail($"tensor '{t.Name}' is stored externally but names no location");
        string file = Path.GetFullPath(Path.Combine(modelDir, location));
        // The ONNX spec keeps external data beside the model; a path leaving its folder is refused.
        if (!file.StartsWith(Path.GetFullPath(modelDir).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw fail($"tensor '{t.Name}': external data location '{location}' leaves the model's folder");
        if (!File.Exists(file)) throw fail($"tensor '{t.Name}': external data file '{location}' not found next to the model");
        if (length < 0) length = expected;
        if (length != expected) throw fail($"tensor '{t.Name}': external data length {length} bytes, its shape needs {expected}");
        using var stream = File.OpenRead(file);
        if (offset < 0 || offset + length > stream.Length)
            throw fail($"tensor '{t.Name}': external data {offset}+{length} lies outside '{location}' ({stream.Length} bytes)");
        var bytes = new byte[length];
        stream.Position = offset;
        stream.ReadExactly(bytes);
        return bytes;
    }
}
