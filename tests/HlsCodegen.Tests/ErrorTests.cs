namespace LeNetHls.HlsCodegen.Tests;

/// <summary>Tests that change process-wide environment variables run alone.</summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public class ProcessEnvironment;

/// <summary>User errors: one line that names the file and the problem.</summary>
[Collection(nameof(ProcessEnvironment))]
[Trait("Category", "Integration")]
public class ErrorTests
{
    private static readonly Core.Quantized.QModel Model = SyntheticQModel.Create(Presets.LeNet5(), 8, 8);

    [Fact]
    public void Cpp_that_fails_to_compile_reports_the_first_compiler_error_on_one_line()
    {
        string hls = Path.Combine(RepoPaths.NewTempDir("hls-broken"), "hls");
        HlsGenerator.Generate(Model, hls, new HlsOptions());
        File.AppendAllText(Path.Combine(hls, "lenet5.cpp"), "\nint broken = undefined_name;\n");
        var e = Assert.Throws<LeNetHlsException>(() => CsimRunner.Compile(hls, trace: false, ApTypes.Fallback()));
        Assert.StartsWith($"{hls}: g++ failed: lenet5.cpp:", e.Message);
        Assert.Contains("error:", e.Message);
        Assert.Contains("undefined_name", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Missing_compiler_is_a_clear_error()
    {
        string hls = Path.Combine(RepoPaths.NewTempDir("hls-nogxx"), "hls");
        HlsGenerator.Generate(Model, hls, new HlsOptions());
        string? path = Environment.GetEnvironmentVariable("PATH");
        Environment.SetEnvironmentVariable("PATH", RepoPaths.NewTempDir("empty-path"));
        try
        {
            var e = Assert.Throws<LeNetHlsException>(() => CsimRunner.Compile(hls, trace: false, ApTypes.Fallback()));
            Assert.StartsWith("g++: not found on PATH", e.Message);
        }
        finally { Environment.SetEnvironmentVariable("PATH", path); }
    }

    [Fact]
    public void Missing_template_is_named()
    {
        string home = RepoPaths.NewTempDir("hls-home");
        string templates = Path.Combine(home, "templates", "hls");
        Directory.CreateDirectory(templates);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(HlsAssets.Root, "templates", "hls")))
            if (Path.GetFileName(file) != "lenet5.cpp.sbn") File.Copy(file, Path.Combine(templates, Path.GetFileName(file)));
        Environment.SetEnvironmentVariable(HlsAssets.HomeVariable, home);
        try
        {
            var e = Assert.Throws<LeNetHlsException>(() => HlsGenerator.Generate(Model, Path.Combine(home, "out"), new HlsOptions()));
            Assert.Equal($"{Path.Combine(templates, "lenet5.cpp.sbn")}: template not found (reinstall lenet-hls or set {HlsAssets.HomeVariable})", e.Message);
            Assert.False(Directory.Exists(Path.Combine(home, "out")));
        }
        finally { Environment.SetEnvironmentVariable(HlsAssets.HomeVariable, null); }
    }

    [Fact]
    public void Lenet_hls_home_without_templates_is_rejected()
    {
        string home = RepoPaths.NewTempDir("hls-home-empty");
        Environment.SetEnvironmentVariable(HlsAssets.HomeVariable, home);
        try
        {
            var e = Assert.Throws<LeNetHlsException>(() => HlsAssets.Root);
            Assert.Equal($"{HlsAssets.HomeVariable}={home}: no templates/hls folder there", e.Message);
        }
        finally { Environment.SetEnvironmentVariable(HlsAssets.HomeVariable, null); }
    }

    [Theory]
    [InlineData(0, "xc7z020clg400-1", 10.0, "--multipliers: 0 is not a positive number")]
    [InlineData(8, "xc7z020; rm -rf /", 10.0, "--part: 'xc7z020; rm -rf /' is not an FPGA part name (letters, digits and '-')")]
    [InlineData(8, "xc7z020clg400-1", 0.0, "--clock-ns: 0 is not a clock period in ns (0 < T < 1000)")]
    public void Invalid_options_are_rejected_before_anything_is_written(int multipliers, string part, double clock, string message)
    {
        string dir = Path.Combine(RepoPaths.NewTempDir("hls-options"), "hls");
        var e = Assert.Throws<LeNetHlsException>(() =>
            HlsGenerator.Generate(Model, dir, new HlsOptions { MultipliersPerLayer = multipliers, Part = part, ClockNs = clock }));
        Assert.Equal(message, e.Message);
        Assert.False(Directory.Exists(dir));
    }
}
