using LeNetHls.Cli.Flow;
using LeNetHls.Core.Golden;
using LeNetHls.Quantizer.Reporting;
using LeNetHls.Quantizer;
using LeNetHls.RtlCodegen;
using LeNetHls.Trainer;

namespace LeNetHls.Cli.Report;

/// <summary>Collects the flow's results from its output folder into a ReportModel.</summary>
public static class ReportBuilder
{
    public const int MaxMisclassifiedShown = 60;

    public static ReportModel Build(string title, string modelPath, string qmodelPath, string sweepDir, string genDir,
                                    MnistSet test, IReadOnlyList<(string, double, bool)> timings)
    {
        var q = QModelFile.Load(qmodelPath);
        var floatModel = ModelFile.Load(modelPath);
        var training = ModelFile.ReadTraining(modelPath);
        var golden = GoldenEvaluation.Run(q, test);
        var floatPredictions = new FloatInference(floatModel).Predict(test);
        var confusion = new int[q.Classes, q.Classes];
        var wrong = new List<Misclassified>();
        for (int i = 0; i < test.Count; i++)
        {
            confusion[test.Labels[i], golden.Predictions[i]]++;
            if (golden.Predictions[i] != test.Labels[i] && wrong.Count < MaxMisclassifiedShown)
                wrong.Add(new Misclassified(i, test.Image(i).ToArray(), test.Labels[i], golden.Predictions[i]));
        }
        var verification = new List<VerificationRow>();
        PerformanceSummary? performance = null;
        foreach (var backend in new[] { "csim", "cosim" })
        {
            if (VerificationResult.TryLoad(genDir, backend) is not { } r) continue;
            verification.Add(new VerificationRow(backend == "csim" ? "HLS C simulation (g++)" : "RTL co-simulation (Verilator)",
                                                 r.Images, r.Mismatches, r.FirstDivergence));
            if (backend == "cosim" && r.InitiationInterval > 0)
                performance = new PerformanceSummary(r.Multipliers, r.InitiationInterval, r.Latency, r.MacUtilization, PlanClockMhz(genDir));
        }
        return new ReportModel
        {
            Title = title,
            QModelName = q.Name,
            TestImages = test.Count,
            FloatAccuracy = (double)Evaluation.CountCorrect(floatPredictions, test.Labels) / test.Count,
            FixedAccuracy = (double)golden.Correct(test.Labels) / test.Count,
            FloatValidationAccuracy = training.TryGetValue("validation_accuracy", out var v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double va) ? va : null,
            // Models trained before issue 17 kept the epoch with the best test accuracy and recorded it as test_accuracy.
            EpochSelection = training.GetValueOrDefault("selection") ?? (training.ContainsKey("test_accuracy") ? "best test accuracy" : ""),
            ChangedPredictions = Evaluation.CountChanged(floatPredictions, golden.Predictions),
            Sweep = ReadSweep(Path.Combine(sweepDir, "accuracy.csv")),
            AccuracySvg = ReadSvg(Path.Combine(sweepDir, "accuracy.svg")),
            Layers = q.Layers.Select((l, i) => new LayerRow(
                l.Name, l.Kind.ToString().ToLowerInvariant() + (l.Activation == Activation.None ? "" : "+" + l.Activation.ToString().ToLowerInvariant()),
                l.OutShape.ToString(), l.Weights?.Format.ToString() ?? "-", l.Accumulator?.ToString() ?? "-", l.Output.ToString(),
                l.Macs, golden.Saturations[i])).ToList(),
            Verification = verification,
            Performance = performance,
            Resources = ReadResources(genDir),
            LayerResources = ReadEstimate(genDir)?.Layers ?? [],
            Depth = ReadEstimate(genDir)?.Depth,
            Confusion = confusion,
            Misclassified = wrong,
            Timings = timings,
        };
    }

    /// <summary>
    /// Rows of accuracy.csv (series,bits,weight_bits,act_bits,…,fixed_accuracy,…) folded into one point per
    /// width, widest first. A QAT row counts only if its widths are uniform (weights = activations = bits);
    /// its post-training comparison rows have their own table in accuracy.md.
    /// </summary>
    public static List<SweepPoint> ReadSweep(string csvPath)
    {
        if (!File.Exists(csvPath)) return [];
        var lines = File.ReadAllLines(csvPath);
        var header = lines[0].Split(',');
        int series = Array.IndexOf(header, "series"), bits = Array.IndexOf(header, "bits"), acc = Array.IndexOf(header, "fixed_accuracy");
        int weightBits = Array.IndexOf(header, "weight_bits"), actBits = Array.IndexOf(header, "act_bits");
        if (series < 0 || bits < 0 || acc < 0) throw LeNetHlsException.InFile(csvPath, "missing series, bits or fixed_accuracy column");
        string[] sweepSeries = ["weights", "activations", "both"];
        bool Uniform(string[] c) => weightBits >= 0 && actBits >= 0 && c.Length > actBits && c[weightBits] == c[bits] && c[actBits] == c[bits];
        var cells = lines.Skip(1).Select(l => l.Split(','))
            .Where(c => c.Length > acc && (sweepSeries.Contains(c[series]) || c[series] == SweepReportWriter.QatSeries && Uniform(c))).ToList();
        double Get(int b, string s) =>
            cells.FirstOrDefault(c => c[bits] == b.ToString(CultureInfo.InvariantCulture) && c[series] == s) is { } c
            && double.TryParse(c[acc], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v / 100 : double.NaN;
        return cells.Select(c => int.Parse(c[bits], CultureInfo.InvariantCulture)).Distinct().OrderDescending()
            .Select(b => new SweepPoint(b, Get(b, "weights"), Get(b, "activations"), Get(b, "both"), Get(b, SweepReportWriter.QatSeries))).ToList();
    }

    private static string ReadSvg(string path)
    {
        if (!File.Exists(path)) return "";
        string svg = File.ReadAllText(path);
        int start = svg.IndexOf("<svg", StringComparison.Ordinal);
        return start < 0 ? "" : svg[start..];
    }

    private static readonly Dictionary<string, string> ResourceLabels = new()
    {
        ["lut"] = "LUT", ["lutRamCells"] = "LUTRAM cells", ["ff"] = "FF", ["dsp48E1"] = "DSP48E1",
        ["bram18"] = "BRAM18", ["bram36"] = "BRAM36", ["carry4"] = "CARRY4",
    };

    public static string ResourcesPath(string genDir) => Path.Combine(genDir, SynthEstimator.SynthFolder, SynthEstimator.ResultFile);

    /// <summary>The clock of codegen's plan (DIR/rtl/rtl_plan.json), which images/s is quoted at.</summary>
    private static double PlanClockMhz(string genDir)
    {
        string rtl = Path.Combine(genDir, CosimRunner.RtlFolder);
        double clockNs = File.Exists(Path.Combine(rtl, RtlGenerator.PlanFile)) ? CosimRunner.ReadPlan(rtl).ClockNs : AcceleratorPlan.DefaultClockNs;
        return 1000 / clockNs;
    }

    /// <summary>synth-estimate's whole result (per layer, logic depth); null when absent or written by an older version.</summary>
    private static ResourceEstimate? ReadEstimate(string genDir)
    {
        string path = ResourcesPath(genDir);
        if (!File.Exists(path)) return null;
        try { return System.Text.Json.JsonSerializer.Deserialize<ResourceEstimate>(File.ReadAllText(path), RtlPlan.Json); }
        catch (System.Text.Json.JsonException) { return null; }
    }

    private static List<(string, string)> ReadResources(string genDir)
    {
        string path = ResourcesPath(genDir);
        if (!File.Exists(path)) return [];
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.EnumerateObject()
            .Where(p => p.Value.ValueKind == System.Text.Json.JsonValueKind.Number && !p.Name.Contains("second", StringComparison.OrdinalIgnoreCase))
            .Select(p => (ResourceLabels.GetValueOrDefault(p.Name, p.Name), p.Value.ToString())).ToList();
    }
}
