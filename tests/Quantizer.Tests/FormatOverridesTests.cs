namespace LeNetHls.Quantizer.Tests;

/// <summary>The per-layer override file of docs/qmodel.md: applied when valid, a one-line error naming the file otherwise.</summary>
public class FormatOverridesTests
{
    private const string File = "overrides.json";

    private static QModel QuantizeWith(string json)
    {
        var model = TinyFloatModels.ReluModel();
        var statistics = ActivationStatistics.Collect(model, TinyFloatModels.Images(), 4);
        var options = ModelQuantizerTests.ByMaximum with { Overrides = FormatOverrides.Parse(json, File) };
        return ModelQuantizer.Quantize(model, statistics, options, "tiny", "tiny.modelstruct");
    }

    [Fact]
    public void Overridden_widths_and_fracs_replace_the_chosen_ones()
    {
        var q = QuantizeWith("""{"fc1": {"weights": {"bits": 6}, "output": {"bits": 10, "frac": 5}}}""");
        var fc1 = q.Layers[2];
        Assert.Equal(new QFormat(6, 5), fc1.Weights!.Format);   // 0.75 · 2^5 = 24 ≤ 31: F is still chosen for the new width
        Assert.Equal(new QActivation(10, 5, -512, 511), fc1.Output);
        Assert.Equal(new QActivation(8, 6, 0, 127), q.Layers[0].Output);
    }

    [Fact]
    public void An_overridden_output_flows_through_the_following_maxpool()
    {
        var q = QuantizeWith("""{"conv1": {"output": {"frac": 3}}}""");
        Assert.Equal(new QActivation(8, 3, 0, 127), q.Layers[1].Output);
        Assert.Equal(7 + 3, q.Layers[2].Accumulator!.Frac);
    }

    [Theory]
    [InlineData("""{"conv9": {"output": {"bits": 8}}}""", "layer 'conv9' does not exist in model 'tiny' (layers: conv1, pool1, fc1)")]
    [InlineData("""{"relu1": {"output": {"bits": 8}}}""", "'relu1' is fused into 'conv1'")]
    [InlineData("""{"pool1": {"weights": {"bits": 8}}}""", "layer 'pool1' is a maxpool and has no weights")]
    [InlineData("""{"pool1": {"output": {"bits": 8}}}""", "a maxpool keeps its input format")]
    // fc1's accumulator has F = 13 and 15 bits: an output F of 64 needs a 51-bit left shift (> 62 bits in all).
    [InlineData("""{"fc1": {"output": {"frac": 64}}}""", "layer 'fc1': output frac 64 needs a left shift of 51 bits")]
    [InlineData("""{"fc1": {"weights": {"bits": 0}}}""", "width 0 is outside 1..32")]
    [InlineData("""{"fc1": {"output": {"bits": 1}}}""", "width 1 is outside 2..32")]
    [InlineData("""{"fc1": {"output": {"bits": 33}}}""", "width 33 is outside 2..32")]
    [InlineData("""{"fc1": {"output": {"bits": 8.5}}}""", "expected an integer")]
    [InlineData("""{"fc1": {"output": {"width": 8}}}""", "unknown key 'width'")]
    [InlineData("""{"fc1": {"bias": {"bits": 8}}}""", "unknown key 'bias'")]
    [InlineData("""{"fc1": {"output": {}}}""", "set 'bits' and/or 'frac'")]
    [InlineData("""[1, 2]""", "must be a JSON object")]
    public void A_malformed_override_or_one_the_model_cannot_take_is_rejected_on_one_line_naming_the_file(string json, string problem)
    {
        string message = Assert.Throws<LeNetHlsException>(() => QuantizeWith(json)).Message;
        Assert.StartsWith(File + ": ", message);
        Assert.Contains(problem, message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void A_missing_override_file_is_reported()
    {
        var e = Assert.Throws<LeNetHlsException>(() => FormatOverrides.Load("/nonexistent/overrides.json"));
        Assert.Equal("/nonexistent/overrides.json: override file not found", e.Message);
    }

    [Fact]
    public void Invalid_json_is_reported_on_one_line()
    {
        string dir = LeNetHls.TestSupport.RepoPaths.NewTempDir("quant");
        string path = Path.Combine(dir, "bad.json");
        System.IO.File.WriteAllText(path, "{\"fc1\": ");
        var e = Assert.Throws<LeNetHlsException>(() => FormatOverrides.Load(path));
        Assert.StartsWith($"{path}: invalid JSON", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Directory.Delete(dir, true);
    }
}
