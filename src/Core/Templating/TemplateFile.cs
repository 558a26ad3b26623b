using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace LeNetHls.Core.Templating;

/// <summary>
/// One Scriban template file, parsed once and rendered against a typed model record. The record's
/// PascalCase members appear in the template in snake_case (<c>LayerCount</c> is <c>layer_count</c>);
/// an unknown variable or member is an error, as is any parse error, reported on one line as
/// "FILE: line L, column C: problem".
/// </summary>
public sealed class TemplateFile
{
    private static readonly MemberRenamerDelegate Renamer = StandardMemberRenamer.Default;

    private readonly Template _template;

    private TemplateFile(string path, Template template)
    {
        Path = path;
        _template = template;
    }

    public string Path { get; }

    /// <summary>Reads and parses <paramref name="path"/>; a syntax error names its line and column.</summary>
    public static TemplateFile Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw LeNetHlsException.InFile(path, $"template cannot be read ({e.Message})");
        }
        var template = Template.Parse(text, path);
        if (template.HasErrors)
        {
            var error = template.Messages.FirstOrDefault(m => m.Type == ParserMessageType.Error) ?? template.Messages[0];
            throw Error(path, error.Span, "template syntax error", error.Message);
        }
        return new TemplateFile(path, template);
    }

    /// <summary>Renders with the members of <paramref name="model"/> as the template's variables.</summary>
    public string Render(object model)
    {
        var globals = new ScriptObject();
        globals.Import(model, renamer: Renamer);
        var context = new TemplateContext
        {
            StrictVariables = true,
            EnableRelaxedMemberAccess = false,
            MemberRenamer = Renamer,
            // ROM tables loop over thousands of rows; the limit guards against runaway loops, not data.
            LoopLimit = int.MaxValue,
        };
        context.PushGlobal(globals);
        try
        {
            return _template.Render(context);
        }
        catch (ScriptRuntimeException e)
        {
            throw Error(Path, e.Span, "template error", e.OriginalMessage);
        }
    }

    private static LeNetHlsException Error(string path, SourceSpan span, string what, string message) =>
        LeNetHlsException.InFile(path, $"line {span.Start.Line + 1}, column {span.Start.Column + 1}: {what}: {OneLine(message)}");

    private static string OneLine(string message) => string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
}
