using System.Diagnostics;

namespace LeNetHls.Cli.Tests;

/// <summary>Ctrl-C never corrupts what is on disk, and a rerun picks up where the run stopped.</summary>
[Trait("Category", "Integration")]
public class InterruptTests
{
    private static void SendCtrlC(Process p) => Process.Start("kill", ["-INT", p.Id.ToString()])!.WaitForExit();

    private static void WaitFor(Func<bool> condition, Process p, int seconds)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.False(p.HasExited, "process ended before the condition held");
            Assert.True(watch.Elapsed.TotalSeconds < seconds, "timed out waiting");
            Thread.Sleep(100);
        }
    }

    [Fact]
    public async Task Ctrl_c_during_training_keeps_a_loadable_model_and_resume_finishes_the_run()
    {
        string basePath = Path.Combine(RepoPaths.NewTempDir(), "net");
        var psi = CtrlCTests.Interruptible(["train", "--epochs", "3", "--out", basePath, "--data", RepoPaths.MnistDir]);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        WaitFor(() => File.Exists(basePath + ".ckpt"), p, 240);
        SendCtrlC(p);
        Assert.True(p.WaitForExit(120_000));
        Assert.DoesNotContain("   at ", await stderr);
        var model = ModelFile.Load(basePath);
        Assert.Equal("lenet5", model.Spec.Name);

        var resumed = CliProcess.Run(["train", "--resume", basePath + ".ckpt", "--epochs", "2", "--data", RepoPaths.MnistDir]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        ModelFile.Load(basePath);
    }

    [Fact]
    public async Task Ctrl_c_during_the_flow_keeps_finished_stages_and_a_rerun_skips_them()
    {
        string modelPath = RandomModels.Save(seed: 3);
        string outDir = RepoPaths.NewTempDir("lenet-flow");
        string[] args = ["flow", "--model", modelPath, "--images", "20", "--multipliers", "8", "--sweep", "8,4",
                         "--data", RepoPaths.MnistDir, "--out", outDir];
        // Interrupted while the sweep (the stage after quantize) runs.
        string firstErrors = await InterruptFlow(args, stdout => File.Exists(Path.Combine(outDir, ".flow", "quantize.stamp")));
        Assert.Contains("interrupted", firstErrors);

        // The rerun skips quantize and is interrupted again in a later stage: the test needs no full flow to finish.
        string rerunOutput = "";
        string rerunErrors = await InterruptFlow(args, stdout =>
        {
            rerunOutput = stdout;
            return stdout.Contains("quantize        skipped: inputs and outputs unchanged", StringComparison.Ordinal);
        });
        Assert.Contains("quantize        skipped: inputs and outputs unchanged", rerunOutput);
        Assert.DoesNotContain("sweep           skipped", rerunOutput);
        Assert.Contains("interrupted", rerunErrors);
        Assert.DoesNotContain("   at ", firstErrors + rerunErrors);
    }

    /// <summary>Starts the flow, sends Ctrl-C once <paramref name="ready"/> holds for its output so far, and returns its stderr.</summary>
    private static async Task<string> InterruptFlow(string[] args, Func<string, bool> ready)
    {
        using var p = Process.Start(CtrlCTests.Interruptible(args))!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = new System.Text.StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        string Output() { lock (stdout) return stdout.ToString(); }
        // Generous hang guards (the machine may be loaded), not a speed requirement.
        WaitFor(() => ready(Output()), p, 600);
        SendCtrlC(p);
        Assert.True(p.WaitForExit(300_000));
        Assert.Equal(130, p.ExitCode);
        return await stderr;
    }
}
