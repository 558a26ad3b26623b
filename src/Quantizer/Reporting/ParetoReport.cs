using LeNetHls.Quantizer.Search;

namespace LeNetHls.Quantizer.Reporting;

/// <summary>A mixed-precision search's Pareto front as Markdown table and SVG chart, and its candidates as text lines.</summary>
public static class ParetoReport
{
    /// <summary>One candidate as a fixed-width text line (logs and NAME-search.md).</summary>
    public static string Line(SearchCandidate c) => string.Create(CultureInfo.InvariantCulture,
        $"{c.Widths,-34} rom {c.Cost.RomBits,8} bits  mult {c.Cost.MultiplierBitProducts,6}  cost {c.Cost.Total,8}  validation {100 * c.Accuracy,6:F2} %{(c.MeetsTarget ? "  meets target" : "")}");

    /// <summary>Markdown table of a Pareto front (validation accuracy, as the search measured it).</summary>
    public static string Table(IEnumerable<SearchCandidate> front)
    {
        var sb = new StringBuilder("| widths (weights / activations / scores) | ROM bits | weight ROM bits | multiplier bit-products | cost | validation accuracy |\n");
        sb.Append("|---|---:|---:|---:|---:|---:|\n");
        foreach (var c in front)
            sb.Append(string.Create(CultureInfo.InvariantCulture,
                $"| `{c.Widths}` | {c.Cost.RomBits} | {c.Cost.WeightRomBits} | {c.Cost.MultiplierBitProducts} | {c.Cost.Total} | {100 * c.Accuracy:F2} % |\n"));
        return sb.ToString();
    }

    /// <summary>How far below the target the chart's accuracy axis reaches; collapsed candidates sit hollow on its edge.</summary>
    private const double ChartDepthBelowTarget = 5;

    /// <summary>Cost against validation accuracy: the front as a line, every candidate as a point, the target and the choice.</summary>
    public static string Chart(SearchSummary search, string modelName)
    {
        var all = search.Candidates.Select(c => ((double)c.Cost.Total, 100 * c.Accuracy)).ToList();
        double minCost = all.Min(p => p.Item1), maxCost = all.Max(p => p.Item1);
        var series = new List<ChartSeries>
        {
            new("Pareto front", search.Pareto.Select(c => ((double)c.Cost.Total, 100 * c.Accuracy)).ToList(), "#1f77b4"),
            new("every candidate", all, "#aaaaaa", MarkersOnly: true),
            new(string.Create(CultureInfo.InvariantCulture, $"target {100 * search.Target:F2} %"), [(minCost, 100 * search.Target), (maxCost, 100 * search.Target)], "#d62728", Dashed: true),
        };
        if (search.Chosen is { } c)
            series.Add(new ChartSeries("chosen", [((double)c.Cost.Total, 100 * c.ValidationAccuracy)], "#2ca02c", MarkersOnly: true, Emphasized: true));
        // Candidates that collapsed (a 2-bit step too far) would squash the front into one line.
        double floor = Math.Max(0, Math.Floor(100 * search.Target) - ChartDepthBelowTarget);
        return SvgChart.LineChart($"{modelName}: mixed-precision search, validation accuracy vs cost", "cost (ROM bits + multiplier bit-products, log scale)",
                                  "validation accuracy (%)", series, floor, logX: true);
    }
}
