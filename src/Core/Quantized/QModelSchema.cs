using System.Text.Json.Nodes;

namespace LeNetHls.Core.Quantized;

/// <summary>
/// Checks the JSON of a qmodel before it becomes a <see cref="QModel"/>: every required field present,
/// no null where a value is required (a null array entry included), every value of the right type and
/// no unknown field. Deserialization alone would fill a deleted "activation" with "none" or a deleted
/// "stride" with 1 and load a different model; here that is a one-line error naming the file and field.
/// Optional fields (connections, weights, bias, accumulator, tanh, unsigned) may be absent or null.
/// </summary>
internal sealed class QModelSchema
{
    private enum Kind { String, Int, Long, Bool, Shape, Activation, Format, Tensor, Tanh, IntArray, Connections, Layers }

    private sealed record Field(string Name, Kind Kind, bool Required = true);

    private static readonly Field[] Root =
    [
        new("format", Kind.String), new("version", Kind.Int), new("name", Kind.String), new("sourceSha256", Kind.String),
        new("rounding", Kind.String), new("overflow", Kind.String), new("inputShape", Kind.Shape), new("input", Kind.Activation),
        new("layers", Kind.Layers),
    ];

    private static readonly Field[] Layer =
    [
        new("name", Kind.String), new("kind", Kind.String), new("inShape", Kind.Shape), new("outShape", Kind.Shape),
        new("kernel", Kind.Int), new("stride", Kind.Int), new("pad", Kind.Int), new("activation", Kind.String),
        new("output", Kind.Activation), new("connections", Kind.Connections, false), new("weights", Kind.Tensor, false),
        new("bias", Kind.Tensor, false), new("accumulator", Kind.Format, false), new("tanh", Kind.Tanh, false),
    ];

    private static readonly Field[] ShapeFields = [new("h", Kind.Int), new("w", Kind.Int), new("c", Kind.Int)];
    private static readonly Field[] ActivationFields = [new("bits", Kind.Int), new("frac", Kind.Int), new("min", Kind.Long), new("max", Kind.Long), new("unsigned", Kind.Bool, false)];
    private static readonly Field[] FormatFields = [new("bits", Kind.Int), new("frac", Kind.Int)];
    private static readonly Field[] TensorFields = [new("bits", Kind.Int), new("frac", Kind.Int), new("shape", Kind.IntArray), new("data", Kind.IntArray)];
    private static readonly Field[] TanhFields = [new("indexBits", Kind.Int), new("indexFrac", Kind.Int), new("table", Kind.IntArray)];

    private readonly string _path;

    private QModelSchema(string path) => _path = path;

    public static void Check(JsonNode? document, string path) => new QModelSchema(path).CheckObject(document, "qmodel", Root);

    private void Fail(string field, string problem) => throw LeNetHlsException.InFile(_path, $"{field}: {problem}");

    private void CheckObject(JsonNode? node, string where, Field[] fields)
    {
        if (node is null) Fail(where, "is null, expected an object");
        if (node is not JsonObject obj) { Fail(where, $"is {Describe(node)}, expected an object"); return; }
        foreach (var (key, _) in obj)
            if (!fields.Any(f => f.Name == key)) Fail(where, $"unknown field '{key}'");
        foreach (var f in fields)
        {
            string field = where == "qmodel" ? f.Name : $"{where}.{f.Name}";
            bool present = obj.TryGetPropertyValue(f.Name, out var value);
            if (!present || value is null)
            {
                if (f.Required) Fail(field, present ? "is null" : "is missing");
                continue;
            }
            CheckValue(value, field, f.Kind);
        }
    }

    private void CheckValue(JsonNode value, string field, Kind kind)
    {
        switch (kind)
        {
            case Kind.String: Expect(value, field, JsonValueKind.String, "a string"); break;
            case Kind.Bool: if (value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False)) Fail(field, $"is {Describe(value)}, expected true or false"); break;
            case Kind.Int: CheckInteger(value, field, int.MinValue, int.MaxValue); break;
            case Kind.Long: CheckInteger(value, field, long.MinValue, long.MaxValue); break;
            case Kind.Shape: CheckObject(value, field, ShapeFields); break;
            case Kind.Activation: CheckObject(value, field, ActivationFields); break;
            case Kind.Format: CheckObject(value, field, FormatFields); break;
            case Kind.Tensor: CheckObject(value, field, TensorFields); break;
            case Kind.Tanh: CheckObject(value, field, TanhFields); break;
            case Kind.IntArray:
            {
                var array = ExpectArray(value, field);
                for (int i = 0; i < array.Count; i++) CheckInteger(array[i], $"{field}[{i}]", int.MinValue, int.MaxValue);
                break;
            }
            case Kind.Connections:
            {
                var rows = ExpectArray(value, field);
                for (int i = 0; i < rows.Count; i++) CheckValue(rows[i] ?? NullEntry($"{field}[{i}]"), $"{field}[{i}]", Kind.IntArray);
                break;
            }
            case Kind.Layers:
            {
                var layers = ExpectArray(value, field);
                for (int i = 0; i < layers.Count; i++) CheckObject(layers[i], $"layers[{i}]", Layer);
                break;
            }
        }
    }

    private JsonNode NullEntry(string field)
    {
        Fail(field, "is null");
        return null!;
    }

    private JsonArray ExpectArray(JsonNode value, string field)
    {
        if (value is not JsonArray array) { Fail(field, $"is {Describe(value)}, expected an array"); return null!; }
        return array;
    }

    private void Expect(JsonNode value, string field, JsonValueKind kind, string expected)
    {
        if (value.GetValueKind() != kind) Fail(field, $"is {Describe(value)}, expected {expected}");
    }

    private void CheckInteger(JsonNode? value, string field, long min, long max)
    {
        if (value is null) { Fail(field, "is null"); return; }
        if (value.GetValueKind() != JsonValueKind.Number) { Fail(field, $"is {Describe(value)}, expected an integer"); return; }
        if (!value.AsValue().TryGetValue(out long n) || n < min || n > max)
            Fail(field, $"{Shorten(value.ToJsonString())} is not an integer in {min}..{max}");
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => $"the string {Shorten(node.ToJsonString())}",
            JsonValueKind.Number => $"the number {Shorten(node.ToJsonString())}",
            JsonValueKind.True or JsonValueKind.False => $"the boolean {node.ToJsonString()}",
            _ => "null",
        },
    };

    private static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
