using LeNetHls.Core.Templating;

namespace LeNetHls.Core.Tests.Templating;

public sealed class TemplateFileTests : IDisposable
{
    public sealed record Sample(string ModelName, IReadOnlyList<int> LayerWidths);

    private readonly List<string> _dirs = [];

    public void Dispose()
    {
        foreach (var dir in _dirs) Directory.Delete(dir, recursive: true);
    }

    private string Write(string text)
    {
        string dir = RepoPaths.NewTempDir("template");
        _dirs.Add(dir);
        string path = Path.Combine(dir, "sample.sbn");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void PascalCase_members_appear_in_snake_case()
    {
        var template = TemplateFile.Load(Write("{{ model_name }}:{{ for w in layer_widths }} {{ w }}{{ end }}\n"));
        Assert.Equal("lenet5: 8 16\n", template.Render(new Sample("lenet5", [8, 16])));
    }

    [Fact]
    public void A_statement_alone_on_its_line_leaves_no_line_behind()
    {
        var template = TemplateFile.Load(Write("begin\n{{~ for w in layer_widths ~}}\n{{ w }}\n{{~ end ~}}\nend\n"));
        Assert.Equal("begin\n8\n16\nend\n", template.Render(new Sample("m", [8, 16])));
    }

    [Fact]
    public void A_syntax_error_names_the_file_line_and_column_on_one_line()
    {
        string path = Write("line one\n  {{ for w in }}\n");
        var e = Assert.Throws<LeNetHlsException>(() => TemplateFile.Load(path));
        Assert.StartsWith($"{path}: line 2, column ", e.Message);
        Assert.Contains("template syntax error", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void An_unknown_variable_is_an_error_naming_its_line_and_column()
    {
        string path = Write("{{ model_name }}\nwidth {{ layer_width }}\n");
        var e = Assert.Throws<LeNetHlsException>(() => TemplateFile.Load(path).Render(new Sample("m", [8])));
        Assert.StartsWith($"{path}: line 2, column 10: template error: ", e.Message);
        Assert.Contains("layer_width", e.Message);
    }

    [Fact]
    public void An_unknown_member_of_a_nested_record_is_an_error()
    {
        string path = Write("{{ for w in layer_widths }}{{ w.bits }}{{ end }}");
        var e = Assert.Throws<LeNetHlsException>(() => TemplateFile.Load(path).Render(new Sample("m", [8])));
        Assert.StartsWith($"{path}: line 1, column ", e.Message);
        Assert.Contains("bits", e.Message);
    }

    [Fact]
    public void The_CSharp_name_of_a_member_is_unknown_in_the_template()
    {
        string path = Write("{{ ModelName }}");
        var e = Assert.Throws<LeNetHlsException>(() => TemplateFile.Load(path).Render(new Sample("m", [])));
        Assert.Contains("ModelName", e.Message);
    }
}
