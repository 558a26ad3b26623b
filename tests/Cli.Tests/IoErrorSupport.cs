using LeNetHls.TestSupport;

namespace LeNetHls.Cli.Tests;

/// <summary>
/// Runs lenet-hls as user nobody (uid/gid 65534) through setpriv, so that file permissions apply: the
/// tests run as root, for whom every file is readable and writable.
/// </summary>
public static class Unprivileged
{
    private const string NobodyId = "65534";

    /// <summary>Why such a run is impossible here, or null when it works.</summary>
    public static string? Unavailable { get; } = Probe();

    public static CliResult Run(IEnumerable<string> args)
    {
        // A home the user may write: the dotnet host wants one.
        var environment = new Dictionary<string, string> { ["HOME"] = Path.GetTempPath(), ["DOTNET_CLI_HOME"] = Path.GetTempPath() };
        // A hang guard only.
        var result = TestProcess.Run("setpriv", RepoPaths.Root,
            [$"--reuid={NobodyId}", $"--regid={NobodyId}", "--clear-groups", CliProcess.DotnetHost(), CliProcess.Dll, .. args],
            environment, TimeSpan.FromMinutes(15));
        return new CliResult(result.ExitCode, result.Stdout, result.Stderr);
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "runs the CLI as another user with setpriv (Linux only)";
        if (!Environment.IsPrivilegedProcess) return "needs root to run the CLI as user nobody (a normal user cannot switch users)";
        try
        {
            var probe = TestProcess.Run("setpriv", RepoPaths.Root, [$"--reuid={NobodyId}", $"--regid={NobodyId}", "--clear-groups", "true"], null, TimeSpan.FromMinutes(1));
            return probe.ExitCode == 0 ? null : $"setpriv cannot switch to user {NobodyId} here: {probe.Stderr.Trim()}";
        }
        catch (Exception e)
        {
            return $"setpriv is not available: {e.Message}";
        }
    }
}

/// <summary>A tmpfs of a few kilobytes, mounted for one test and unmounted after it: a real "disk full".</summary>
public sealed class TinyDisk : IDisposable
{
    private TinyDisk(string path) => Path = path;

    public string Path { get; }

    /// <summary>Why a tmpfs cannot be mounted here, or null when it can.</summary>
    public static string? Unavailable { get; } = Probe();

    public static TinyDisk Mount(long kilobytes)
    {
        string dir = RepoPaths.NewTempDir("lenet-tinydisk");
        var mount = TestProcess.Run("mount", RepoPaths.Root, ["-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", dir], null, TimeSpan.FromMinutes(1));
        Assert.True(mount.ExitCode == 0, $"mount failed: {mount.Stderr}");
        return new TinyDisk(dir);
    }

    public void Dispose()
    {
        TestProcess.Run("umount", RepoPaths.Root, [Path], null, TimeSpan.FromMinutes(1));
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "mounts a tmpfs (Linux only)";
        if (!Environment.IsPrivilegedProcess) return "needs root to mount a tmpfs";
        try
        {
            using var disk = Mount(64);
            return null;
        }
        catch (Exception e)
        {
            return $"cannot mount a tmpfs here (a container without CAP_SYS_ADMIN?): {e.Message.Split('\n')[0]}";
        }
    }
}

/// <summary>A fact skipped, with its reason, where the CLI cannot be run as user nobody.</summary>
public sealed class UnprivilegedFactAttribute : FactAttribute
{
    public UnprivilegedFactAttribute()
    {
        if (Unprivileged.Unavailable is { } reason) Skip = reason;
    }
}

/// <summary>A fact skipped, with its reason, where no tiny tmpfs can be mounted.</summary>
public sealed class TinyDiskFactAttribute : FactAttribute
{
    public TinyDiskFactAttribute()
    {
        if (TinyDisk.Unavailable is { } reason) Skip = reason;
    }
}
