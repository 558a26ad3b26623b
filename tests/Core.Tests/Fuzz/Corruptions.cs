using System.Text.Json.Nodes;
using CsCheck;

namespace LeNetHls.Core.Tests.Fuzz;

/// <summary>Generators of damaged files: byte-level damage of any file, and structural edits of a JSON document.</summary>
public static class Corruptions
{
    public enum ByteDamage { Flip, Truncate, Insert, Delete, Overwrite }

    /// <summary>One random piece of byte-level damage (a flipped bit, a cut, inserted or deleted bytes, a zeroed run).</summary>
    public static Gen<Func<byte[], byte[]>> Bytes =>
        from damage in Gen.Enum<ByteDamage>()
        from position in Gen.Double[0, 1]
        from length in Gen.Int[1, 64]
        from value in Gen.Byte
        from bit in Gen.Int[0, 7]
        select (Func<byte[], byte[]>)(original =>
        {
            var bytes = original.ToList();
            int at = Math.Min((int)(position * bytes.Count), Math.Max(0, bytes.Count - 1));
            switch (damage)
            {
                case ByteDamage.Flip: if (bytes.Count > 0) bytes[at] ^= (byte)(1 << bit); break;
                case ByteDamage.Truncate: bytes.RemoveRange(at, bytes.Count - at); break;
                case ByteDamage.Insert: bytes.InsertRange(at, Enumerable.Repeat(value, length)); break;
                case ByteDamage.Delete: bytes.RemoveRange(at, Math.Min(length, bytes.Count - at)); break;
                case ByteDamage.Overwrite: for (int i = at; i < Math.Min(bytes.Count, at + length); i++) bytes[i] = value; break;
            }
            return bytes.ToArray();
        });

    public enum JsonEdit { Remove, Null, Replace, Rename }

    private static readonly JsonNode?[] Replacements =
        [0, 1, -1, 2, 31, 33, 64, int.MaxValue, int.MinValue, long.MaxValue, "", "x", "relu", "tanh", "none", "avgpool", "maxpool",
         "conv2d", "dense", "lenet5", "../x", "a\nb", true, false];

    /// <summary>
    /// One structural edit at a random place of the document: delete a field or array entry, make it
    /// null, replace it by a value of another kind (or another enum name), or rename a field.
    /// </summary>
    public static Gen<Func<JsonNode, JsonNode>> Json =>
        from edit in Gen.Enum<JsonEdit>()
        from pick in Gen.Double[0, 1]
        from replacement in Gen.Int[0, Replacements.Length + 1]
        select (Func<JsonNode, JsonNode>)(original =>
        {
            var doc = original.DeepClone();
            var places = Places(doc).ToList();
            if (places.Count == 0) return doc;
            var (parent, key, index) = places[Math.Min((int)(pick * places.Count), places.Count - 1)];
            JsonNode? value = replacement < Replacements.Length ? Replacements[replacement]?.DeepClone()
                : replacement == Replacements.Length ? new JsonArray() : new JsonObject();
            switch (parent, edit)
            {
                case (JsonObject o, JsonEdit.Remove): o.Remove(key!); break;
                case (JsonObject o, JsonEdit.Null): o[key!] = null; break;
                case (JsonObject o, JsonEdit.Replace): o[key!] = value; break;
                case (JsonObject o, JsonEdit.Rename): { var v = o[key!]; o.Remove(key!); o[key! + "_"] = v; break; }
                case (JsonArray a, JsonEdit.Remove or JsonEdit.Rename): a.RemoveAt(index); break;
                case (JsonArray a, JsonEdit.Null): a[index] = null; break;
                case (JsonArray a, JsonEdit.Replace): a[index] = value; break;
            }
            return doc;
        });

    /// <summary>Every field and array entry, except that of long arrays only a few entries are offered.</summary>
    private static IEnumerable<(JsonNode Parent, string? Key, int Index)> Places(JsonNode node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                {
                    yield return (o, key, -1);
                    if (child is not null) foreach (var p in Places(child)) yield return p;
                }
                break;
            case JsonArray a:
                int step = Math.Max(1, a.Count / 8);
                for (int i = 0; i < a.Count; i += step)
                {
                    yield return (a, null, i);
                    if (a[i] is { } child) foreach (var p in Places(child)) yield return p;
                }
                break;
        }
    }

    /// <summary>Object fields whose value is null removed, recursively (null and absent mean the same for optional fields).</summary>
    public static JsonNode? WithoutNullFields(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                var copy = new JsonObject();
                foreach (var (k, v) in o) if (v is not null) copy[k] = WithoutNullFields(v);
                return copy;
            case JsonArray a:
                return new JsonArray(a.Select(WithoutNullFields).ToArray());
            default:
                return node?.DeepClone();
        }
    }
}
