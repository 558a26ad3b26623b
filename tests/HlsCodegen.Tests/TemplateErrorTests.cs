using LeNetHls.Core.IO;
using LeNetHls.Core.Model;
using LeNetHls.RtlCodegen;
using LeNetHls.TestSupport;

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

    private LeNetHlsException GenerateWith(string template, Func<string, string> edit, Action<string> generate, out string templatePath, out string outDir)
    {
        string home = CopyAssets();
        templatePath = Path.Combine(home, "templates", template);
        File.WriteAllText(templatePath, edit(File.ReadAllText(templatePath)));
        string outParent = RepoPaths.NewTempDir("template-out");
        _dirs.Add(outParent);
        outDir = Path.Combine(outParent, "out");
        string? previous = Environment.GetEnvironmentVariable(HlsAssets.HomeVariable);
        Environment.SetEnvironmentVariable(HlsAssets.HomeVariable, home);
        try
        {
            string dir = outDir;
            return Assert.Throws<LeNetHlsException>(() => generate(dir));
        }
        finally
        {
            Environment.SetEnvironmentVariable(HlsAssets.HomeVariable, previous);
        }
    }

    private static void GenerateHls(string dir) =>
        HlsGenerator.Generate(SyntheticQModel.Create(Presets.LeNet5()), dir, new HlsOptions());

    private static void GenerateRtl(string dir) =>
        RtlGenerator.Generate(SyntheticQModel.Create(Presets.LeNet5()), dir, new RtlOptions());

    [Fact]
    public void A_syntax_error_in_an_hls_template_names_it_and_writes_nothing()
    {
        var e = GenerateWith(Path.Combine("hls", "lenet5.h.sbn"), t => t.Replace("{{ pixels }}", "{{ for }}"), GenerateHls, out string path, out string outDir);
        Assert.True(e.Message.StartsWith($"{path}: line 8, column ", StringComparison.Ordinal), e.Message);
        Assert.Contains("template syntax error", e.Message);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void An_unknown_member_in_an_hls_template_names_its_line_and_column_and_writes_nothing()
    {
        var e = GenerateWith(Path.Combine("hls", "lenet5_config.h.sbn"), t => t.Replace("{{ layer.kernel }};", "{{ layer.kernal }};"), GenerateHls, out string path, out string outDir);
        Assert.True(e.Message.StartsWith($"{path}: line 38, column 45: template error: ", StringComparison.Ordinal), e.Message);
        Assert.Contains("kernal", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void An_unknown_variable_in_an_rtl_template_names_its_line_and_column_and_writes_nothing()
    {
        var e = GenerateWith(Path.Combine("rtl", "lenet_taps.h.sbn"), t => t.Replace("{{ layer_count }}];", "{{ layer_total }}];"), GenerateRtl, out string path, out string outDir);
        Assert.True(e.Message.StartsWith($"{path}: line 14, column 36: template error: ", StringComparison.Ordinal), e.Message);
        Assert.Contains("layer_total", e.Message);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void A_syntax_error_in_an_rtl_template_names_it_and_writes_nothing()
    {
        var e = GenerateWith(Path.Combine("rtl", "top.v.sbn"), t => t.Replace("{{ coord_width }}", "{{ coord_width"), GenerateRtl, out string path, out string outDir);
        Assert.True(e.Message.StartsWith($"{path}: line ", StringComparison.Ordinal), e.Message);
        Assert.Contains("template syntax error", e.Message);
        Assert.False(Directory.Exists(outDir));
    }
}
