namespace LeNetHls.HlsCodegen;

/// <summary>
/// The integer types a C simulation is compiled with (hls/nnet/nnet_types.h): Xilinx's real
/// <c>ap_int.h</c> from a folder, or the fallback standard integer types. Both give the same scores;
/// the real headers are what a Vitis user's csim_design compiles with.
/// </summary>
public sealed record ApTypes
{
    /// <summary>The environment variable naming a folder that holds ap_int.h.</summary>
    public const string IncludeVariable = "LENET_AP_INCLUDE";

    /// <summary>The Vitis installation root; its include/ folder holds ap_int.h.</summary>
    public const string VitisVariable = "XILINX_HLS";

    public const string Header = "ap_int.h";

    private ApTypes(string? includeDir, string origin)
    {
        IncludeDir = includeDir;
        Origin = origin;
    }

    /// <summary>The folder holding ap_int.h, or null for the fallback integer types.</summary>
    public string? IncludeDir { get; }

    /// <summary>Where the choice came from: the option, a variable, or why the fallback was used.</summary>
    public string Origin { get; }

    public bool IsReal => IncludeDir is not null;

    /// <summary>
    /// The g++ flags selecting this type world explicitly, so that an ap_int.h that happens to be on the
    /// compiler's default path cannot change it. -isystem keeps the vendor header's own warnings out
    /// of our -Werror build, as it would be for any installed library.
    /// </summary>
    public IReadOnlyList<string> CompilerFlags => IncludeDir is { } dir
        ? ["-DLENET_USE_AP_INT", "-isystem", dir]
        : ["-DLENET_NO_AP_INT"];

    /// <summary>The fallback standard integer types (int8_t … int64_t).</summary>
    public static ApTypes Fallback(string origin = "no ap_int.h given") => new(null, origin);

    /// <summary>The real headers in <paramref name="dir"/>; fails with one line when ap_int.h is not there.</summary>
    public static ApTypes At(string dir, string origin)
    {
        string full = Path.GetFullPath(dir);
        if (!File.Exists(Path.Combine(full, Header)))
            throw LeNetHlsException.InFile(full, $"no {Header} in this folder ({origin}); it must hold Xilinx's ap_int.h, ap_fixed.h and etc/");
        return new ApTypes(full, origin);
    }

    /// <summary>
    /// The type world for a C simulation: <paramref name="option"/> (--ap-include DIR) first, then
    /// $LENET_AP_INCLUDE, then $XILINX_HLS/include, else the fallback types. A folder named explicitly
    /// must hold ap_int.h; a Vitis installation without it only falls back, and says so.
    /// </summary>
    public static ApTypes Find(string? option) => Find(option, Environment.GetEnvironmentVariable);

    public static ApTypes Find(string? option, Func<string, string?> environment)
    {
        if (!string.IsNullOrEmpty(option)) return At(option, "--ap-include");
        if (environment(IncludeVariable) is { Length: > 0 } fromVariable) return At(fromVariable, $"${IncludeVariable}");
        if (environment(VitisVariable) is { Length: > 0 } vitis)
        {
            string include = Path.Combine(vitis, "include");
            return File.Exists(Path.Combine(include, Header))
                ? At(include, $"${VitisVariable}/include")
                : Fallback($"${VitisVariable}/include has no {Header}");
        }
        return Fallback($"no --ap-include, ${IncludeVariable} or ${VitisVariable}");
    }

    /// <summary>The line the csim log carries.</summary>
    public override string ToString() => IncludeDir is { } dir
        ? $"real Xilinx headers at {dir} ({Origin})"
        : $"fallback integer types ({Origin})";
}
