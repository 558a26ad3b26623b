namespace LeNetHls.RtlCodegen;

/// <summary>
/// The static Verilog library (rtl/), the templates (templates/rtl/) and the Verilator harness
/// (testbench/verilator/), copied next to the binaries by the project file. LENET_HLS_HOME
/// overrides the root (for example to use a checkout's files without rebuilding).
/// </summary>
public static class RtlAssets
{
    public const string HomeVariable = "LENET_HLS_HOME";

    public static string Root
    {
        get
        {
            string? home = Environment.GetEnvironmentVariable(HomeVariable);
            return string.IsNullOrEmpty(home) ? AppContext.BaseDirectory : home;
        }
    }

    public static string RtlLibraryDir => Existing(Path.Combine(Root, "rtl"));
    public static string HarnessDir => Existing(Path.Combine(Root, "testbench", "verilator"));

    public static string Template(string name) => ExistingFile(Path.Combine(Root, "templates", "rtl", name));

    public static string HarnessFile(string name) => ExistingFile(Path.Combine(HarnessDir, name));

    private static string Existing(string dir) =>
        Directory.Exists(dir) ? dir : throw new LeNetHlsException($"{dir}: RTL asset folder not found (reinstall lenet-hls or set {HomeVariable} to the repository root)");

    private static string ExistingFile(string path) =>
        File.Exists(path) ? path : throw new LeNetHlsException($"{path}: RTL asset file not found (reinstall lenet-hls or set {HomeVariable} to the repository root)");
}
