using System.Diagnostics;

namespace LeNetHls.Cli.Tests;

/// <summary>
/// SIGINT stops each long command, run as a child process: exit 130, the previous result intact, and
/// no g++, make, Verilator or yosys process left running. The 2-second stop is measured in
/// bench/fuzz/run.sh, not asserted here; the timeouts below are generous hang guards.
/// </summary>
[Trait("Category", "Integration")]
public class CtrlCTests
{
    private const int HangGuardMs = 60_000;


    private static string Name(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); } catch (IOException) { return ""; }
    }

    private static bool Alive(int pid)
    {
        try { return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z "); }
        catch (IOException) { return false; }
    }

    /// <summary>
    /// The command as a terminal would start it. A test runner started in the background has SIGINT
    /// ignored, and an ignored signal is inherited, so `env --default-signal=INT` restores it.
    /// </summary>
    public static ProcessStartInfo Interruptible(IEnumerable<string> args)
    {
        var psi = CliProcess.StartInfo(args);
        psi.ArgumentList.Insert(0, psi.FileName);
        psi.ArgumentList.Insert(0, "--default-signal=INT");
        psi.FileName = "env";
        return psi;
    }

    /// <summary>Starts the command, waits until <paramref name="ready"/> (or a child named one of <paramref name="tools"/>), sends SIGINT.</summary>
    private static (int Exit, string Stderr, int[] Children) Interrupt(string[] args, string[] tools, Func<bool>? ready = null, int readySeconds = 600)
    {
        using var p = Process.Start(Interruptible(args))!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        var watch = Stopwatch.StartNew();
        int[] children = [];
        while (true)
        {
            if (p.HasExited) Assert.Fail($"lenet-hls {args[0]} ended (exit {p.ExitCode}) before it could be interrupted: {stderr.Result}");
            Assert.True(watch.Elapsed.TotalSeconds < readySeconds, "hang guard: the command never reached the moment to interrupt");
            children = [.. ProcessTree.Descendants(p.Id)];
            if (tools.Length > 0 ? children.Any(c => tools.Contains(Name(c))) : ready!()) break;
            Thread.Sleep(50);
        }
        Process.Start("kill", ["-INT", p.Id.ToString()])!.WaitForExit();
        Assert.True(p.WaitForExit(HangGuardMs));
        return (p.ExitCode, stderr.Result, children);
    }

    private static string Generated()
    {
        string q = AtomicOutputTests.SaveQModel(SyntheticQModel.Create(Presets.LeNet5()));
        string gen = Path.Combine(RepoPaths.NewTempDir(), "gen");
        Assert.Equal(0, CliProcess.Run(["codegen", q, "--out", gen, "--multipliers", "16"]).ExitCode);
        return gen;
    }

    private static void AssertStoppedCleanly((int Exit, string Stderr, int[] Children) r)
    {
        Assert.Equal(130, r.Exit);
        Assert.DoesNotContain("   at ", r.Stderr);
        Thread.Sleep(200);
        var stray = r.Children.Where(Alive).Select(c => $"{c} {Name(c)}").ToList();
        Assert.True(stray.Count == 0, "still running: " + string.Join(", ", stray));
    }

    [Fact]
    public void Ctrl_c_during_csim_kills_gpp_and_exits_130()
    {
        string gen = Generated();
        AssertStoppedCleanly(Interrupt(["csim", gen, "--images", "50", "--data", RepoPaths.MnistDir], ["cc1plus", "g++"]));
    }

    [Fact]
    public void Ctrl_c_during_cosim_kills_verilator_and_exits_130()
    {
        string gen = Generated();
        AssertStoppedCleanly(Interrupt(["cosim", gen, "--images", "20", "--data", RepoPaths.MnistDir], ["verilator", "verilator_bin", "make", "g++", "cc1plus"]));
    }

    [Fact]
    public void Ctrl_c_during_synth_estimate_kills_yosys_and_exits_130()
    {
        string gen = Generated();
        AssertStoppedCleanly(Interrupt(["synth-estimate", gen], ["yosys"]));
    }

    [Fact]
    public void Ctrl_c_during_quantize_exits_130_and_keeps_the_previous_qmodel()
    {
        string model = RandomModels.Save(seed: 4);
        string outDir = RepoPaths.NewTempDir();
        string qmodel = Path.Combine(outDir, "q.qmodel.json");
        File.WriteAllText(qmodel, "previous");
        var started = Stopwatch.StartNew();
        var r = Interrupt(["quantize", model, "--name", "q", "--data", RepoPaths.MnistDir, "--out", outDir], [],
                          () => started.Elapsed.TotalSeconds > 1.5);
        AssertStoppedCleanly(r);
        Assert.Equal("previous", File.ReadAllText(qmodel));
    }

    [Fact]
    public void Ctrl_c_during_codegen_exits_130_and_keeps_the_previous_project()
    {
        string gen = Generated();
        var before = AtomicOutputTests.Snapshot(gen);
        string other = AtomicOutputTests.SaveQModel(SyntheticQModel.Create(Presets.LeNet5Classic()));
        var started = Stopwatch.StartNew();
        var r = Interrupt(["codegen", other, "--out", gen, "--multipliers", "16"], [], () => started.Elapsed.TotalSeconds > 0.3);
        if (r.Exit == 0) return; // codegen finished before the signal arrived: nothing to interrupt on this machine
        AssertStoppedCleanly(r);
        Assert.Equal(before, AtomicOutputTests.Snapshot(gen));
    }

    [Fact]
    public void Ctrl_c_during_the_sweep_exits_130()
    {
        string model = RandomModels.Save(seed: 4);
        var started = Stopwatch.StartNew();
        AssertStoppedCleanly(Interrupt(["report", "accuracy", model, "--sweep", "8,6,4", "--data", RepoPaths.MnistDir, "--out", RepoPaths.NewTempDir()], [],
                                       () => started.Elapsed.TotalSeconds > 2));
    }

    private static string RandomModel() => RandomModels.Save(seed: 4);

    [Fact]
    public void Ctrl_c_during_qat_exits_130_and_writes_nothing()
    {
        string outDir = RepoPaths.NewTempDir();
        var started = Stopwatch.StartNew();
        AssertStoppedCleanly(Interrupt(["qat", RandomModel(), "--bits", "4", "--epochs", "1", "--data", RepoPaths.MnistDir, "--out", outDir], [],
                                       () => started.Elapsed.TotalSeconds > 3));
        Assert.DoesNotContain(Directory.EnumerateFiles(outDir), f => !Path.GetFileName(f).StartsWith('.'));
    }

    [Fact]
    public void Ctrl_c_during_search_exits_130_and_writes_nothing()
    {
        string outDir = RepoPaths.NewTempDir();
        var started = Stopwatch.StartNew();
        AssertStoppedCleanly(Interrupt(["search", RandomModel(), "--target-accuracy", "50", "--data", RepoPaths.MnistDir, "--out", outDir], [],
                                       () => started.Elapsed.TotalSeconds > 3));
        Assert.DoesNotContain(Directory.EnumerateFiles(outDir), f => !Path.GetFileName(f).StartsWith('.'));
    }

    [Fact]
    public void Ctrl_c_during_regress_exits_130_and_leaves_no_stage_running()
    {
        string models = RepoPaths.NewTempDir();
        RandomModels.Save("lenet5", seed: 4, dir: models);
        RandomModels.Save("lenet5-classic", seed: 4, dir: models);
        AssertStoppedCleanly(Interrupt(["regress", "--models", models, "--images", "5", "--jobs", "1", "--data", RepoPaths.MnistDir,
                                        "--out", RepoPaths.NewTempDir()], ["dotnet", "lenet-hls"]));
    }
}
