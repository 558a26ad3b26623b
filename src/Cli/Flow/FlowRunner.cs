using System.Security.Cryptography;
using LeNetHls.Core.Verification;

namespace LeNetHls.Cli.Flow;

/// <summary>Runs flow stages in order with content-hash skipping, per-stage logs and timing.</summary>
public sealed class FlowRunner
{
    private readonly string _outDir;
    private readonly Action<string> _say;
    private readonly CancellationToken _cancel;

    public FlowRunner(string outDir, Action<string> say, CancellationToken cancel)
    {
        _outDir = outDir;
        _say = say;
        _cancel = cancel;
        Directory.CreateDirectory(LogDir);
        Directory.CreateDirectory(StampDir);
    }

    public string LogDir => Path.Combine(_outDir, "logs");
    private string StampDir => Path.Combine(_outDir, ".flow");

    public List<(string Stage, double Seconds, bool Skipped)> Timings { get; } = [];

    /// <summary>Steps the caller runs itself after the stages (the flow's report), so the counter ends at [N/N].</summary>
    public int StepsAfterStages { get; init; }

    public int TotalSteps(IReadOnlyList<FlowStage> stages) => stages.Count + StepsAfterStages;

    /// <summary>
    /// A stage is done when its stamp records the hash of its inputs (arguments included) and the hash
    /// of its outputs, and both still match: a changed input, or an output deleted or edited since,
    /// reruns it. The stamp is written only after the stage succeeded.
    /// </summary>
    public void Run(IReadOnlyList<FlowStage> stages)
    {
        // What a killed earlier run left (staging folders, temporary files) goes first, whichever stages rerun now.
        AtomicDirectory.RecoverAllUnder(_outDir);
        for (int i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            _cancel.ThrowIfCancellationRequested();
            string prefix = $"[{i + 1}/{TotalSteps(stages)}] {stage.Name,-15}";
            string inputHash = InputHash(stage);
            string stampPath = Path.Combine(StampDir, stage.Name + ".stamp");
            var stamp = StageStamp.TryRead(stampPath);
            if (stamp is not null && stamp.Inputs == inputHash && stage.Outputs.All(Path.Exists) && stamp.Outputs == OutputHash(stage))
            {
                _say($"{prefix} skipped: inputs and outputs unchanged since the last successful run");
                Timings.Add((stage.Name, 0, true));
                continue;
            }
            // A stage that reruns is not done until it succeeds again, even if it is stopped midway.
            if (File.Exists(stampPath)) File.Delete(stampPath);
            var watch = Stopwatch.StartNew();
            string log = Path.Combine(LogDir, stage.Name + ".log");
            int exit = RunChild(stage.Arguments, log);
            watch.Stop();
            if (_cancel.IsCancellationRequested || exit == Interrupt.ExitCode)
                throw new OperationCanceledException($"flow interrupted during stage '{stage.Name}' (log: {log}); rerun the same command to resume");
            if (exit != 0)
                throw new LeNetHlsException($"stage '{stage.Name}' failed (exit {exit}): {LastErrorLine(log)} (log: {log}); earlier stages' results are kept");
            var missing = stage.Outputs.FirstOrDefault(o => !Path.Exists(o));
            if (missing is not null) throw LeNetHlsException.InFile(missing, $"stage '{stage.Name}' succeeded but did not write this output (log: {log})");
            new StageStamp(inputHash, OutputHash(stage)).Write(stampPath);
            Timings.Add((stage.Name, watch.Elapsed.TotalSeconds, false));
            _say($"{prefix} done in {watch.Elapsed.TotalSeconds,6:F1} s   {LastLine(log)}");
        }
    }

    /// <summary>The stage's child gets SIGINT when the flow is stopped, and the flow waits for its clean exit.</summary>
    private int RunChild(IReadOnlyList<string> arguments, string logPath)
    {
        var (program, prefix) = SelfCommand();
        var psi = new ProcessStartInfo(program, [.. prefix, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["LENET_CHILD"] = "1";
        using var log = new StreamWriter(logPath, append: false, new UTF8Encoding(false)) { AutoFlush = true };
        log.WriteLine($"$ lenet-hls {string.Join(' ', arguments.Select(Quote))}");
        using var child = Process.Start(psi)!;
        var gate = new object();
        child.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) log.WriteLine(e.Data); };
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) log.WriteLine(e.Data); };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        bool forwarded = false;
        var sinceCancel = new Stopwatch();
        while (!child.WaitForExit(50))
        {
            if (!_cancel.IsCancellationRequested || forwarded) continue;
            // A terminal's Ctrl-C reaches the child too; `kill -INT` on the flow alone does not.
            if (!sinceCancel.IsRunning) sinceCancel.Start();
            if (sinceCancel.ElapsedMilliseconds < 200) continue;
            SignalInterrupt(child.Id);
            forwarded = true;
        }
        child.WaitForExit();
        return child.ExitCode;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static void SignalInterrupt(int pid)
    {
        const int sigint = 2;
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) Kill(pid, sigint);
    }

    /// <summary>How stages start lenet-hls; by default the running one (tests, which run inside testhost, set it).</summary>
    public (string Program, string[] Prefix)? StageCommand { get; init; }

    private (string Program, string[] Prefix) SelfCommand() => StageCommand ?? RunningLenetHls();

    /// <summary>How to start lenet-hls again: its apphost, or `dotnet lenet-hls.dll` when it was started that way.</summary>
    private static (string Program, string[] Prefix) RunningLenetHls()
    {
        string process = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? (process, [System.Reflection.Assembly.GetEntryAssembly()!.Location])
            : (process, []);
    }

    /// <summary>SHA-256 over the stage name, its arguments and the content of its input files and folders.</summary>
    public static string InputHash(FlowStage stage) => ContentHash([stage.Name, .. stage.Arguments], stage.Inputs);

    /// <summary>SHA-256 over the content of the stage's output files and folders.</summary>
    public static string OutputHash(FlowStage stage) => ContentHash([stage.Name], stage.Outputs);

    private static string ContentHash(IEnumerable<string> words, IEnumerable<string> paths)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => sha.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        foreach (var w in words) Add(w);
        foreach (var input in paths)
        {
            Add(input);
            IEnumerable<string> files = Directory.Exists(input)
                ? Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                : File.Exists(input) ? [input] : [];
            foreach (var f in files)
            {
                Add(Path.GetRelativePath(input, f));
                using var s = File.OpenRead(f);
                sha.AppendData(SHA256.HashData(s));
            }
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static string Quote(string a) => a.Contains(' ') ? $"\"{a}\"" : a;

    private static string LastLine(string log) =>
        File.ReadLines(log).LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";

    private static string LastErrorLine(string log) =>
        File.ReadLines(log).LastOrDefault(l => l.StartsWith("error:", StringComparison.Ordinal))?["error:".Length..].Trim()
        ?? LastLine(log);
}
