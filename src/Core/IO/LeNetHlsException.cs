namespace LeNetHls.Core.IO;

/// <summary>
/// An error the user can act on. The CLI prints only its message, on one line, and exits non-zero;
/// every message names the file (or option) and the problem.
/// </summary>
public sealed class LeNetHlsException : Exception
{
    public LeNetHlsException(string message) : base(OneLine(message)) { }
    public LeNetHlsException(string message, Exception inner) : base(OneLine(message), inner) { }

    /// <summary>
    /// Control characters from file content (a name holding a newline) are shown escaped, so that no
    /// message ever spans two lines or reaches the terminal raw.
    /// </summary>
    private static string OneLine(string message)
    {
        if (!message.Any(char.IsControl)) return message;
        var sb = new System.Text.StringBuilder(message.Length + 16);
        foreach (char c in message) sb.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        return sb.ToString();
    }

    /// <summary>Builds "FILE: problem", the one-line shape of every file error.</summary>
    public static LeNetHlsException InFile(string path, string problem) => new($"{path}: {problem}");
}
