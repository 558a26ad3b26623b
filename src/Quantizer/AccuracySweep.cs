using System.Globalization;
using System.Text;
using LeNetHls.Core.Data;
using LeNetHls.Core.IO;
using LeNetHls.Core.Model;
using LeNetHls.Core.Quantized;

namespace LeNetHls.Quantizer;

/// <summary>Which tensors a sweep point narrows; the others stay at the reference width.</summary>
public enum SweepSeries { Weights, Activations, Both }

/// <summary>One quantization of the sweep: its widths and either its result or why it could not be built.</summary>
public sealed record SweepPoint(SweepSeries Series, int Bits, int WeightBits, int ActivationBits, QModel? Model, AccuracyComparison? Result, string? Error);

public sealed record SweepReport(string ModelName, QuantizeOptions BaseOptions, int CalibrationImages, int Images, int FloatCorrect,
                                 IReadOnlyList<SweepPoint> Points)
{
    public double FloatAccuracy => 100.0 * FloatCorrect / Images;
}

/// <summary>
/// "How many bits do I need?": quantizes the model at each width, narrowing weights alone,
/// activations alone (the other at <see cref="ReferenceBits"/>) and both, and evaluates every
/// qmodel on the test set. Writes accuracy.md, accuracy.csv and accuracy.svg.
/// </summary>
public static class AccuracySweep
{
    /// <summary>Width of the tensors a series does not narrow: the widest that keeps accumulators within 48 bits.</summary>
    public const int ReferenceBits = 16;
    public static readonly int[] DefaultWidths = [16, 12, 10, 8, 6, 5, 4, 3, 2];
    /// <summary>Percentage points below the float accuracy that the chart's y axis shows.</summary>
    public const double ChartDepth = 10;

    public static int[] ParseWidths(string text)
    {
        var widths = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int w))
                throw new LeNetHlsException($"--sweep: '{part}' is not a width");
            QuantizeOptions.CheckBits(w, "--sweep");
            widths.Add(w);
        }
        if (widths.Count == 0) throw new LeNetHlsException("--sweep: no widths given");
        return widths.Distinct().OrderByDescending(w => w).ToArray();
    }

    public static SweepReport Run(FloatModel model, string modelName, string modelPath, ActivationStatistics statistics, MnistSet test,
                                  IReadOnlyList<int> widths, QuantizeOptions baseOptions, Action<string>? progress = null)
    {
        var floatPredictions = Evaluation.RunFloat(model, test);
        var points = new List<SweepPoint>();
        foreach (int bits in widths)
        foreach (var series in Enum.GetValues<SweepSeries>())
        {
            int wBits = series == SweepSeries.Activations ? ReferenceBits : bits;
            int aBits = series == SweepSeries.Weights ? ReferenceBits : bits;
            var options = baseOptions with { WeightBits = wBits, ActivationBits = aBits };
            try
            {
                var q = ModelQuantizer.Quantize(model, statistics, options, $"{modelName}-w{wBits}a{aBits}", modelPath);
                var result = AccuracyComparison.Measure(q, test, floatPredictions);
                points.Add(new SweepPoint(series, bits, wBits, aBits, q, result, null));
                progress?.Invoke($"{series,-11} {bits,2} bits: {result.FixedAccuracy:F2} % ({result.Changed} changed)");
            }
            catch (LeNetHlsException e)
            {
                points.Add(new SweepPoint(series, bits, wBits, aBits, null, null, e.Message));
                progress?.Invoke($"{series,-11} {bits,2} bits: not quantizable ({e.Message})");
            }
        }
        return new SweepReport(modelName, baseOptions, statistics.Images, test.Count,
                               Evaluation.CountCorrect(floatPredictions, test.Labels), points);
    }

    public static void Write(SweepReport report, string dir)
    {
        AtomicFile.EnsureWritableDirectory(dir);
        AtomicFile.WriteAllText(Path.Combine(dir, "accuracy.csv"), Csv(report));
        AtomicFile.WriteAllText(Path.Combine(dir, "accuracy.svg"), Svg(report));
        AtomicFile.WriteAllText(Path.Combine(dir, "accuracy.md"), Markdown(report));
    }

    public static string Csv(SweepReport report)
    {
        var layerNames = report.Points.Select(p => p.Model).FirstOrDefault(m => m is not null)?.Layers.Select(l => l.Name).ToList() ?? [];
        var csv = new StringBuilder("series,bits,weight_bits,act_bits,images,float_accuracy,fixed_accuracy,changed_predictions,error");
        foreach (var name in layerNames) csv.Append($",saturated_{name}");
        csv.Append('\n');
        foreach (var p in report.Points)
        {
            var r = p.Result;
            csv.Append(Invariant($"{SeriesName(p.Series)},{p.Bits},{p.WeightBits},{p.ActivationBits},{report.Images},{report.FloatAccuracy:F2},"));
            csv.Append(r is null ? ",," : Invariant($"{r.FixedAccuracy:F2},{r.Changed},"));
            csv.Append(p.Error is null ? "" : '"' + p.Error.Replace("\"", "\"\"") + '"');
            foreach (var i in Enumerable.Range(0, layerNames.Count)) csv.Append(r is null ? "," : $",{r.Saturations[i]}");
            csv.Append('\n');
        }
        return csv.ToString();
    }

    public static string Svg(SweepReport report)
    {
        var colors = new Dictionary<SweepSeries, string> { [SweepSeries.Weights] = "#1f77b4", [SweepSeries.Activations] = "#ff7f0e", [SweepSeries.Both] = "#2ca02c" };
        var series = Enum.GetValues<SweepSeries>().Select(s => new ChartSeries(
            SeriesLabel(s),
            report.Points.Where(p => p.Series == s && p.Result is not null).OrderBy(p => p.Bits).Select(p => ((double)p.Bits, p.Result!.FixedAccuracy)).ToList(),
            colors[s])).Where(s => s.Points.Count > 0).ToList();
        var widths = report.Points.Select(p => (double)p.Bits).ToList();
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
        md.Append($"weights: {(o.WeightMethod == WeightMethod.Mse ? "mse" : "maxabs")}; rounding {Name(o.Rounding)}, overflow {Name(o.Overflow)}. ");
        md.Append($"A series that narrows only weights or only activations keeps the other at {ReferenceBits} bits.\n\n");
        md.Append("![accuracy vs bits](accuracy.svg)\n\n");
        md.Append("## Fixed-point accuracy (%) and changed predictions\n\n");
        md.Append("| bits | weights only | activations only | both | changed (w / a / both) |\n|---:|---:|---:|---:|---:|\n");
        foreach (int bits in report.Points.Select(p => p.Bits).Distinct())
        {
            SweepPoint? At(SweepSeries s) => report.Points.FirstOrDefault(p => p.Bits == bits && p.Series == s);
            string Acc(SweepSeries s) => At(s)?.Result is { } r ? Invariant($"{r.FixedAccuracy:F2}") : "n/a";
            string Changed(SweepSeries s) => At(s)?.Result is { } r ? r.Changed.ToString(CultureInfo.InvariantCulture) : "n/a";
            md.Append($"| {bits} | {Acc(SweepSeries.Weights)} | {Acc(SweepSeries.Activations)} | {Acc(SweepSeries.Both)} | " +
                      $"{Changed(SweepSeries.Weights)} / {Changed(SweepSeries.Activations)} / {Changed(SweepSeries.Both)} |\n");
        }
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
        SweepSeries.Weights => $"weights only (act {ReferenceBits})",
        SweepSeries.Activations => $"activations only (w {ReferenceBits})",
        _ => "weights and activations",
    };

    private static string Name(Core.FixedPoint.RoundingMode r) => r switch
    {
        Core.FixedPoint.RoundingMode.Rnd => "rnd",
        Core.FixedPoint.RoundingMode.Trn => "trn",
        _ => "rnd_conv",
    };

    private static string Name(Core.FixedPoint.OverflowMode o) => o == Core.FixedPoint.OverflowMode.Sat ? "sat" : "wrap";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
