using System.ComponentModel;

namespace LeNetHls.Core.Verification;

/// <summary>What a finished program wrote: each stream on its own, and both interleaved as they arrived (for logs).</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr, string Output);

public sealed record ProcessOptions
{
    /// <summary>
    /// A hang guard, not a performance bound: generous enough for a Verilator build or a full-MNIST
    /// simulation on a loaded machine. A program still running after it is killed with its children.
    /// </summary>
    public TimeSpan Timeout { get; init; } = ExternalProcess.HangGuard;
    /// <summary>Variables set (or replaced) in the child's environment.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
    /// <summary>Receives every output line as it arrives (stdout and stderr), e.g. to stream it into a log.</summary>
    public Action<string>? OnLine { get; init; }
}

/// <summary>
/// The one way this repository runs another program (g++, Verilator, yosys, simulators, lenet-hls itself):
/// arguments go as a list, never through a shell, so paths with spaces or quotes arrive intact; output is
/// captured; cancellation and the hang guard kill the whole process tree.
/// </summary>
public static class ExternalProcess
{
    public static readonly TimeSpan HangGuard = TimeSpan.FromHours(6);

    /// <summary>The full path of <paramref name="tool"/> on PATH, or a one-line error saying how to install it.</summary>
    public static string Require(string tool, string installHint)
    {
        foreach (var dir in (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string path = Path.Combine(dir, tool);
            if (File.Exists(path)) return path;
        }
        throw new LeNetHlsException($"{tool}: not found on PATH ({installHint})");
    }

    public static ProcessResult Run(string program, IEnumerable<string> arguments, string workingDirectory,
                                    ProcessOptions? options = null, CancellationToken cancel = default)
    {
        options ??= new ProcessOptions();
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        if (options.Environment is { } environment)
            foreach (var (name, value) in environment) info.Environment[name] = value;

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var output = new StringBuilder();
        var gate = new object();
        void Receive(StringBuilder stream, string? line)
        {
            if (line is null) return;
            lock (gate)
            {
                stream.Append(line).Append('\n');
                output.Append(line).Append('\n');
                options.OnLine?.Invoke(line);
            }
        }

        Process process;
        try { process = Process.Start(info) ?? throw new LeNetHlsException($"{program}: cannot be started"); }
        catch (Win32Exception e) { throw new LeNetHlsException($"{program}: cannot be started ({e.Message})"); }
        using (process)
        {
            process.OutputDataReceived += (_, e) => Receive(stdout, e.Data);
            process.ErrorDataReceived += (_, e) => Receive(stderr, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var hangGuard = new CancellationTokenSource(options.Timeout);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel, hangGuard.Token);
            try { process.WaitForExitAsync(stop.Token).GetAwaiter().GetResult(); }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* it has just exited */ }
                process.WaitForExit();
                cancel.ThrowIfCancellationRequested();
                throw new LeNetHlsException($"{program}: still running after {options.Timeout.TotalMinutes:F0} min; killed it and its children (hang guard)");
            }
            // The parameterless wait also drains the asynchronous output readers.
            process.WaitForExit();
            lock (gate) return new ProcessResult(process.ExitCode, stdout.ToString(), stderr.ToString(), output.ToString());
        }
    }
}
