using LeNetHls.Core.Verification;
using System.Runtime.InteropServices;

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
        foreach (int pid in ProcessTree.Descendants(Environment.ProcessId))
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

}
