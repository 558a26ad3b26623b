using System.Text.Encodings.Web;
using System.Text.RegularExpressions;

namespace LeNetHls.Quantizer.Search;

/// <summary>The configuration a search wrote as its qmodel, after the final fine-tune, with its test accuracy.</summary>
public sealed record SearchChoice(SearchWidths Widths, HardwareCost Cost, double ValidationAccuracy, double TestAccuracy, string QModel);

/// <summary>
/// The machine-readable result of `search` (NAME-search.json): every built candidate in build order,
/// the Pareto front among them and the choice. `report accuracy --search` reads it back; <see cref="Load"/>
/// rejects a file that is not self-consistent with a one-line error naming it.
/// </summary>
/// <param name="Model">File name of the float model the search started from.</param>
/// <param name="Layers">conv/dense layer names, the order of every width list.</param>
/// <param name="Target">Validation accuracy to keep, as a fraction.</param>
/// <param name="Pareto">Candidates no cheaper candidate beats on validation accuracy, cheapest first.</param>
public sealed partial record SearchSummary(string Model, IReadOnlyList<string> Layers, double Target, int ValidationImages, int CandidateImages,
                                   IReadOnlyList<SearchCandidate> Candidates, IReadOnlyList<SearchCandidate> Pareto, SearchChoice? Chosen)
{
    public const string FormatName = "lenet-hls-search";
    public const int CurrentVersion = 1;

    public static SearchSummary From(SearchResult result, string model, IReadOnlyList<string> layers, int validationImages, int candidateImages,
                                     SearchChoice? chosen) =>
        new(model, [.. layers], result.Target, validationImages, candidateImages, [.. result.Evaluated], [.. result.Pareto], chosen);

    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(json);
        // One line per width list: a candidate then reads as a row, not as twenty lines of single digits.
        return NumberList().Replace(Encoding.UTF8.GetString(stream.ToArray()),
            m => "[" + string.Join(", ", m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries)) + "]") + "\n";
    }

    [GeneratedRegex(@"\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]")]
    private static partial Regex NumberList();

    private void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("format", FormatName);
        json.WriteNumber("version", CurrentVersion);
        json.WriteString("model", Model);
        json.WriteStartArray("layers");
        foreach (var l in Layers) json.WriteStringValue(l);
        json.WriteEndArray();
        json.WriteNumber("targetAccuracy", Target);
        json.WriteNumber("validationImages", ValidationImages);
        json.WriteNumber("candidateImages", CandidateImages);
        json.WriteString("cost", "romBits + multiplierBitProducts (docs/qat.md)");
        if (Chosen is { } c)
        {
            json.WriteStartObject("chosen");
            WriteWidths(json, c.Widths);
            WriteCost(json, c.Cost);
            json.WriteNumber("validationAccuracy", c.ValidationAccuracy);
            json.WriteNumber("testAccuracy", c.TestAccuracy);
            json.WriteString("qmodel", c.QModel);
            json.WriteEndObject();
        }
        else json.WriteNull("chosen");
        json.WriteStartArray("pareto");
        foreach (var p in Pareto) WriteCandidate(json, p, Build(p));
        json.WriteEndArray();
        json.WriteStartArray("candidates");
        for (int i = 0; i < Candidates.Count; i++) WriteCandidate(json, Candidates[i], i + 1);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>1-based position of a candidate in build order.</summary>
    public int Build(SearchCandidate c)
    {
        for (int i = 0; i < Candidates.Count; i++) if (ReferenceEquals(Candidates[i], c) || Candidates[i] == c) return i + 1;
        throw new ArgumentException("not a candidate of this search", nameof(c));
    }

    private static void WriteCandidate(Utf8JsonWriter json, SearchCandidate c, int build)
    {
        json.WriteStartObject();
        json.WriteNumber("build", build);
        WriteWidths(json, c.Widths);
        WriteCost(json, c.Cost);
        json.WriteNumber("validationCorrect", c.Correct);
        json.WriteNumber("validationImages", c.Count);
        json.WriteNumber("validationAccuracy", c.Accuracy);
        json.WriteBoolean("meetsTarget", c.MeetsTarget);
        json.WriteEndObject();
    }

    private static void WriteWidths(Utf8JsonWriter json, SearchWidths w)
    {
        json.WriteStartArray("weightBits");
        foreach (int b in w.WeightBits) json.WriteNumberValue(b);
        json.WriteEndArray();
        json.WriteStartArray("outputBits");
        foreach (int b in w.OutputBits) json.WriteNumberValue(b);
        json.WriteEndArray();
    }

    private static void WriteCost(Utf8JsonWriter json, HardwareCost cost)
    {
        json.WriteNumber("romBits", cost.RomBits);
        json.WriteNumber("weightRomBits", cost.WeightRomBits);
        json.WriteNumber("multiplierBitProducts", cost.MultiplierBitProducts);
        json.WriteNumber("cost", cost.Total);
    }

    public static SearchSummary Load(string path)
    {
        if (!File.Exists(path)) throw LeNetHlsException.InFile(path, "search result file not found");
        try { return Parse(File.ReadAllText(path), path); }
        catch (JsonException e) { throw LeNetHlsException.InFile(path, $"invalid JSON ({e.Message.Split('\n')[0]})"); }
    }

    public static SearchSummary Parse(string text, string source)
    {
        var reader = new Reader(source);
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) reader.Fail("not a search result (expected a JSON object)");
        if (reader.String(root, "format", "") != FormatName) reader.Fail($"not a search result (format must be '{FormatName}')");
        int version = reader.Int(root, "version", "");
        if (version != CurrentVersion) reader.Fail($"search result version {version} is not supported (expected {CurrentVersion})");
        string model = reader.String(root, "model", "");
        var layers = reader.Array(root, "layers", "").Select((e, i) => e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 } s
            ? s : reader.Fail<string>($"layers[{i}]: expected a layer name")).ToList();
        if (layers.Count == 0) reader.Fail("layers: the list is empty");
        double target = reader.Double(root, "targetAccuracy", "");
        if (target is <= 0 or > 1) reader.Fail(Invariant($"targetAccuracy: {target} is not a fraction in (0, 1]"));
        int validationImages = reader.Int(root, "validationImages", "");
        int candidateImages = reader.Int(root, "candidateImages", "");
        if (validationImages < 1) reader.Fail($"validationImages: {validationImages} must be at least 1");
        if (candidateImages < 0) reader.Fail($"candidateImages: {candidateImages} must not be negative");

        var candidates = reader.Array(root, "candidates", "")
            .Select((e, i) => reader.Candidate(e, $"candidates[{i}]", layers.Count, i + 1, target)).ToList();
        if (candidates.Count == 0) reader.Fail("candidates: the list is empty (a search builds at least its start)");
        var pareto = new List<SearchCandidate>();
        var paretoElements = reader.Array(root, "pareto", "");
        for (int i = 0; i < paretoElements.Count; i++)
        {
            string where = $"pareto[{i}]";
            int build = reader.Int(paretoElements[i], "build", where);
            if (build < 1 || build > candidates.Count) reader.Fail($"{where}.build: {build} is not a candidate (1..{candidates.Count})");
            var c = reader.Candidate(paretoElements[i], where, layers.Count, build, target);
            if (c != candidates[build - 1]) reader.Fail($"{where} differs from candidates[{build - 1}] it names");
            // A front is cheapest first with accuracy rising at every step; anything else was not written by search.
            if (pareto.Count > 0 && (c.Cost.Total < pareto[^1].Cost.Total || c.Correct <= pareto[^1].Correct))
                reader.Fail($"{where}: not a Pareto front (each entry must cost more and be more accurate than the one before)");
            pareto.Add(c);
        }
        if (pareto.Count == 0) reader.Fail("pareto: the list is empty");

        SearchChoice? chosen = null;
        if (root.TryGetProperty("chosen", out var ch) && ch.ValueKind != JsonValueKind.Null)
        {
            if (ch.ValueKind != JsonValueKind.Object) reader.Fail("chosen: expected an object or null");
            var widths = reader.Widths(ch, "chosen", layers.Count);
            var cost = reader.Cost(ch, "chosen");
            double validation = reader.Fraction(ch, "validationAccuracy", "chosen");
            double test = reader.Fraction(ch, "testAccuracy", "chosen");
            chosen = new SearchChoice(widths, cost, validation, test, reader.String(ch, "qmodel", "chosen"));
        }
        return new SearchSummary(model, layers, target, validationImages, candidateImages, candidates, pareto, chosen);
    }

    private static string Invariant(FormattableString s) => s.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Typed access to the JSON with "FILE: where.key: problem" errors.</summary>
    private sealed class Reader(string source)
    {
        public void Fail(string problem) => throw LeNetHlsException.InFile(source, problem);
        public T Fail<T>(string problem) => throw LeNetHlsException.InFile(source, problem);

        private JsonElement Get(JsonElement e, string key, string where)
        {
            if (e.ValueKind != JsonValueKind.Object) Fail($"{where}: expected an object");
            if (!e.TryGetProperty(key, out var v)) Fail($"{Path(where, key)}: missing");
            return v;
        }

        private static string Path(string where, string key) => where.Length == 0 ? key : $"{where}.{key}";

        public string String(JsonElement e, string key, string where)
        {
            var v = Get(e, key, where);
            return v.ValueKind == JsonValueKind.String ? v.GetString()! : Fail<string>($"{Path(where, key)}: expected a string");
        }

        public long Long(JsonElement e, string key, string where)
        {
            var v = Get(e, key, where);
            return v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n) ? n : Fail<long>($"{Path(where, key)}: expected an integer");
        }

        public int Int(JsonElement e, string key, string where)
        {
            long n = Long(e, key, where);
            return n is >= int.MinValue and <= int.MaxValue ? (int)n : Fail<int>($"{Path(where, key)}: {n} is out of range");
        }

        public double Double(JsonElement e, string key, string where)
        {
            var v = Get(e, key, where);
            return v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && double.IsFinite(d)
                ? d : Fail<double>($"{Path(where, key)}: expected a number");
        }

        public double Fraction(JsonElement e, string key, string where)
        {
            double d = Double(e, key, where);
            return d is >= 0 and <= 1 ? d : Fail<double>(Invariant($"{Path(where, key)}: {d} is not a fraction in [0, 1]"));
        }

        public List<JsonElement> Array(JsonElement e, string key, string where)
        {
            var v = Get(e, key, where);
            return v.ValueKind == JsonValueKind.Array ? [.. v.EnumerateArray()] : Fail<List<JsonElement>>($"{Path(where, key)}: expected an array");
        }

        public SearchWidths Widths(JsonElement e, string where, int layers)
        {
            int[] Bits(string key, int min)
            {
                var list = Array(e, key, where);
                if (list.Count != layers) Fail($"{Path(where, key)}: expected {layers} widths (one per layer), got {list.Count}");
                return [.. list.Select((b, i) => b.ValueKind == JsonValueKind.Number && b.TryGetInt32(out int n) && n >= min && n <= QuantizeOptions.MaxBits
                    ? n : Fail<int>($"{Path(where, key)}[{i}]: expected a width in {min}..{QuantizeOptions.MaxBits}"))];
            }
            return new SearchWidths(Bits("weightBits", QuantizeOptions.MinWeightBits), Bits("outputBits", QuantizeOptions.MinBits));
        }

        public HardwareCost Cost(JsonElement e, string where)
        {
            long rom = Long(e, "romBits", where), weightRom = Long(e, "weightRomBits", where), products = Long(e, "multiplierBitProducts", where);
            long total = Long(e, "cost", where);
            if (rom < 0 || weightRom < 0 || products < 0) Fail($"{where}: negative bit counts");
            if (weightRom > rom) Fail($"{where}: weightRomBits {weightRom} exceeds romBits {rom}");
            if (total != rom + products) Fail($"{where}.cost: {total} is not romBits + multiplierBitProducts = {rom + products}");
            return new HardwareCost(rom, weightRom, products);
        }

        public SearchCandidate Candidate(JsonElement e, string where, int layers, int build, double target)
        {
            if (e.ValueKind != JsonValueKind.Object) Fail($"{where}: expected an object");
            if (Int(e, "build", where) != build) Fail($"{where}.build: expected {build} (candidates are listed in build order)");
            var widths = Widths(e, where, layers);
            var cost = Cost(e, where);
            int correct = Int(e, "validationCorrect", where), count = Int(e, "validationImages", where);
            if (count < 1 || correct < 0 || correct > count) Fail($"{where}: {correct} correct of {count} validation images is impossible");
            double accuracy = Fraction(e, "validationAccuracy", where);
            if (Math.Abs(accuracy - (double)correct / count) > 1e-9)
                Fail(Invariant($"{where}.validationAccuracy: {accuracy} is not validationCorrect / validationImages = {(double)correct / count}"));
            var v = Get(e, "meetsTarget", where);
            if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) Fail($"{where}.meetsTarget: expected true or false");
            bool meets = v.GetBoolean();
            if (meets != (correct >= target * count)) Fail(Invariant($"{where}.meetsTarget: {(meets ? "true" : "false")} contradicts {correct}/{count} against target {target}"));
            return new SearchCandidate(widths, cost, correct, count, meets);
        }
    }
}
