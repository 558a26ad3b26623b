using LeNetHls.Cli.Commands;

namespace LeNetHls.Cli.Tests;

/// <summary>QCONFIG of `train --qat`: the override-file format, bits only, conv/dense layers only.</summary>
public class QatConfigTests
{
    private static readonly ModelSpec LeNet5 = Presets.LeNet5();

    private static Trainer.Qat.QatWidths Parse(string json, int weightBits = 4, int actBits = 4, int scoreBits = 8) =>
        QatConfig.Parse(json, "cfg.json", LeNet5, weightBits, actBits, scoreBits);

    private static string Error(string json) => Assert.Throws<LeNetHlsException>(() => Parse(json)).Message;

    [Fact]
    public void Named_layers_take_their_widths_and_the_others_the_defaults()
    {
        var widths = Parse("""{"conv1": {"weights": {"bits": 6}, "output": {"bits": 5}}, "fc1": {"weights": {"bits": 2}}, "fc3": {"output": {"bits": 7}}}""",
                           weightBits: 3, actBits: 4, scoreBits: 8);
        Assert.Equal([6, 3, 2, 3, 3], widths.WeightBits);
        // The last layer's output is the score vector.
        Assert.Equal([5, 4, 4, 4, 7], widths.OutputBits);
    }

    [Fact]
    public void An_empty_config_is_the_uniform_configuration()
    {
        var widths = Parse("{}", weightBits: 2, actBits: 3, scoreBits: 6);
        Assert.Equal(Trainer.Qat.QatWidths.Uniform(LeNet5, 2, 3, 6), widths);
    }

    [Fact]
    public void An_unknown_layer_is_named_with_the_layers_qat_sets()
    {
        Assert.Equal("cfg.json: layer 'conv9' does not exist in model 'lenet5' (QAT layers: conv1, conv2, fc1, fc2, fc3)",
                     Error("""{"conv9": {"weights": {"bits": 4}}}"""));
    }

    [Theory]
    [InlineData("pool1", "layer 'pool1' is a maxpool and keeps its input's format; set the layer before it")]
    [InlineData("relu1", "layer 'relu1' is fused into 'conv1'; set that layer")]
    public void Layers_without_widths_of_their_own_point_to_the_layer_that_has_them(string layer, string problem)
    {
        Assert.Equal($"cfg.json: {problem}", Error("{\"" + layer + "\": {\"output\": {\"bits\": 4}}}"));
    }

    [Theory]
    [InlineData("""{"conv2": {"weights": {"bits": 4, "frac": 6}}}""", "layer 'conv2' weights: 'frac' is not allowed")]
    [InlineData("""{"fc1": {"output": {"frac": 2}}}""", "layer 'fc1' output: 'frac' is not allowed")]
    public void Frac_is_rejected_because_qat_calibrates_the_scales(string json, string problem)
    {
        string message = Error(json);
        Assert.StartsWith($"cfg.json: {problem}", message);
        Assert.Contains("QAT calibrates every scale itself", message);
    }

    [Theory]
    [InlineData("""{"fc2": {"weights": {"bits": 9}}}""", "layer 'fc2' weights.bits: width 9 is outside the QAT range {weights}")]
    [InlineData("""{"conv1": {"output": {"bits": 12}}}""", "layer 'conv1' output.bits: width 12 is outside the QAT range 2..8")]
    [InlineData("""{"fc3": {"output": {"bits": 16}}}""", "layer 'fc3' output (the scores).bits: width 16 is outside the QAT range 2..8")]
    [InlineData("""{"conv1": {"output": {"bits": 1}}}""", "layer 'conv1' output.bits: width 1 is outside 2..32")]
    [InlineData("""{"conv1": {"weights": {"bits": "4"}}}""", "layer 'conv1' weights.bits: expected an integer")]
    public void Widths_outside_what_qat_can_train_are_rejected(string json, string problem)
    {
        string weights = $"{Trainer.Qat.QatWidths.MinWeightBits}..{Trainer.Qat.QatWidths.MaxBits}";
        Assert.Equal($"cfg.json: {problem.Replace("{weights}", weights)}", Error(json));
    }

    [Fact]
    public void Broken_json_is_named()
    {
        Assert.StartsWith("cfg.json: invalid JSON", Error("""{"conv1": {"weights": """));
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        string path = Path.Combine(RepoPaths.NewTempDir(), "none.json");
        Assert.Equal($"{path}: QAT config file not found",
                     Assert.Throws<LeNetHlsException>(() => QatConfig.Load(path, LeNet5, 4, 4, 8)).Message);
    }
}
