namespace LeNetHls.Cli.Tests;

/// <summary>Paths with spaces, quotes and non-ASCII characters work in every command, external tools included.</summary>
[Trait("Category", "Integration")]
public class AwkwardPathTests
{
    private static string AwkwardDir()
    {
        string dir = Path.Combine(RepoPaths.NewTempDir(), "my \"odd\" dir 'ü ß 数字' $HOME");
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public void Quantize_codegen_csim_and_cosim_work_in_an_awkward_folder()
    {
        string dir = AwkwardDir();
        string model = Path.Combine(dir, "lenet5");
        ModelFile.Save(FloatModel.CreateRandom(Presets.LeNet5(), 3), model);
        var quantize = CliProcess.Run(["quantize", model, "--name", "q", "--calib-images", "100", "--test-images", "100", "--data", RepoPaths.MnistDir, "--out", dir]);
        Assert.True(quantize.ExitCode == 0, quantize.Stderr);
        string gen = Path.Combine(dir, "gen ü");
        var codegen = CliProcess.Run(["codegen", Path.Combine(dir, "q.qmodel.json"), "--out", gen, "--multipliers", "16"]);
        Assert.True(codegen.ExitCode == 0, codegen.Stderr);
        foreach (var command in new[] { "csim", "cosim" })
        {
            var run = CliProcess.Run([command, gen, "--images", "5", "--data", RepoPaths.MnistDir], timeoutSeconds: 1800);
            Assert.True(run.ExitCode == 0, $"{command}: {run.Stderr}");
        }
    }

    [Fact]
    public void Training_and_eval_read_and_write_an_awkward_folder()
    {
        string model = Path.Combine(AwkwardDir(), "net");
        var train = CliProcess.Run(["train", "--epochs", "1", "--train-images", "300", "--val-images", "100", "--out", model, "--data", RepoPaths.MnistDir], timeoutSeconds: 1800);
        Assert.True(train.ExitCode == 0, train.Stderr);
        var eval = CliProcess.Run(["eval", model, "--data", RepoPaths.MnistDir]);
        Assert.True(eval.ExitCode == 0, eval.Stderr);
    }
}
