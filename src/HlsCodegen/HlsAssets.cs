namespace LeNetHls.HlsCodegen;

/// <summary>
/// Finds the static files the generator copies or renders: templates/hls, hls/nnet and testbench/csim.
/// They are copied next to the binaries at build time; LENET_HLS_HOME overrides, and a source checkout
/// above the binaries is the last resort.
/// </summary>
public static class HlsAssets
{
    public const string HomeVariable = "LENET_HLS_HOME";
    private const string Marker = "templates/hls";

    public static string Root => FindRoot();

    public static string Template(string name) => Existing(Path.Combine(Root, "templates", "hls", name), "template");

    public static string KernelDir => Existing(Path.Combine(Root, "hls", "nnet"), "kernel library folder");

    public static string TestbenchDir => Existing(Path.Combine(Root, "testbench", "csim"), "testbench folder");

    private static string FindRoot()
    {
        var home = Environment.GetEnvironmentVariable(HomeVariable);
        if (!string.IsNullOrEmpty(home))
        {
            if (!Directory.Exists(Path.Combine(home, Marker)))
                throw new LeNetHlsException($"{HomeVariable}={home}: no {Marker} folder there");
            return Path.GetFullPath(home);
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, Marker))) return dir.FullName;
        throw new LeNetHlsException($"{Marker}: not found next to {AppContext.BaseDirectory} or above it (set {HomeVariable} to the folder holding it)");
    }

    private static string Existing(string path, string what)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw LeNetHlsException.InFile(path, $"{what} not found (reinstall lenet-hls or set {HomeVariable})");
        return path;
    }
}
