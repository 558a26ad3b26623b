using LeNetHls.Core.Verification;

namespace LeNetHls.RtlCodegen;

/// <summary>What is particular to verilator, yosys and the simulator binaries: how to install them and how their errors read.</summary>
internal static class ExternalTool
{
    public static string Require(string tool) => ExternalProcess.Require(tool, "install it: apt-get install verilator yosys");

    /// <summary>Runs a program through the repository's one process runner (argument list, hang guard, output captured).</summary>
    public static ProcessResult Run(string program, IEnumerable<string> args, string workingDir) => ExternalProcess.Run(program, args, workingDir);

    /// <summary>The first line that looks like an error, for a one-line message (full log kept in a file).</summary>
    public static string FirstError(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.FirstOrDefault(l => l.Contains("%Error") || l.Contains("ERROR") || l.Contains("error:") || l.StartsWith("cosim:"))
               ?? lines.LastOrDefault() ?? "(no output)";
    }
}
