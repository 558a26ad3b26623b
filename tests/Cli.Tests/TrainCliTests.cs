using System.Text.RegularExpressions;

namespace LeNetHls.Cli.Tests;

/// <summary>`train` and `qat` choose on the validation split and read the test set once, to report.</summary>
public class TrainCliTests
{
    [Fact]
    [Trait("Category", "Integration")]
    public void Train_logs_validation_accuracy_per_epoch_and_the_test_accuracy_once_at_the_end()
    {
        string dir = RepoPaths.NewTempDir("train-val");
        string outBase = Path.Combine(dir, "m");
        var run = CliProcess.Run(["train", "--train-images", "1500", "--val-images", "500", "--epochs", "2", "--threads", "2",
                                  "--out", outBase, "--data", RepoPaths.MnistDir]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.Contains("validation on the last 500 training images", run.Stdout);
        var epochs = run.Stdout.Split('\n').Where(l => l.StartsWith("epoch ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, epochs.Count);
        Assert.All(epochs, l => { Assert.Contains("validation", l); Assert.DoesNotContain("test", l); });
        Assert.Single(Regex.Matches(run.Stdout, @"test accuracy \(read once, after training\): [\d.]+ % \(\d+/10000\)"));
        Assert.Equal("best validation accuracy", ModelFile.ReadTraining(outBase)["selection"]);
        Directory.Delete(dir, true);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void A_validation_split_as_large_as_the_training_images_is_a_clean_error()
    {
        CliProcess.Run(["train", "--train-images", "500", "--epochs", "1", "--out", Path.Combine(RepoPaths.NewTempDir(), "m"), "--data", RepoPaths.MnistDir])
            .AssertCleanError("--val-images 5000 leaves no training images (there are 500)");
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void Qat_prints_the_validation_accuracy_before_the_single_test_figure()
    {
        string dir = RepoPaths.NewTempDir("qat-val");
        string model = Path.Combine(dir, "lenet5");
        ModelFile.Save(FloatModel.CreateRandom(Presets.LeNet5(), 1), model);
        // No epoch: calibration alone, so the run is short; the protocol lines are the same.
        var run = CliProcess.Run(["qat", model, "--bits", "4", "--epochs", "0", "--threads", "2", "--out", dir, "--data", RepoPaths.MnistDir]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        int validation = run.Stdout.IndexOf("on the validation split (last 5000 training images)", StringComparison.Ordinal);
        int test = run.Stdout.IndexOf("% on the test set, read once after training", StringComparison.Ordinal);
        Assert.True(validation >= 0 && test > validation, run.Stdout);
        Assert.Single(Regex.Matches(run.Stdout, "on the test set"));
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("qat")]
    public void Help_text_describes_validation_and_never_selection_by_test_accuracy(string command)
    {
        var run = CliProcess.Run([command, "--help"]);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--val-images", run.Stdout);
        Assert.DoesNotContain("by test accuracy", run.Stdout);
        Assert.DoesNotContain("best test", run.Stdout);
    }
}
