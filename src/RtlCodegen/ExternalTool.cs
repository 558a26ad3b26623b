using System.Diagnostics;
using LeNetHls.Core.IO;

namespace LeNetHls.RtlCodegen;

/// <summary>Runs verilator, yosys and the simulator binaries, turning failures into one-line errors.</summary>
internal static class ExternalTool
{
    public static string Require(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string path = Path.Combine(dir, tool);
            if (File.Exists(path)) return path;
        }
        throw new LeNetHlsException($"{tool}: not found on PATH (install it: apt-get install verilator yosys)");
    }

    public sealed record Result(int ExitCode, string Output);

    /// <summary>Runs a program, capturing stdout and stderr together.</summary>
    public static Result Run(string program, IEnumerable<string> args, string workingDir)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new LeNetHlsException($"{program}: cannot start");
        var output = new System.Text.StringBuilder();
        var gate = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        return new Result(process.ExitCode, output.ToString());
    }

    /// <summary>The first line that looks like an error, for a one-line message (full log kept in a file).</summary>
    public static string FirstError(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.FirstOrDefault(l => l.Contains("%Error") || l.Contains("ERROR") || l.Contains("error:") || l.StartsWith("cosim:"))
               ?? lines.LastOrDefault() ?? "(no output)";
    }
}
