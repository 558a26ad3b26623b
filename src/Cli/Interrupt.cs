namespace LeNetHls.Cli;

/// <summary>
/// Ctrl-C requests a clean stop: long-running commands watch <see cref="Token"/>, finish the file they
/// are writing and exit. A second Ctrl-C ends the process at once (files are still only ever replaced
/// by atomic renames, so nothing on disk is half-written).
/// </summary>
public static class Interrupt
{
    private static readonly CancellationTokenSource Source = new();

    public static CancellationToken Token => Source.Token;

    public static void Install()
    {
        Console.CancelKeyPress += (_, e) =>
        {
            if (Source.IsCancellationRequested) return;
            e.Cancel = true;
            Console.Error.WriteLine("interrupted: stopping after the current step (Ctrl-C again to abort)");
            Source.Cancel();
        };
    }
}
