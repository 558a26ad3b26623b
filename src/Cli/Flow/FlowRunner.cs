using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using LeNetHls.Core.IO;
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

    public void Run(IReadOnlyList<FlowStage> stages)
    {
        for (int i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            _cancel.ThrowIfCancellationRequested();
            string prefix = $"[{i + 1}/{stages.Count}] {stage.Name,-15}";
            string hash = InputHash(stage);
            string stampPath = Path.Combine(StampDir, stage.Name + ".stamp");
            bool upToDate = File.Exists(stampPath) && File.ReadAllText(stampPath).Trim() == hash
                            && stage.Outputs.All(o => File.Exists(o) || Directory.Exists(o));
            if (upToDate)
            {
                _say($"{prefix} skipped: inputs unchanged since the last successful run");
                Timings.Add((stage.Name, 0, true));
                continue;
            }
            var watch = Stopwatch.StartNew();
            string log = Path.Combine(LogDir, stage.Name + ".log");
            int exit = RunChild(stage.Arguments, log);
            watch.Stop();
            if (_cancel.IsCancellationRequested)
                throw new LeNetHlsException($"flow interrupted during stage '{stage.Name}' (log: {log}); rerun the same command to resume");
            if (exit != 0)
                throw new LeNetHlsException($"stage '{stage.Name}' failed (exit {exit}): {LastErrorLine(log)} (log: {log}); earlier stages' results are kept");
            AtomicFile.WriteAllText(stampPath, hash);
            Timings.Add((stage.Name, watch.Elapsed.TotalSeconds, false));
            _say($"{prefix} done in {watch.Elapsed.TotalSeconds,6:F1} s   {LastLine(log)}");
        }
    }

    private int RunChild(IReadOnlyList<string> arguments, string logPath)
    {
        var (program, prefix) = SelfCommand();
        using var log = new StreamWriter(logPath, append: false, new UTF8Encoding(false)) { AutoFlush = true };
        log.WriteLine($"$ lenet-hls {string.Join(' ', arguments.Select(Quote))}");
        // Ctrl-C reaches the child too (same process group); it stops cleanly, so it is waited for, not killed.
        var child = ExternalProcess.Run(program, [.. prefix, .. arguments], Environment.CurrentDirectory, new ProcessOptions
        {
            Environment = new Dictionary<string, string> { ["LENET_CHILD"] = "1" }, OnLine = log.WriteLine,
        });
        return child.ExitCode;
    }

    /// <summary>How to start lenet-hls again: its apphost, or `dotnet lenet-hls.dll` when it was started that way.</summary>
    private static (string Program, string[] Prefix) SelfCommand()
    {
        string process = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? (process, [System.Reflection.Assembly.GetEntryAssembly()!.Location])
            : (process, []);
    }

    /// <summary>SHA-256 over the stage name, its arguments and the content of its input files and folders.</summary>
    public static string InputHash(FlowStage stage)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => sha.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        Add(stage.Name);
        foreach (var a in stage.Arguments) Add(a);
        foreach (var input in stage.Inputs)
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
