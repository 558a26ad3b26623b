using System.Diagnostics;

namespace LeNetHls.RtlCodegen.Tests;

internal static class Tool
{
    public static (int Exit, string Output) Run(string program, string workingDir, params string[] args)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + stderr.Result);
    }
}
