namespace LeNetHls.HlsCodegen.Tests;

/// <summary>
/// Xilinx's real ap_int headers (Apache-2.0, never copied into the repository): &lt;repo&gt;/../shared/
/// third_party/xilinx-ap-types/include, where CI clones them, or the folder $LENET_AP_INCLUDE names
/// (e.g. for a worktree that has no shared/ beside it). Tests that need them are skipped, with this
/// reason shown, when neither exists.
/// </summary>
internal static class RealApHeaders
{
    public static string SharedDir { get; } =
        Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "third_party", "xilinx-ap-types", "include"));

    public static string? Dir { get; } = FindDir();

    public static string? SkipReason => Dir is null
        ? $"the real Xilinx ap_int headers are not at {SharedDir} and ${ApTypes.IncludeVariable} names no folder holding ap_int.h"
        : null;

    /// <summary>The real headers as a csim type world; only where <see cref="Dir"/> exists.</summary>
    public static ApTypes Types => ApTypes.At(Dir ?? throw new InvalidOperationException(SkipReason), "test");

    /// <summary>The compiler flags of a type world: the real headers, or the fallback integer types.</summary>
    public static IReadOnlyList<string> Flags(bool real) => (real ? Types : ApTypes.Fallback()).CompilerFlags;

    private static string? FindDir()
    {
        if (File.Exists(Path.Combine(SharedDir, ApTypes.Header))) return SharedDir;
        string? variable = Environment.GetEnvironmentVariable(ApTypes.IncludeVariable);
        return !string.IsNullOrEmpty(variable) && File.Exists(Path.Combine(variable, ApTypes.Header)) ? Path.GetFullPath(variable) : null;
    }
}

/// <summary>A fact that needs the real ap_int headers; skipped with the reason when they are absent.</summary>
public sealed class RealApHeadersFactAttribute : FactAttribute
{
    public RealApHeadersFactAttribute()
    {
        if (RealApHeaders.SkipReason is { } reason) Skip = reason;
    }
}

/// <summary>A theory that needs the real ap_int headers; skipped with the reason when they are absent.</summary>
public sealed class RealApHeadersTheoryAttribute : TheoryAttribute
{
    public RealApHeadersTheoryAttribute()
    {
        if (RealApHeaders.SkipReason is { } reason) Skip = reason;
    }
}
