using System.Text.RegularExpressions;

namespace LeNetHls.RtlCodegen;

/// <summary>One module of a yosys RTLIL dump: its text (with the attributes above it), ports and sub-module cells.</summary>
internal sealed record RtlilModule(string Name, string Text, IReadOnlyList<string> PortLines, IReadOnlyList<RtlilCell> Cells);

internal sealed record RtlilCell(string Type, string Instance);

/// <summary>
/// The small part of yosys' text netlist format (RTLIL) the synthesis estimate needs: split a design
/// into modules, write a port-only blackbox of a module, and renumber yosys' automatic names so the
/// same module elaborated inside two different designs has the same text (and so the same cache key).
/// </summary>
internal static partial class Rtlil
{
    public static List<RtlilModule> ParseModules(string text)
    {
        var modules = new List<RtlilModule>();
        var pendingAttributes = new List<string>();
        StringBuilder? body = null;
        string name = "";
        List<string> ports = [];
        List<RtlilCell> cells = [];
        foreach (string line in text.Split('\n'))
        {
            if (body is null)
            {
                if (line.StartsWith("attribute ", StringComparison.Ordinal)) pendingAttributes.Add(line);
                else if (line.StartsWith("module ", StringComparison.Ordinal))
                {
                    name = line["module ".Length..].Trim();
                    body = new StringBuilder();
                    foreach (var a in pendingAttributes) body.Append(a).Append('\n');
                    pendingAttributes.Clear();
                    body.Append(line).Append('\n');
                    ports = [];
                    cells = [];
                }
                else if (line.Length > 0 && !line.StartsWith("autoidx", StringComparison.Ordinal)) pendingAttributes.Clear();
                continue;
            }
            body.Append(line).Append('\n');
            if (line == "end")
            {
                modules.Add(new RtlilModule(name, body.ToString(), ports, cells));
                body = null;
            }
            else if (PortLine().IsMatch(line)) ports.Add(line);
            else if (CellLine().Match(line) is { Success: true } cell) cells.Add(new RtlilCell(cell.Groups[1].Value, cell.Groups[2].Value));
        }
        return modules;
    }

    /// <summary>The module reduced to its ports, marked blackbox: a parent can be synthesized without it.</summary>
    public static string Blackbox(RtlilModule module)
    {
        var text = new StringBuilder("attribute \\blackbox 1\n");
        text.Append("module ").Append(module.Name).Append('\n');
        foreach (var port in module.PortLines) text.Append(port).Append('\n');
        return text.Append("end\n").ToString();
    }

    /// <summary>
    /// Replaces the numbers of yosys' automatic names (`$add$f.v:12$345_Y`, meminit priorities) by their
    /// rank among the numbers of this text, zero-padded so that name order is kept both numerically and
    /// as strings. Two elaborations of one module then give the same text, whatever else each design held.
    /// </summary>
    public static string NormalizeAutoNames(string text)
    {
        var numbers = new SortedSet<long>();
        foreach (Match m in AutoNumber().Matches(text)) numbers.Add(long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        var rank = new Dictionary<long, string>();
        int k = 0;
        foreach (long n in numbers) rank[n] = (1_000_000 + k++).ToString(CultureInfo.InvariantCulture);
        return AutoNumber().Replace(text, m => rank[long.Parse(m.Value, CultureInfo.InvariantCulture)]);
    }

    [GeneratedRegex(@"^  wire\b.*\s(input|output|inout)\s\d+\s")]
    private static partial Regex PortLine();

    [GeneratedRegex(@"^  cell (\S+) (\S+)$")]
    private static partial Regex CellLine();

    /// <summary>`$NNN` closing an automatic name (followed by `_`, `$`, `.`, a space or the line end) or a meminit priority.</summary>
    [GeneratedRegex(@"(?:(?<=\S\$)|(?<=parameter \\PRIORITY ))(\d+)(?=[_$.\s\[]|$)", RegexOptions.Multiline)]
    private static partial Regex AutoNumber();
}
