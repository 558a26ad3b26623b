using System.Diagnostics;

namespace LeNetHls.Cli.Tests;

/// <summary>Runs the real lenet-hls executable (built next to the tests) and captures what a user sees.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The hardening contract: non-zero exit, exactly one "error: …" line, no stack trace.</summary>
    public void AssertCleanError(string mustContain)
    {
        Assert.True(ExitCode != 0, $"expected failure, got exit 0\nstdout: {Stdout}");
        var errors = ErrorLines.Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, $"expected one error line, got:\n{Stderr}");
        Assert.Contains(mustContain, errors[0]);
        Assert.DoesNotContain("   at ", Stderr + Stdout);
        Assert.DoesNotContain("Exception", Stderr + Stdout);
    }
}

public static class CliProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "lenet-hls.dll");

    public static ProcessStartInfo StartInfo(IEnumerable<string> args, IDictionary<string, string>? env = null, string? workDir = null)
    {
        var psi = new ProcessStartInfo(DotnetHost(), [Dll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workDir ?? TestSupport.RepoPaths.Root,
        };
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        return psi;
    }

    /// <param name="timeoutSeconds">A hang guard: the process tree is killed after it.</param>
    public static CliResult Run(IEnumerable<string> args, IDictionary<string, string>? env = null, string? workDir = null, int timeoutSeconds = 300)
    {
        var result = TestSupport.TestProcess.Run(DotnetHost(), workDir ?? TestSupport.RepoPaths.Root, [Dll, .. args],
                                                 env is null ? null : new Dictionary<string, string>(env), TimeSpan.FromSeconds(timeoutSeconds));
        return new CliResult(result.ExitCode, result.Stdout, result.Stderr);
    }

    /// <summary>A PATH holding only the dotnet host's folder, so g++, verilator, yosys and npm are all missing.</summary>
    public static string PathWithoutTools()
    {
        string dir = Path.Combine(Path.GetTempPath(), "lenet-bare-path");
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Process.GetCurrentProcess().MainModule?.FileName is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "/usr/bin/dotnet";
}
