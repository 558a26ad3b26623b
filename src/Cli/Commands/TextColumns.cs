namespace LeNetHls.Cli.Commands;

/// <summary>Plain aligned columns: readable in logs and at any terminal width.</summary>
internal static class TextColumns
{
    public static void Print(List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
            Console.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
    }
}
