using System.Diagnostics;
using LeNetHls.TestSupport;
using Xunit;

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

    /// <summary>Compiles <paramref name="testbench"/> in <paramref name="dir"/> with the named rtl/ modules under Icarus
    /// (Verilog-2005) and runs it; asserts both steps succeed and returns what the simulation printed.</summary>
    public static string Simulate(string dir, string testbench, params string[] rtlModules)
    {
        File.WriteAllText(Path.Combine(dir, "tb.v"), testbench);
        var compile = Run("iverilog", dir, ["-g2005", "-I", Path.Combine(RepoPaths.Root, "rtl"), "-o", "tb.vvp", "tb.v", .. rtlModules.Select(m => Path.Combine(RepoPaths.Root, "rtl", m))]);
        Assert.True(compile.Exit == 0, compile.Output);
        var run = Run("vvp", dir, "-n", "tb.vvp");
        Assert.True(run.Exit == 0, run.Output);
        return run.Output;
    }
}
