using LeNetHls.RtlCodegen;

namespace LeNetHls.HlsCodegen.Tests;

/// <summary>
/// A broken template in the asset folder (found through LENET_HLS_HOME, as an installed copy is) stops
/// generation with one line naming the template, line and column, before any output is written.
/// LENET_HLS_HOME is process-wide, hence the non-parallel collection.
/// </summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class TemplateErrorTests : IDisposable
{
    private readonly List<string> _dirs = [];

    public void Dispose()
    {
        foreach (var dir in _dirs) Directory.Delete(dir, recursive: true);
    }

    private string CopyAssets()
    {
        string home = RepoPaths.NewTempDir("template-home");
        _dirs.Add(home);
        foreach (var folder in new[] { "templates", "hls", "rtl", "testbench" })
            foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, folder), "*", SearchOption.AllDirectories))
            {
                string target = Path.Combine(home, Path.GetRelativePath(RepoPaths.Root, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        return home;
    }

    [Theory]
    [InlineData("hls/lenet5.h.sbn", "{{ pixels }}", "{{ for }}", "line 8, column ", "template syntax error")]
    [InlineData("hls/lenet5_config.h.sbn", "{{ layer.kernel }};", "{{ layer.kernal }};", "line 38, column 45: template error: ", "kernal")]
    [InlineData("rtl/lenet_taps.h.sbn", "{{ layer_count }}];", "{{ layer_total }}];", "line 14, column 36: template error: ", "layer_total")]
    [InlineData("rtl/top.v.sbn", "{{ coord_width }}", "{{ coord_width", "line ", "template syntax error")]
    public void A_broken_template_stops_generation_with_one_line_naming_it_and_writes_nothing(
        string template, string original, string broken, string position, string problem)
    {
        string home = CopyAssets();
        string templatePath = Path.Combine(home, "templates", template);
        File.WriteAllText(templatePath, File.ReadAllText(templatePath).Replace(original, broken));
        string outParent = RepoPaths.NewTempDir("template-out");
        _dirs.Add(outParent);
        string outDir = Path.Combine(outParent, "out");
        var model = SyntheticQModel.Create(Presets.LeNet5());
        string? previous = Environment.GetEnvironmentVariable(HlsAssets.HomeVariable);
        Environment.SetEnvironmentVariable(HlsAssets.HomeVariable, home);
        try
        {
            var e = Assert.Throws<LeNetHlsException>(() =>
            {
                if (template.StartsWith("hls/", StringComparison.Ordinal)) HlsGenerator.Generate(model, outDir, new HlsOptions());
                else RtlGenerator.Generate(model, outDir, new RtlOptions());
            });
            Assert.True(e.Message.StartsWith($"{templatePath}: {position}", StringComparison.Ordinal), e.Message);
            Assert.Contains(problem, e.Message);
            Assert.DoesNotContain('\n', e.Message);
            Assert.False(Directory.Exists(outDir));
        }
        finally
        {
            Environment.SetEnvironmentVariable(HlsAssets.HomeVariable, previous);
        }
    }
}
