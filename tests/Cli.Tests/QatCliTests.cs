using System.Globalization;
using System.Text.RegularExpressions;
using LeNetHls.Quantizer;

namespace LeNetHls.Cli.Tests;

/// <summary>`train --qat/--bits` (QAT from scratch) and `report accuracy --qat/--search`, through the real executable.</summary>
public class QatCliTests
{
    private static string RandomModel() => RandomModels.Save();

    [Fact]
    public void A_qat_config_with_frac_is_rejected_naming_the_file_before_any_data_is_read()
    {
        string config = Path.Combine(RepoPaths.NewTempDir(), "w4.json");
        File.WriteAllText(config, """{"conv1": {"weights": {"bits": 4, "frac": 9}}}""");
        CliProcess.Run(["train", "--qat", config, "--data", "/nonexistent"])
            .AssertCleanError($"{config}: layer 'conv1' weights: 'frac' is not allowed");
    }

    [Theory]
    [InlineData(new[] { "--bits", "9" }, "--bits: width 9 is outside the QAT range 2..8")]
    [InlineData(new[] { "--weight-bits", "4" }, "give --bits, both --weight-bits and --act-bits, or --qat QCONFIG")]
    [InlineData(new[] { "--bits", "4", "--optimizer", "sgd" }, "--optimizer: QAT training uses adam")]
    [InlineData(new[] { "--bits", "4", "--resume", "x.ckpt" }, "--resume: QAT training (--qat/--bits) keeps no checkpoint")]
    [InlineData(new[] { "--rounding", "trn" }, "--score-bits, --rounding, --refine-scales and --unsigned-relu apply to QAT training")]
    [InlineData(new[] { "--unsigned-relu" }, "apply to QAT training: add --qat QCONFIG or --bits N")]
    public void Qat_options_that_cannot_train_fail_with_one_line(string[] options, string problem)
    {
        CliProcess.Run(["train", .. options, "--data", "/nonexistent"]).AssertCleanError(problem);
    }

    [Fact]
    public void Report_accuracy_rejects_a_corrupt_search_file_naming_it()
    {
        string search = Path.Combine(RepoPaths.NewTempDir(), "lenet5-mixed-search.json");
        File.WriteAllText(search, """{"format": "lenet-hls-search", "version": 1, "model": "m", "layers": ["conv1"]""");
        CliProcess.Run(["report", "accuracy", RandomModel(), "--search", search, "--data", "/nonexistent"])
            .AssertCleanError($"{search}: invalid JSON");
    }

    [Fact]
    public void Report_accuracy_rejects_a_qat_model_of_another_architecture_naming_it()
    {
        string qpath = Path.Combine(RepoPaths.NewTempDir(), "classic.qmodel.json");
        QModelFile.Save(SyntheticQModel.Create(Presets.LeNet5Classic(), weightBits: 4, actBits: 4), qpath);
        CliProcess.Run(["report", "accuracy", RandomModel(), "--qat", qpath, "--data", "/nonexistent"])
            .AssertCleanError($"{qpath}: does not match model 'lenet5'");
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void Train_bits_from_scratch_prints_the_golden_accuracy_of_the_qmodel_it_wrote()
    {
        string dir = RepoPaths.NewTempDir("train-qat");
        string outBase = Path.Combine(dir, "scratch-w4a4");
        var run = CliProcess.Run(["train", "--bits", "4", "--epochs", "2", "--train-images", "3000", "--val-images", "1000", "--threads", "2",
                                  "--out", outBase, "--data", RepoPaths.MnistDir]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var printed = Regex.Match(run.Stdout, @"scratch-w4a4: golden model (\d+)/10000 = [\d.]+ % on the test set");
        Assert.True(printed.Success, run.Stdout);
        Assert.Contains("disagree on 0 images", run.Stdout);

        var q = QModelFile.Load(outBase + ".qmodel.json");
        Assert.All(q.Layers.Where(l => l.HasWeights), l => Assert.Equal(4, l.Weights!.Bits));
        var test = MnistFiles.Test;
        Assert.Equal(int.Parse(printed.Groups[1].Value, CultureInfo.InvariantCulture), GoldenEvaluation.Run(q, test).Correct(test.Labels));
        // The latent float weights are a normal float model, the start of a later `qat` fine-tune.
        Assert.Equal("lenet5", ModelFile.Load(outBase).Spec.Name);
        Directory.Delete(dir, true);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void Report_accuracy_puts_a_qat_model_beside_the_sweep_and_charts_a_search()
    {
        string dir = RepoPaths.NewTempDir("report-qat");
        string qpath = Path.Combine(dir, "lenet5-synthetic-w4a4.qmodel.json");
        QModelFile.Save(SyntheticQModel.Create(Presets.LeNet5(), weightBits: 4, actBits: 4), qpath);
        string search = Path.Combine(dir, "tiny-search.json");
        File.WriteAllText(search, SearchJson);
        // report accuracy replaces its whole output folder, so it gets one of its own.
        string report = Path.Combine(dir, "report");
        var run = CliProcess.Run(["report", "accuracy", RandomModel(), "--sweep", "8,4", "--qat", qpath, "--search", search,
                                  "--test-images", "300", "--calib-images", "100", "--out", report, "--data", RepoPaths.MnistDir]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        string md = File.ReadAllText(Path.Combine(report, "accuracy.md"));
        Assert.Contains("| `lenet5-synthetic-w4a4` | W4A4, scores 4 |", md);
        Assert.Contains("## Mixed-precision search: the Pareto front", md);
        Assert.Contains(File.ReadAllLines(Path.Combine(report, "accuracy.csv")), l => l.StartsWith("qat,4,4,4,300,", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(report, "accuracy-pareto.svg")));
        Directory.Delete(dir, true);
    }

    /// <summary>A one-candidate search of lenet5's five conv/dense layers.</summary>
    private const string SearchJson = """
        {"format": "lenet-hls-search", "version": 1, "model": "lenet5.modelstruct",
         "layers": ["conv1", "conv2", "fc1", "fc2", "fc3"], "targetAccuracy": 0.9, "validationImages": 100, "candidateImages": 0,
         "chosen": null,
         "pareto": [{"build": 1, "weightBits": [8, 8, 8, 8, 8], "outputBits": [8, 8, 8, 8, 8], "romBits": 500, "weightRomBits": 400,
                     "multiplierBitProducts": 50, "cost": 550, "validationCorrect": 95, "validationImages": 100, "validationAccuracy": 0.95, "meetsTarget": true}],
         "candidates": [{"build": 1, "weightBits": [8, 8, 8, 8, 8], "outputBits": [8, 8, 8, 8, 8], "romBits": 500, "weightRomBits": 400,
                         "multiplierBitProducts": 50, "cost": 550, "validationCorrect": 95, "validationImages": 100, "validationAccuracy": 0.95, "meetsTarget": true}]}
        """;
}
