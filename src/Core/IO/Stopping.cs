namespace LeNetHls.Core.IO;

/// <summary>
/// The process-wide "stop" request (Ctrl-C, SIGTERM). Once it is set, <see cref="AtomicFile"/> and
/// <see cref="AtomicDirectory"/> refuse to put a new result in place, so a command interrupted near its
/// end exits with the old result intact instead of replacing it. A command that saves state on purpose
/// when stopped (training's checkpoint) allows that with <see cref="AllowWritesWhileStopping"/>.
/// </summary>
public static class Stopping
{
    private static volatile bool _requested;
    private static volatile bool _writesAllowed;

    public static bool IsRequested => _requested;

    public static void Request() => _requested = true;

    public static void AllowWritesWhileStopping() => _writesAllowed = true;

    /// <summary>Called just before a result replaces what is on disk.</summary>
    public static void ThrowIfNoMoreWrites()
    {
        if (_requested && !_writesAllowed) throw new OperationCanceledException("interrupted before the result was written");
    }
}
