namespace LeNetHls.TestSupport;

/// <summary>Runs a program for a test through the repository's process runner (argument list, output captured).</summary>
public static class TestProcess
{
    /// <summary>A hang guard only: a healthy run finishes in a small fraction of it even on a loaded machine.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(20);

    public static ProcessResult Run(string program, string workingDir, IEnumerable<string> args,
                                    IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null) =>
        ExternalProcess.Run(program, args, workingDir, new ProcessOptions { Environment = environment, Timeout = timeout ?? HangGuard });
}
