namespace LeNetHls.TestSupport;

/// <summary>Locations in the repository, found by walking up to LeNetHls.sln from the test binaries.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string MnistDir => Path.Combine(Root, "data", "mnist");

    /// <summary>A fresh empty folder under the system temp directory.</summary>
    public static string NewTempDir(string prefix = "lenet-test")
    {
        string dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRoot()
    {
        string? recorded = typeof(RepoPaths).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepoRoot")?.Value;
        if (recorded is not null && File.Exists(Path.Combine(recorded, "LeNetHls.sln"))) return Path.GetFullPath(recorded);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LeNetHls.sln"))) return dir.FullName;
        throw new InvalidOperationException("LeNetHls.sln not found above " + AppContext.BaseDirectory);
    }
}
