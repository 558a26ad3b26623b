using LeNetHls.Core.IO;
using LeNetHls.TestSupport;

namespace LeNetHls.Cli.Tests;

/// <summary>`train` options that decide which data the float model sees.</summary>
public class TrainCliTests
{
    [Fact]
    [Trait("Category", "Integration")]
    public void Keep_last_trains_on_a_hold_out_without_reading_the_test_set()
    {
        // Only the training files exist: reading the test set would fail the run.
        string data = RepoPaths.NewTempDir("train-only");
        foreach (string file in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte" })
            File.CreateSymbolicLink(Path.Combine(data, file), Path.Combine(RepoPaths.MnistDir, file));
        string outBase = Path.Combine(data, "held-out");
        var run = CliProcess.Run(["train", "--train-images", "500", "--epochs", "1", "--keep-last", "--threads", "2",
                                  "--out", outBase, "--data", data]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.Contains("kept the last epoch (1; test set not read)", run.Stdout);
        Assert.Equal("lenet5", ModelFile.Load(outBase).Spec.Name);
        Directory.Delete(data, true);
    }
}
