using LeNetHls.Quantizer.Search;

namespace LeNetHls.Quantizer.Reporting;

/// <summary>An accuracy sweep as files: accuracy.csv, accuracy.svg, accuracy.md and, with a search, its Pareto chart.</summary>
public static class SweepReportWriter
{
    /// <summary>Percentage points below the float accuracy that the chart's y axis shows.</summary>
    public const double ChartDepth = 10;

    /// <summary>File name of the Pareto chart written next to accuracy.svg when the report has a search.</summary>
    public const string ParetoChartFile = "accuracy-pareto.svg";

    public static void Write(SweepReport report, string dir)
    {
        AtomicFile.EnsureWritableDirectory(dir);
        AtomicFile.WriteAllText(Path.Combine(dir, "accuracy.csv"), Csv(report));
        AtomicFile.WriteAllText(Path.Combine(dir, "accuracy.svg"), Svg(report));
        if (report.Search is { } search) AtomicFile.WriteAllText(Path.Combine(dir, ParetoChartFile), ParetoReport.Chart(search, report.ModelName));
        AtomicFile.WriteAllText(Path.Combine(dir, "accuracy.md"), Markdown(report));
    }

    public static string Csv(SweepReport report)
    {
        var layerNames = report.Points.Select(p => p.Model).FirstOrDefault(m => m is not null)?.Layers.Select(l => l.Name).ToList() ?? [];
        var csv = new StringBuilder("series,bits,weight_bits,act_bits,images,float_accuracy,fixed_accuracy,changed_predictions,error");
        foreach (var name in layerNames) csv.Append($",saturated_{name}");
        // Only a report with QAT rows names their qmodel: a plain sweep keeps its columns.
        bool qat = report.Qat.Count > 0;
        if (qat) csv.Append(",qmodel");
        csv.Append('\n');
        foreach (var p in report.Points)
        {
            var r = p.Result;
            csv.Append(Invariant($"{SeriesName(p.Series)},{p.Bits},{p.WeightBits},{p.ActivationBits},{report.Images},{report.FloatAccuracy:F2},"));
            csv.Append(r is null ? ",," : Invariant($"{r.FixedAccuracy:F2},{r.Changed},"));
            csv.Append(p.Error is null ? "" : Quote(p.Error));
            foreach (var i in Enumerable.Range(0, layerNames.Count)) csv.Append(r is null ? "," : $",{r.Saturations[i]}");
            if (qat) csv.Append(',');
            csv.Append('\n');
        }
        foreach (var q in report.Qat)
        {
            // bits: the uniform width, else the widest tensor; per-layer widths are listed as w1/w2/… .
            string bits = (q.UniformBits ?? q.WeightBits.Concat(q.OutputBits.Take(q.OutputBits.Count - 1)).Max()).ToString(CultureInfo.InvariantCulture);
            string Widths(IEnumerable<int> b) => b.Distinct().Count() == 1 ? b.First().ToString(CultureInfo.InvariantCulture) : string.Join("/", b);
            string w = Widths(q.WeightBits), a = Widths(q.OutputBits.Take(q.OutputBits.Count - 1));
            void Row(string series, AccuracyComparison? r, string? error)
            {
                csv.Append(Invariant($"{series},{bits},{w},{a},{report.Images},{report.FloatAccuracy:F2},"));
                csv.Append(r is null ? ",," : Invariant($"{r.FixedAccuracy:F2},{r.Changed},"));
                csv.Append(error is null ? "" : Quote(error));
                // Saturation columns follow the sweep's layers; a QAT model of the same spec has the same ones.
                foreach (var i in Enumerable.Range(0, layerNames.Count)) csv.Append(r is null || i >= r.Saturations.Length ? "," : $",{r.Saturations[i]}");
                csv.Append($",{q.Name}\n");
            }
            Row(QatSeries, q.Result, null);
            Row(PostTrainingAtQatWidthsSeries, q.PostTraining, q.PostTrainingError);
        }
        return csv.ToString();
    }

    /// <summary>CSV series of a QAT qmodel, and of post-training quantization at its exact widths.</summary>
    public const string QatSeries = "qat", PostTrainingAtQatWidthsSeries = "ptq_at_qat_widths";

    private static string Quote(string s) => '"' + s.Replace("\"", "\"\"") + '"';

    public static string Svg(SweepReport report)
    {
        var colors = new Dictionary<SweepSeries, string> { [SweepSeries.Weights] = "#1f77b4", [SweepSeries.Activations] = "#ff7f0e", [SweepSeries.Both] = "#2ca02c" };
        var series = Enum.GetValues<SweepSeries>().Select(s => new ChartSeries(
            SeriesLabel(s),
            report.Points.Where(p => p.Series == s && p.Result is not null).OrderBy(p => p.Bits).Select(p => ((double)p.Bits, p.Result!.FixedAccuracy)).ToList(),
            colors[s])).Where(s => s.Points.Count > 0).ToList();
        // The QAT line joins the best model of each width; further models of a width are drawn as points.
        var uniform = report.Qat.Where(q => q.UniformBits is not null).GroupBy(q => q.UniformBits!.Value).OrderBy(g => g.Key)
            .Select(g => g.OrderByDescending(q => q.Result.FixedAccuracy).ToList()).ToList();
        var qat = uniform.Select(g => ((double)g[0].UniformBits!.Value, g[0].Result.FixedAccuracy)).ToList();
        var others = uniform.SelectMany(g => g.Skip(1)).Select(q => ((double)q.UniformBits!.Value, q.Result.FixedAccuracy)).ToList();
        if (qat.Count > 0) series.Add(new ChartSeries("QAT (both)", qat, QatColor, Emphasized: true));
        if (others.Count > 0) series.Add(new ChartSeries("QAT, other runs", others, QatColor, MarkersOnly: true, Emphasized: true));
        var widths = report.Points.Select(p => (double)p.Bits).Concat(qat.Select(p => p.Item1)).ToList();
        series.Add(new ChartSeries($"float {report.FloatAccuracy:F2} %", [(widths.Min(), report.FloatAccuracy), (widths.Max(), report.FloatAccuracy)], "#555555", Dashed: true));
        // Accuracy collapses at 2 to 3 bits; an axis down to 0 % would flatten everything that matters.
        double floor = Math.Max(0, Math.Floor(report.FloatAccuracy) - ChartDepth);
        return SvgChart.LineChart($"{report.ModelName}: test accuracy vs bits ({report.Images} images)", "bits", "accuracy (%)", series, floor);
    }

    public static string Markdown(SweepReport report)
    {
        var md = new StringBuilder();
        var o = report.BaseOptions;
        md.Append($"# Accuracy vs bits: {report.ModelName}\n\n");
        md.Append(Invariant($"Float accuracy: **{report.FloatAccuracy:F2} %** on {report.Images} MNIST test images. "));
        md.Append($"Calibration: {o.Calibration.ToString().ToLowerInvariant()} over {report.CalibrationImages} training images; ");
        md.Append($"weights: {(o.WeightMethod == WeightMethod.Mse ? "mse" : "maxabs")}; rounding {Core.FixedPoint.ModeNames.QModelName(o.Rounding)}, overflow {Core.FixedPoint.ModeNames.QModelName(o.Overflow)}. ");
        md.Append($"A series that narrows only weights or only activations keeps the other at {AccuracySweep.ReferenceBits} bits. ");
        md.Append("Splits: every accuracy in this report is on the test set, which chooses nothing; formats are calibrated on training images, and a search chooses on its validation split.\n\n");
        md.Append("![accuracy vs bits](accuracy.svg)\n\n");
        md.Append("## Fixed-point accuracy (%, test set) and changed predictions\n\n");
        // The QAT column appears only when some QAT model is uniform: a plain sweep keeps its table.
        bool qatColumn = report.Qat.Any(q => q.UniformBits is not null);
        md.Append(qatColumn
            ? "| bits | weights only | activations only | both | QAT (both) | changed (w / a / both) |\n|---:|---:|---:|---:|---:|---:|\n"
            : "| bits | weights only | activations only | both | changed (w / a / both) |\n|---:|---:|---:|---:|---:|\n");
        foreach (int bits in report.Points.Select(p => p.Bits).Distinct())
        {
            SweepPoint? At(SweepSeries s) => report.Points.FirstOrDefault(p => p.Bits == bits && p.Series == s);
            string Acc(SweepSeries s) => At(s)?.Result is { } r ? Invariant($"{r.FixedAccuracy:F2}") : "n/a";
            string Changed(SweepSeries s) => At(s)?.Result is { } r ? r.Changed.ToString(CultureInfo.InvariantCulture) : "n/a";
            var qat = report.Qat.Where(q => q.UniformBits == bits).Select(q => Invariant($"**{q.Result.FixedAccuracy:F2}**")).ToList();
            string qatCell = qatColumn ? (qat.Count == 0 ? "– | " : string.Join(", ", qat) + " | ") : "";
            md.Append($"| {bits} | {Acc(SweepSeries.Weights)} | {Acc(SweepSeries.Activations)} | {Acc(SweepSeries.Both)} | {qatCell}" +
                      $"{Changed(SweepSeries.Weights)} / {Changed(SweepSeries.Activations)} / {Changed(SweepSeries.Both)} |\n");
        }
        if (report.Qat.Count > 0) md.Append(QatMarkdown(report));
        if (report.Search is { } search) md.Append(SearchMarkdown(search));
        var failed = report.Points.Where(p => p.Error is not null).ToList();
        if (failed.Count > 0)
        {
            md.Append("\nNot quantizable:\n\n");
            foreach (var p in failed) md.Append($"* {SeriesName(p.Series)} at {p.Bits} bits: {p.Error}\n");
        }
        var both = report.Points.Where(p => p.Series == SweepSeries.Both && p.Model is not null).ToList();
        if (both.Count > 0)
        {
            var layers = both[0].Model!.Layers;
            md.Append("\n## Per-layer formats (both narrowed)\n\nEach cell: weights / accumulator / output. `fx<W,F>` is `ap_fixed<W, W−F>`.\n\n");
            md.Append("| bits | " + string.Join(" | ", layers.Select(l => l.Name)) + " |\n|---:|" + string.Concat(layers.Select(_ => "---|")) + "\n");
            foreach (var p in both)
                md.Append($"| {p.Bits} | " + string.Join(" | ", p.Model!.Layers.Select(FormatCell)) + " |\n");
            md.Append("\n## Per-layer saturation counts (both narrowed, summed over all test images)\n\n");
            md.Append("Values clipped by requantization (for tanh layers: table indices clamped to the table's ends).\n\n");
            md.Append("| bits | " + string.Join(" | ", layers.Select(l => l.Name)) + " |\n|---:|" + string.Concat(layers.Select(_ => "---:|")) + "\n");
            foreach (var p in both)
                md.Append($"| {p.Bits} | " + string.Join(" | ", p.Result!.Saturations) + " |\n");
        }
        return md.ToString();
    }

    private const string QatColor = "#9467bd";

    /// <summary>Each QAT model against post-training quantization at exactly its widths, with its hardware cost.</summary>
    public static string QatMarkdown(SweepReport report)
    {
        var md = new StringBuilder("\n## Quantization-aware training against post-training quantization\n\n");
        md.Append(Invariant($"Golden-model accuracy on the same {report.Images} test images. *Post-training, same widths* quantizes this report's float model "));
        md.Append("with exactly the QAT model's per-layer weight, activation and score widths and its rounding and overflow, so the gain is the training alone. ");
        md.Append("QAT models keep 8-bit scores by default (docs/qat.md), while the *both* column above narrows the scores too. ");
        md.Append("Cost = ROM bits + multiplier bit-products (docs/qat.md).\n\n");
        md.Append("| qmodel | widths | QAT | post-training, same widths | gain (pp) | changed vs float | ROM bits | weight ROM bits | cost |\n");
        md.Append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var q in report.Qat)
        {
            string ptq = q.PostTraining is { } p ? Invariant($"{p.FixedAccuracy:F2}") : "n/a";
            string gain = q.PostTraining is { } g ? Invariant($"{q.Result.FixedAccuracy - g.FixedAccuracy:+0.00;-0.00;0.00}") : "n/a";
            var cost = q.Cost;
            md.Append(Invariant($"| `{q.Name}` | {q.Widths} | **{q.Result.FixedAccuracy:F2}** | {ptq} | {gain} | {q.Result.Changed} | {cost.RomBits} | {cost.WeightRomBits} | {cost.Total} |\n"));
        }
        foreach (var q in report.Qat.Where(q => q.PostTrainingError is not null))
            md.Append($"\n* post-training quantization at the widths of `{q.Name}` failed: {q.PostTrainingError}\n");
        return md.ToString();
    }

    /// <summary>The search's Pareto front: chart, choice and table (validation accuracy, as the search measured it).</summary>
    public static string SearchMarkdown(SearchSummary search)
    {
        var md = new StringBuilder("\n## Mixed-precision search: the Pareto front\n\n");
        md.Append(Invariant($"`search {search.Model}` at a target of {100 * search.Target:F2} % on {search.ValidationImages} held-out training images "));
        md.Append(Invariant($"(validation, not the test set); {search.Candidates.Count} candidates built, each fine-tuned on {search.CandidateImages} images. "));
        md.Append($"Widths list the layers {string.Join(", ", search.Layers)}: `w` weights, `a` hidden activations, `s` scores.\n\n");
        md.Append($"![Pareto front]({ParetoChartFile})\n\n");
        if (search.Chosen is { } c)
            md.Append(Invariant($"Chosen: `{c.Widths}` (`{c.QModel}`): ROM {c.Cost.RomBits} bits ({c.Cost.WeightRomBits} in weights), cost {c.Cost.Total}, validation {100 * c.ValidationAccuracy:F2} %, **test {100 * c.TestAccuracy:F2} %** (golden model).\n\n"));
        else
            md.Append("The start configuration did not meet the target: nothing was chosen.\n\n");
        md.Append(ParetoReport.Table(search.Pareto));
        return md.ToString();
    }

    /// <summary>"weights / accumulator / output" formats of a layer, for tables.</summary>
    public static string FormatCell(QLayer l)
    {
        string w = l.Weights?.Format.ToString() ?? "-";
        string acc = l.Accumulator?.ToString() ?? "-";
        string tanh = l.Tanh is { } t ? $" (tanh {t.IndexBits}-bit index, F={t.IndexFrac})" : "";
        return $"{w} / {acc} / {l.Output}{tanh}";
    }

    public static string SeriesName(SweepSeries s) => s switch
    {
        SweepSeries.Weights => "weights",
        SweepSeries.Activations => "activations",
        _ => "both",
    };

    private static string SeriesLabel(SweepSeries s) => s switch
    {
        SweepSeries.Weights => $"weights only (act {AccuracySweep.ReferenceBits})",
        SweepSeries.Activations => $"activations only (w {AccuracySweep.ReferenceBits})",
        _ => "weights and activations",
    };


    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
