using System.Text.Json.Nodes;
using LeNetHls.Quantizer.Reporting;
using LeNetHls.Quantizer.Search;

namespace LeNetHls.Quantizer.Tests.Search;

/// <summary>NAME-search.json: written by `search`, read back by `report accuracy --search`.</summary>
public class SearchSummaryTests
{
    private static SearchCandidate C(int[] weights, int[] outputs, long rom, long weightRom, long products, int correct) =>
        new(new SearchWidths(weights, outputs), new HardwareCost(rom, weightRom, products), correct, 1000, correct >= 0.95 * 1000);

    /// <summary>Five candidates of a three-layer model in build order; the second is beaten by the cheaper third.</summary>
    internal static SearchSummary Sample()
    {
        var evaluated = new List<SearchCandidate>
        {
            C([8, 8, 8], [8, 8, 8], 4000, 3800, 300, 990),
            C([8, 6, 8], [8, 8, 8], 3600, 3400, 280, 960),
            C([8, 4, 8], [8, 8, 8], 3200, 3000, 260, 975),
            C([8, 4, 8], [8, 4, 8], 3150, 3000, 200, 940),
            C([1, 4, 8], [8, 4, 8], 3100, 2950, 180, 930),
        };
        var result = new SearchResult([evaluated[0], evaluated[2]], null, evaluated, 0.95);
        var chosen = new SearchChoice(evaluated[2].Widths, new HardwareCost(3200, 3000, 260), 0.976, 0.9712, "tiny-mixed.qmodel.json");
        return SearchSummary.From(result, "tiny.modelstruct", ["conv1", "fc1", "fc2"], 1000, 500, chosen);
    }

    private static string Error(string json) =>
        Assert.Throws<LeNetHlsException>(() => SearchSummary.Parse(json, "s.json")).Message;

    private static string Mutated(Action<JsonObject> change)
    {
        var root = JsonNode.Parse(Sample().ToJson())!.AsObject();
        change(root);
        return root.ToJsonString();
    }

    [Fact]
    public void A_summary_survives_a_round_trip_through_its_file()
    {
        var summary = Sample();
        string path = Path.Combine(RepoPaths.NewTempDir("search-json"), "tiny-search.json");
        summary.Save(path);
        var back = SearchSummary.Load(path);
        Assert.Equal(summary.Candidates, back.Candidates);
        Assert.Equal(summary.Pareto, back.Pareto);
        Assert.Equal(summary.Chosen, back.Chosen);
        Assert.Equal((summary.Model, summary.Target, summary.ValidationImages, summary.CandidateImages), (back.Model, back.Target, back.ValidationImages, back.CandidateImages));
        Assert.Equal(summary.Layers, back.Layers);
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }

    [Fact]
    public void The_file_lists_the_pareto_front_by_build_number_and_every_candidate_with_its_cost_and_accuracy()
    {
        var root = JsonNode.Parse(Sample().ToJson())!;
        Assert.Equal([5, 4, 3, 1], root["pareto"]!.AsArray().Select(p => (int)p!["build"]!));
        var third = root["candidates"]![2]!;
        Assert.Equal("[8,4,8]", third["weightBits"]!.ToJsonString());
        Assert.Equal((3200L, 3000L, 260L, 3460L, 0.975), ((long)third["romBits"]!, (long)third["weightRomBits"]!,
            (long)third["multiplierBitProducts"]!, (long)third["cost"]!, (double)third["validationAccuracy"]!));
        Assert.Equal(0.9712, (double)root["chosen"]!["testAccuracy"]!);
    }

    [Fact]
    public void A_search_that_chose_nothing_writes_a_null_choice()
    {
        var s = Sample() with { Chosen = null };
        Assert.Null(SearchSummary.Parse(s.ToJson(), "s.json").Chosen);
    }

    [Fact]
    public void A_truncated_file_is_invalid_json()
    {
        string path = Path.Combine(RepoPaths.NewTempDir("search-json"), "cut-search.json");
        string json = Sample().ToJson();
        File.WriteAllText(path, json[..(json.Length / 2)]);
        Assert.StartsWith($"{path}: invalid JSON", Assert.Throws<LeNetHlsException>(() => SearchSummary.Load(path)).Message);
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        Assert.Equal("/nonexistent/x-search.json: search result file not found",
                     Assert.Throws<LeNetHlsException>(() => SearchSummary.Load("/nonexistent/x-search.json")).Message);
    }

    [Theory]
    [InlineData("format", "s.json: not a search result (format must be 'lenet-hls-search')")]
    [InlineData("cost", "s.json: candidates[1].cost: 1 is not romBits + multiplierBitProducts = 3880")]
    [InlineData("widths", "s.json: candidates[0].weightBits: expected 3 widths (one per layer), got 2")]
    [InlineData("width", "s.json: candidates[0].outputBits[2]: expected a width in 2..32")]
    [InlineData("accuracy", "s.json: candidates[0].validationAccuracy: 0.5 is not validationCorrect / validationImages = 0.99")]
    [InlineData("meets", "s.json: candidates[3].meetsTarget: true contradicts 940/1000 against target 0.95")]
    [InlineData("order", "s.json: pareto[1]: not a Pareto front (each entry must cost more and be more accurate than the one before)")]
    [InlineData("stale", "s.json: pareto[0] differs from candidates[4] it names")]
    [InlineData("missing", "s.json: targetAccuracy: missing")]
    [InlineData("version", "s.json: search result version 2 is not supported (expected 1)")]
    public void An_inconsistent_file_is_rejected_with_the_entry_and_the_problem(string damage, string message)
    {
        string json = Mutated(root =>
        {
            var candidates = root["candidates"]!.AsArray();
            var pareto = root["pareto"]!.AsArray();
            switch (damage)
            {
                case "format": root["format"] = "lenet-hls-qmodel"; break;
                case "cost": candidates[1]!["cost"] = 1; break;
                case "widths": candidates[0]!["weightBits"] = new JsonArray(8, 8); break;
                case "width": candidates[0]!["outputBits"]![2] = 0; break;
                case "accuracy": candidates[0]!["validationAccuracy"] = 0.5; break;
                case "meets": candidates[3]!["meetsTarget"] = true; break;
                case "order": (pareto[0], pareto[1]) = (pareto[1]!.DeepClone(), pareto[0]!.DeepClone()); break;
                case "stale": pareto[0]!["romBits"] = 3101; pareto[0]!["cost"] = 3281; break;
                case "missing": root.Remove("targetAccuracy"); break;
                case "version": root["version"] = 2; break;
            }
        });
        Assert.Equal(message, Error(json));
    }
}
