namespace LeNetHls.RtlCodegen.Tests;

internal static class Tool
{
    /// <summary>Compiles <paramref name="testbench"/> in <paramref name="dir"/> with the named rtl/ modules under Icarus
    /// (Verilog-2005) and runs it; asserts both steps succeed and returns what the simulation printed.</summary>
    public static string Simulate(string dir, string testbench, params string[] rtlModules)
    {
        File.WriteAllText(Path.Combine(dir, "tb.v"), testbench);
        var compile = TestProcess.Run("iverilog", dir, ["-g2005", "-I", Path.Combine(RepoPaths.Root, "rtl"), "-o", "tb.vvp", "tb.v", .. rtlModules.Select(m => Path.Combine(RepoPaths.Root, "rtl", m))]);
        Assert.True(compile.ExitCode == 0, compile.Output);
        var run = TestProcess.Run("vvp", dir, ["-n", "tb.vvp"]);
        Assert.True(run.ExitCode == 0, run.Output);
        return run.Output;
    }
}
