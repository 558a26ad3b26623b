using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using LeNetHls.Core.IO;
using LeNetHls.Core.Model;
using LeNetHls.TestSupport;
using Xunit.Abstractions;

namespace LeNetHls.Cli.Tests;

/// <summary>
/// `flow` killed (SIGKILL, whole process tree) at every stage boundary and inside its stages leaves each
/// stage's output byte-identical to the previous flow's or to the new one (or absent while the stage is
/// not done), never a mix and never a half-written file; each next run cleans what the killed one left,
/// skips exactly the stages already done and finishes.
/// </summary>
[Trait("Category", "Integration")]
public partial class FlowKillTests(ITestOutputHelper output)
{
    private const string QModelName = "lenet5-w6a6";
    private const int Steps = 8; // data, quantize, sweep, codegen, csim, cosim, synth-estimate, report
    private static readonly string[] Stages = ["data", "quantize", "sweep", "codegen", "csim", "cosim", "synth-estimate", "report"];

    /// <summary>
    /// Outputs that are replaced in one step each (one file, or one folder swap): after any kill each is
    /// wholly the old version, wholly the new one, or absent.
    /// </summary>
    private static readonly (string Name, string[] Prefixes)[] AtomicUnits =
    [
        ("quantize", [$"quant/{QModelName}.qmodel.json"]),
        ("sweep", ["accuracy/"]),
        ("codegen", ["gen/hls/", "gen/rtl/", "gen/qmodel.json"]),
        ("csim result", ["gen/csim_result.json"]),
        ("cosim folder", ["gen/cosim/"]),
        ("cosim result", ["gen/cosim_result.json"]),
        ("synth-estimate", ["gen/synth/resources.json"]),
    ];

    /// <summary>
    /// Written again by every run that reaches the end, with that run's stage timings: after a kill it is the
    /// old report, absent, or a complete one (one atomic rename), whichever run wrote it.
    /// </summary>
    private const string Report = "report.html";

    /// <summary>
    /// Not results: per-stage logs (appended while a stage runs), compiler and Verilator build folders
    /// (reused only with their own completion stamp), yosys's work files (helper "synth"'s folder; its
    /// result, resources.json, is checked) and the flow's stamps.
    /// </summary>
    private static bool IsScratch(string relative) =>
        relative.StartsWith("logs/", StringComparison.Ordinal) || relative.StartsWith(".flow/", StringComparison.Ordinal)
        || relative.StartsWith("gen/csim_build/", StringComparison.Ordinal) || relative.StartsWith("gen/cosim_build/", StringComparison.Ordinal)
        || (relative.StartsWith("gen/synth/", StringComparison.Ordinal) && relative != "gen/synth/resources.json");

    /// <summary>A staging/ready/old folder or a temporary file of an atomic writer (hidden, dot-named).</summary>
    private static bool IsLeftover(string relative) => relative.Split('/').Any(part => part.StartsWith('.') && part != ".flow");

    private sealed record Moment(string Label, int AfterStep, double DelaySeconds);

    private sealed record Outcome(Moment Moment, SortedDictionary<string, string> Files, List<string> Lines, bool Killed, string? Report);

    [Fact]
    public void Flow_killed_at_every_stage_boundary_and_inside_stages_leaves_each_output_old_or_new_and_the_next_run_finishes()
    {
        string work = RepoPaths.NewTempDir("lenet-flow-kill");
        string model = Path.Combine(work, "model", "lenet5");
        string outDir = Path.Combine(work, "out");
        string[] args = ["flow", "--model", model, "--bits", "6", "--multipliers", "5", "--images", "5", "--sweep", "6",
                         "--data", RepoPaths.MnistDir, "--out", outDir];

        // The previous result: a complete flow of another model with the same options and names.
        ModelFile.Save(FloatModel.CreateRandom(Presets.LeNet5(), 1), model);
        var clock = Stopwatch.StartNew();
        var first = CliProcess.Run(args, timeoutSeconds: 3600);
        Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
        output.WriteLine($"uninterrupted flow: {clock.Elapsed.TotalSeconds:F1} s");
        var old = Snapshot(outDir);
        var seconds = StageSeconds(first.Stdout);

        ModelFile.Save(FloatModel.CreateRandom(Presets.LeNet5(), 2), model);
        var moments = new List<Moment>();
        for (int step = 1; step < Steps; step++)
        {
            moments.Add(new($"after {Stages[step - 1]}", step, 0));
            // Inside the next stage; twice where a stage's own work is short beside the start of its process, or long (cosim:
            // early in the Verilator build, then later: the killed build's finished objects are reused, so the rerun is
            // shorter than the first flow's). The report only early: it is the last step, and may finish first.
            double[] fractions = Stages[step] switch
            {
                "codegen" or "csim" => [0.5, 0.85],
                "cosim" => [0.3, 0.6],
                "report" => [0.25],
                _ => [0.5],
            };
            foreach (double f in fractions) moments.Add(new($"{f:P0} into {Stages[step]}", step, f * seconds[Stages[step]]));
        }

        var done = new HashSet<string>();
        var outcomes = new List<Outcome>();
        clock.Restart();
        foreach (var moment in moments)
        {
            var outcome = RunAndKill(args, moment);
            outcomes.Add(outcome);
            AssertSkipped(done, outcome.Lines, moment.Label);
            foreach (var stage in FinishedStages(outcome.Lines)) done.Add(stage);
        }
        var last = CliProcess.Run(args, timeoutSeconds: 3600);
        Assert.True(last.ExitCode == 0, last.Stdout + last.Stderr);
        output.WriteLine($"{moments.Count} killed runs and the finishing run: {clock.Elapsed.TotalSeconds:F1} s");
        AssertSkipped(done, last.Stdout.Split('\n').ToList(), "the finishing run");
        // Every stage was done by the killed runs except the report, which is written each time.
        Assert.Equal(Stages[..^1], Stages[..^1].Where(done.Contains));

        var final = Snapshot(outDir);
        Assert.DoesNotContain(final.Keys, IsLeftover);
        Assert.Contains("\"mismatches\": 0", File.ReadAllText(Path.Combine(outDir, "gen", "cosim_result.json")));
        foreach (var (name, _) in AtomicUnits)
            Assert.True(!Unit(old, name).SequenceEqual(Unit(final, name)), $"{name}: the new flow should change it, else the test proves nothing");

        foreach (var outcome in outcomes)
        {
            string at = $"kill {outcome.Moment.Label}";
            foreach (var (name, _) in AtomicUnits)
            {
                var now = Unit(outcome.Files, name);
                string state = now.Count == 0 ? "absent" : now.SequenceEqual(Unit(old, name)) ? "old" : now.SequenceEqual(Unit(final, name)) ? "new" : "MIX";
                Assert.True(state != "MIX", $"{at}: {name} is neither the old nor the new version: {string.Join(", ", now.Keys)}");
            }
            AssertTestVectorsConsistent(old, final, outcome.Files, at);
            string report = outcome.Report is null ? "absent" : outcome.Files[Report] == old[Report] ? "old" : "rewritten";
            if (outcome.Report is not null)
                Assert.True(outcome.Report.TrimEnd().EndsWith("</html>", StringComparison.Ordinal), $"{at}: report.html is half-written");
            var unexpected = outcome.Files.Keys.Where(f => !IsScratch(f) && !IsLeftover(f) && !f.StartsWith("gen/tb_data/", StringComparison.Ordinal) && f != Report
                                                           && !AtomicUnits.Any(u => u.Prefixes.Any(p => f.StartsWith(p, StringComparison.Ordinal))));
            Assert.Empty(unexpected);
            output.WriteLine($"{at}: {(outcome.Killed ? "killed" : "had finished")}; " +
                             string.Join(", ", AtomicUnits.Select(u => $"{u.Name} {State(old, final, outcome.Files, u.Name)}")) + $", report {report}" +
                             $"; {outcome.Files.Keys.Count(IsLeftover)} hidden leftovers");
        }
        Assert.All(outcomes.Where(o => o.Moment.DelaySeconds == 0), o => Assert.True(o.Killed, $"kill {o.Moment.Label}: the flow had finished"));
        // A moment inside a stage is timed from the first flow's stage times, and a rerun may be quicker.
        Assert.True(outcomes.Count(o => o.Killed) >= moments.Count - 2, "almost every moment should fall while the flow still runs");
    }

    private static string State(SortedDictionary<string, string> old, SortedDictionary<string, string> final, SortedDictionary<string, string> now, string unit)
    {
        var files = Unit(now, unit);
        return files.Count == 0 ? "absent" : files.SequenceEqual(Unit(old, unit)) ? "old" : "new";
    }

    /// <summary>
    /// tb_data is shared by csim and cosim: each file is old, new or absent, and the scores present belong
    /// to the vectors present (both old or both new).
    /// </summary>
    private static void AssertTestVectorsConsistent(SortedDictionary<string, string> old, SortedDictionary<string, string> final,
                                                    SortedDictionary<string, string> now, string at)
    {
        var sides = new HashSet<string>();
        foreach (var (file, hash) in now.Where(f => f.Key.StartsWith("gen/tb_data/", StringComparison.Ordinal) && !IsLeftover(f.Key)))
        {
            bool isOld = old.GetValueOrDefault(file) == hash, isNew = final.GetValueOrDefault(file) == hash;
            Assert.True(isOld || isNew, $"{at}: {file} is neither the old nor the new version");
            if (isOld != isNew) sides.Add(isOld ? "old" : "new");
        }
        Assert.True(sides.Count <= 1, $"{at}: tb_data mixes old and new files");
    }

    private static SortedDictionary<string, string> Unit(SortedDictionary<string, string> files, string name)
    {
        var prefixes = AtomicUnits.Single(u => u.Name == name).Prefixes;
        return new(files.Where(f => prefixes.Any(p => f.Key.StartsWith(p, StringComparison.Ordinal))).ToDictionary(), StringComparer.Ordinal);
    }

    /// <summary>Every file under the folder with its SHA-256, by path relative to it with '/' separators.</summary>
    private static SortedDictionary<string, string> Snapshot(string dir) =>
        new(AtomicOutputTests.Snapshot(dir).ToDictionary(f => f.Key.Replace('\\', '/'), f => f.Value), StringComparer.Ordinal);

    /// <summary>Starts the flow, waits for the line of step <see cref="Moment.AfterStep"/>, waits the delay and kills the whole process tree.</summary>
    private Outcome RunAndKill(string[] args, Moment moment)
    {
        var lines = new List<string>();
        using var reached = new ManualResetEventSlim();
        using var p = Process.Start(CliProcess.StartInfo(args))!;
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (lines) lines.Add(e.Data);
            if (e.Data.StartsWith($"[{moment.AfterStep}/{Steps}] ", StringComparison.Ordinal)) reached.Set();
        };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        // Hang guard only: the step's line comes within minutes even on a loaded machine.
        var guard = Stopwatch.StartNew();
        while (!reached.Wait(20) && !p.HasExited && guard.Elapsed < TimeSpan.FromMinutes(30)) { }
        Assert.True(reached.IsSet, $"kill {moment.Label}: step {moment.AfterStep} never reported:\n{string.Join('\n', lines)}");
        if (moment.DelaySeconds > 0) p.WaitForExit(TimeSpan.FromSeconds(moment.DelaySeconds));
        bool killed = !p.HasExited;
        var tree = killed ? ProcessTree.Descendants(p.Id) : [];
        if (killed) p.Kill(entireProcessTree: true);
        Assert.True(p.WaitForExit(60_000)); // hang guard only
        p.WaitForExit();
        // SIGKILL is delivered, not awaited: the stage's process may still hold its files for a moment.
        var dying = Stopwatch.StartNew();
        while (tree.Any(IsRunning) && dying.Elapsed < TimeSpan.FromMinutes(1)) Thread.Sleep(20); // hang guard only
        Assert.False(tree.Any(IsRunning), $"kill {moment.Label}: a stage process outlived SIGKILL");
        string report = Path.Combine(OutDirOf(args), Report);
        lock (lines) return new Outcome(moment, Snapshot(OutDirOf(args)), [.. lines], killed, File.Exists(report) ? File.ReadAllText(report) : null);
    }

    /// <summary>Alive and not yet a zombie (a zombie holds no files).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException) { return false; }
    }

    private static string OutDirOf(string[] args) => args[Array.IndexOf(args, "--out") + 1];

    /// <summary>Stages that the run reported done or skipped (their stamps are written before the line).</summary>
    private static IEnumerable<string> FinishedStages(IEnumerable<string> lines) =>
        lines.Select(l => StepLine().Match(l)).Where(m => m.Success && m.Groups["how"].Value is "done" or "skipped").Select(m => m.Groups["stage"].Value);

    /// <summary>The stamps make a rerun skip every stage an earlier run finished (the report is always rewritten).</summary>
    private static void AssertSkipped(HashSet<string> done, List<string> lines, string run)
    {
        foreach (var line in lines)
        {
            var m = StepLine().Match(line);
            if (!m.Success || m.Groups["stage"].Value == "report") continue;
            if (done.Contains(m.Groups["stage"].Value))
                Assert.True(m.Groups["how"].Value == "skipped", $"{run}: {m.Groups["stage"].Value} was done already, yet: {line}");
        }
    }

    private static Dictionary<string, double> StageSeconds(string stdout) =>
        stdout.Split('\n').Select(l => StepLine().Match(l)).Where(m => m.Success && m.Groups["how"].Value == "done")
              .ToDictionary(m => m.Groups["stage"].Value, m => double.Parse(m.Groups["seconds"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^\[\d+/\d+\] (?<stage>[a-z-]+)\s+(?<how>done|skipped)(?: in\s+(?<seconds>[0-9.]+) s)?")]
    private static partial Regex StepLine();
}
