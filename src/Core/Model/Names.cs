namespace LeNetHls.Core.Model;

/// <summary>
/// Names that reach generated code or file names. A layer name becomes part of C++ and Verilog
/// identifiers, so it is one: [A-Za-z_][A-Za-z0-9_]*. A model name lands in comments, strings, file
/// names, the Makefile and run_hls.tcl; it may also hold '-' (lenet5-w8a8), which cannot break out of
/// any of them, but no separator, dot, quote, space or newline. Both are at most 64 characters.
/// </summary>
public static class Names
{
    public const int MaxLength = 64;

    public static bool IsIdentifier(string? name) => IsName(name, allowHyphen: false);

    public static bool IsModelName(string? name) => IsName(name, allowHyphen: true);

    /// <summary>The reason a layer name is refused, or null when it is fine.</summary>
    public static string? LayerNameProblem(string? name) =>
        IsIdentifier(name) ? null : $"layer name {Show(name)} is not an identifier ([A-Za-z_][A-Za-z0-9_]*, at most {MaxLength} characters)";

    /// <summary>The reason a model name is refused, or null when it is fine.</summary>
    public static string? ModelNameProblem(string? name) =>
        IsModelName(name) ? null : $"model name {Show(name)} must match [A-Za-z_][A-Za-z0-9_-]* and have at most {MaxLength} characters";

    /// <summary>Checks a name given on the command line, before any work starts.</summary>
    public static void CheckModelNameOption(string? name, string option)
    {
        if (name is not null && ModelNameProblem(name) is { } problem) throw new LeNetHlsException($"{option}: {problem}");
    }

    private static bool IsName(string? name, bool allowHyphen)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength) return false;
        if (!(char.IsAsciiLetter(name[0]) || name[0] == '_')) return false;
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowHyphen && c == '-'))) return false;
        return true;
    }

    /// <summary>Quotes a bad name for a one-line message: control characters escaped, long names cut.</summary>
    public static string Show(string? name)
    {
        if (name is null) return "null";
        var sb = new System.Text.StringBuilder("'");
        foreach (char c in name.Length > 40 ? name[..40] : name)
            sb.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        return sb.Append(name.Length > 40 ? "…'" : "'").ToString();
    }
}
