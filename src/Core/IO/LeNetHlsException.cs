namespace LeNetHls.Core.IO;

/// <summary>
/// An error the user can act on. The CLI prints only its message, on one line, and exits non-zero;
/// every message names the file (or option) and the problem.
/// </summary>
public sealed class LeNetHlsException : Exception
{
    public LeNetHlsException(string message) : base(message) { }
    public LeNetHlsException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Builds "FILE: problem", the one-line shape of every file error.</summary>
    public static LeNetHlsException InFile(string path, string problem) => new($"{path}: {problem}");
}
