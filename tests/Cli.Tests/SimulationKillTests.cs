using System.Diagnostics;
using LeNetHls.Core.Model;
using LeNetHls.TestSupport;
using Xunit.Abstractions;

namespace LeNetHls.Cli.Tests;

/// <summary>
/// csim and cosim killed (SIGKILL) at moments spread over a run leave their folders (tb_data, cosim) as
/// the previous run left them or as the new run writes them, never a mix, and the next run cleans up.
/// </summary>
[Trait("Category", "Integration")]
public class SimulationKillTests(ITestOutputHelper output)
{
    private const int Moments = 8;

    /// <summary>The folders a simulation rewrites; the result files carry run times, so they are checked apart.</summary>
    private static readonly string[] Folders = ["tb_data", "cosim"];

    [Theory]
    [InlineData("csim")]
    [InlineData("cosim")]
    public void A_simulation_killed_at_any_moment_leaves_its_folders_old_or_new(string command)
    {
        string work = RepoPaths.NewTempDir("lenet-kill-sim");
        string gen = Path.Combine(work, "gen");
        string q = AtomicOutputTests.SaveQModel(SyntheticQModel.Create(Presets.LeNet5(), seed: 1));
        Assert.Equal(0, CliProcess.Run(["codegen", q, "--out", gen, "--multipliers", "5"]).ExitCode);
        string[] Run(int images) => [command, gen, "--images", images.ToString(), "--data", RepoPaths.MnistDir];

        // The previous result: both simulations on 3 images (the Verilator build is made here and reused after).
        foreach (var sim in new[] { "csim", "cosim" })
        {
            var run = CliProcess.Run([sim, gen, "--images", "3", "--data", RepoPaths.MnistDir], timeoutSeconds: 1800);
            Assert.True(run.ExitCode == 0, run.Stderr);
        }
        string oldCopy = Path.Combine(RepoPaths.NewTempDir(), "gen");
        AtomicOutputTests.CopyFolder(gen, oldCopy);
        var old = Folders.ToDictionary(f => f, f => AtomicOutputTests.Snapshot(Path.Combine(gen, f)));
        string oldResult = File.ReadAllText(Path.Combine(gen, $"{command}_result.json"));

        var clock = Stopwatch.StartNew();
        var full = CliProcess.Run(Run(6), timeoutSeconds: 1800);
        Assert.True(full.ExitCode == 0, full.Stderr);
        double seconds = clock.Elapsed.TotalSeconds;
        var fresh = Folders.ToDictionary(f => f, f => AtomicOutputTests.Snapshot(Path.Combine(gen, f)));
        Assert.NotEqual(old["tb_data"], fresh["tb_data"]);

        var states = new List<string>();
        for (int k = 0; k < Moments; k++)
        {
            Restore(oldCopy, gen);
            using var p = Process.Start(CliProcess.StartInfo(Run(6)))!;
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            double at = seconds * (k + 0.5) / Moments * 1.1;
            Thread.Sleep(TimeSpan.FromSeconds(at));
            p.Kill(entireProcessTree: true);
            Assert.True(p.WaitForExit(60_000)); // hang guard only
            var state = new List<string>();
            foreach (var folder in Folders)
            {
                var now = AtomicOutputTests.Snapshot(Path.Combine(gen, folder));
                bool isOld = now.SequenceEqual(old[folder]), isNew = now.SequenceEqual(fresh[folder]);
                Assert.True(isOld || isNew, $"kill {k} at {at:F2} s: {folder} is neither the old nor the new version: {string.Join(", ", now.Keys)}");
                state.Add($"{folder} {(isOld ? "old" : "new")}");
            }
            // The result is the old one, none (removed at the start of the run) or a complete new one.
            string result = Path.Combine(gen, $"{command}_result.json");
            if (File.Exists(result) && File.ReadAllText(result) != oldResult)
                Assert.Contains("\"mismatches\": 0", File.ReadAllText(result));
            states.Add($"{at:F2} s: {string.Join(", ", state)}");
        }
        output.WriteLine($"{command}: full run {seconds:F1} s; kills at " + string.Join("; ", states));

        // The next run cleans what the killed ones left beside the folders and finishes.
        var last = CliProcess.Run(Run(6), timeoutSeconds: 1800);
        Assert.True(last.ExitCode == 0, last.Stderr);
        foreach (var folder in Folders) Assert.Equal(fresh[folder], AtomicOutputTests.Snapshot(Path.Combine(gen, folder)));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(gen), e => Path.GetFileName(e).StartsWith('.'));
        // g++ writes through a temporary name: a killed compile's one is gone too.
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(gen, "csim_build")), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    /// <summary>Puts the previous results back; hidden leftovers of the killed run stay, for the next run to clean.</summary>
    private static void Restore(string oldCopy, string gen)
    {
        foreach (var folder in Folders)
        {
            string target = Path.Combine(gen, folder);
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            AtomicOutputTests.CopyFolder(Path.Combine(oldCopy, folder), target);
        }
        foreach (var result in new[] { "csim_result.json", "cosim_result.json" })
            File.Copy(Path.Combine(oldCopy, result), Path.Combine(gen, result), overwrite: true);
    }
}
