namespace LeNetHls.HlsCodegen.Tests;

/// <summary>A generated folder holds no path of the machine it was generated on, and works after being moved.</summary>
public class MovedProjectTests
{
    private static readonly QModel Model = SyntheticQModel.Create(Presets.LeNet5(), 6, 6, seed: 9);

    [Fact]
    public void Generated_files_hold_no_absolute_path_of_the_generating_machine()
    {
        string dir = RepoPaths.NewTempDir("hls-paths");
        string qmodel = Path.Combine(dir, "m.qmodel.json");
        QModelFile.Save(Model, qmodel);
        HlsProject.Codegen(qmodel, Path.Combine(dir, "out"), new HlsOptions());
        string hls = Path.Combine(dir, "out", "hls");
        Assert.True(File.Exists(Path.Combine(hls, "hls_config.cfg")));
        foreach (var file in Directory.EnumerateFiles(hls, "*", SearchOption.AllDirectories))
        {
            string text = File.ReadAllText(file);
            Assert.False(text.Contains(dir, StringComparison.Ordinal), $"{Path.GetRelativePath(hls, file)} names {dir}");
            Assert.False(text.Contains(RepoPaths.Root, StringComparison.Ordinal), $"{Path.GetRelativePath(hls, file)} names {RepoPaths.Root}");
        }
        Assert.DoesNotContain("csim.argv", File.ReadAllText(Path.Combine(hls, "hls_config.cfg")));
    }

    [Fact]
    public void Moved_folder_passes_csim()
    {
        string dir = RepoPaths.NewTempDir("hls-move");
        string qmodel = Path.Combine(dir, "m.qmodel.json");
        QModelFile.Save(Model, qmodel);
        string original = Path.Combine(dir, "generated");
        HlsProject.Codegen(qmodel, original, new HlsOptions());
        string moved = Path.Combine(RepoPaths.NewTempDir("hls-moved"), "elsewhere");
        Directory.Move(original, moved);
        Assert.False(Directory.Exists(original));

        var images = TestModels.Images(25);
        var report = CsimRunner.Run(Model, Path.Combine(moved, "hls"), Path.Combine(moved, "tb_data"), images, ApTypes.Fallback());
        Assert.True(report.Passed, report.Divergence?.ToString());
        Assert.Equal(25, report.Images);
    }

    /// <summary>
    /// Vitis compiles the testbench in a build folder of its own and runs it there; hls_config.cfg gives it no
    /// path, so it finds DIR/tb_data from its own source location. Here: compiled by absolute path and run,
    /// without arguments, from an unrelated working directory, after the folder was moved.
    /// </summary>
    [Fact]
    public void Testbench_without_arguments_finds_tb_data_beside_its_moved_hls_folder()
    {
        string original = Path.Combine(RepoPaths.NewTempDir("hls-tbdata"), "gen");
        HlsGenerator.Generate(Model, Path.Combine(original, "hls"), new HlsOptions());
        var images = TestModels.Images(12);
        TestVectors.Write(Path.Combine(original, "tb_data"), images, GoldenScores.Compute(Model, images));
        string moved = Path.Combine(RepoPaths.NewTempDir("hls-tbdata-moved"), "gen");
        Directory.Move(original, moved);

        string hls = Path.Combine(moved, "hls"), build = Path.Combine(moved, "hls", "vitis_like", "csim", "build");
        Directory.CreateDirectory(build);
        var compile = TestProcess.Run("g++", build,
            [.. HlsGenerator.CxxFlags, .. ApTypes.Fallback().CompilerFlags, $"-I{hls}", "-o", "csim.exe",
             Path.Combine(hls, "lenet5.cpp"), Path.Combine(hls, "tb", "lenet5_tb.cpp")]);
        Assert.True(compile.ExitCode == 0, compile.Stderr);

        var run = TestProcess.Run(Path.Combine(build, "csim.exe"), build, []);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("csim: 12 images, 0 mismatched", run.Stdout);
        Assert.Equal(GoldenScores.Compute(Model, images), TestVectors.ReadScores(Path.Combine(moved, "tb_data", TestVectors.CsimScoresFile), 10));
    }
}
