using System.Diagnostics;
using System.Runtime.InteropServices;
using LeNetHls.Core.IO;

namespace LeNetHls.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM stop every command within about a second with exit code 130:
/// <see cref="Token"/> is cancelled for the commands that watch it, no new result may replace an old
/// one from then on (<see cref="Stopping"/>), and after the grace period the process ends, killing
/// any child process tree first (g++, make, Verilator, yosys, lenet-hls stages). Files are only ever
/// put in place by atomic renames, so ending at any moment leaves the old result or the new one.
/// Training asks for a longer grace period to save its checkpoint. A second Ctrl-C ends at once.
/// </summary>
public static class Interrupt
{
    public const int ExitCode = 130;

    private static readonly CancellationTokenSource Source = new();
    private static TimeSpan _grace = TimeSpan.FromSeconds(1);
    private static PosixSignalRegistration? _sigint, _sigterm;

    public static CancellationToken Token => Source.Token;

    public static bool Requested => Source.IsCancellationRequested;

    public static void Install()
    {
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>For a command that saves its state when stopped (a training checkpoint): more time, and that save is allowed.</summary>
    public static void UseGracefulStop(TimeSpan grace)
    {
        _grace = grace;
        Stopping.AllowWritesWhileStopping();
    }

    /// <summary>For a command that forwards the stop to a child lenet-hls and waits for its clean exit.</summary>
    public static void ExtendGrace(TimeSpan grace) => _grace = grace;

    private static void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Source.IsCancellationRequested)
        {
            Terminate("error: interrupted again: stopping now");
            return;
        }
        Console.Error.WriteLine("interrupted: stopping (Ctrl-C again to stop at once)");
        Stopping.Request();
        Source.Cancel();
        var watchdog = new Thread(() =>
        {
            Thread.Sleep(_grace);
            Terminate("error: interrupted");
        }) { IsBackground = true, Name = "interrupt watchdog" };
        watchdog.Start();
    }

    private static void Terminate(string message)
    {
        KillChildren();
        Console.Error.WriteLine(message);
        Console.Error.Flush();
        Console.Out.Flush();
        Environment.Exit(ExitCode);
    }

    /// <summary>
    /// Kills every descendant process. The whole tree is listed before the first kill: a killed
    /// parent's children are handed to init at once and could no longer be found through it.
    /// </summary>
    public static void KillChildren()
    {
        foreach (int pid in Descendants(Environment.ProcessId))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
            catch (System.ComponentModel.Win32Exception) { }
        }
    }

    private static List<int> Descendants(int root)
    {
        var found = new List<int>();
        if (!OperatingSystem.IsLinux()) return found;
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                // Field 4 of /proc/PID/stat is the parent; the name (field 2) is in parentheses and may hold spaces.
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields.Length > 1 && int.TryParse(fields[1], out int parent)) parents[pid] = parent;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        var frontier = new Queue<int>([root]);
        while (frontier.Count > 0)
        {
            int current = frontier.Dequeue();
            foreach (var (pid, parent) in parents)
                if (parent == current) { found.Add(pid); frontier.Enqueue(pid); }
        }
        return found;
    }
}
