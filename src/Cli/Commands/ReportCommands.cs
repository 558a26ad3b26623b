using LeNetHls.Quantizer.Reporting;
using LeNetHls.Quantizer;
using LeNetHls.Quantizer.Search;
using LeNetHls.Trainer;

namespace LeNetHls.Cli.Commands;

/// <summary>`report accuracy MODEL --sweep ... [--qat QMODEL...] [--search NAME-search.json]`.</summary>
public static class ReportCommands
{
    public static IEnumerable<Command> Create() => [new Command("report", "Reports about models") { ReportAccuracyCommand() }];

    private static Command ReportAccuracyCommand()
    {
        var model = new Argument<string>("model") { Description = "Float model (.modelstruct, .bin or their common base path)" };
        var sweep = new Option<string>("--sweep") { Description = "Comma-separated widths", DefaultValueFactory = _ => string.Join(",", AccuracySweep.DefaultWidths) };
        var output = new Option<string?>("--out") { Description = "Folder for accuracy.md, accuracy.csv and accuracy.svg (default out/reports/<model name>)" };
        var qat = new Option<string[]>("--qat")
        {
            Description = "Quantization-aware trained qmodels (.qmodel.json) to report beside post-training quantization at the same widths",
            AllowMultipleArgumentsPerToken = true,
        };
        var search = new Option<string?>("--search") { Description = $"A search's NAME-search.json: adds its Pareto front (table and {SweepReportWriter.ParetoChartFile})" };
        var formats = new FormatOptions();
        var cmd = new Command("accuracy", "Accuracy against bits: weights alone, activations alone and both, over the test set; QAT models and a search's Pareto front beside them")
        {
            model, sweep, output, qat, search,
        };
        formats.AddTo(cmd);
        cmd.SetAction(r =>
        {
            string modelPath = r.GetValue(model)!;
            var widths = AccuracySweep.ParseWidths(r.GetValue(sweep)!);
            var options = formats.Read(r);
            string name = Path.GetFileName(ModelFile.BasePath(modelPath));
            string outDir = r.GetValue(output) ?? Path.Combine("out", "reports", name);
            AtomicFile.EnsureWritableDirectory(outDir);
            var floatModel = ModelFile.Load(modelPath);
            // Every input file is read and checked before the sweep's minutes of work.
            var qatModels = (r.GetValue(qat) ?? []).Select(path =>
            {
                var q = QModelFile.Load(path);
                AccuracySweep.CheckMatches(path, q, floatModel.Spec);
                return (path, q);
            }).ToList();
            SearchSummary? summary = null;
            if (r.GetValue(search) is { } searchPath)
            {
                summary = SearchSummary.Load(searchPath);
                AccuracySweep.CheckMatches(searchPath, summary, floatModel.Spec);
            }
            string dataDir = r.GetValue(formats.Data)!;
            var statistics = ActivationStatistics.Collect(floatModel, Mnist.Load(dataDir, MnistSplit.Train), r.GetValue(formats.CalibImages));
            var test = QuantizationRun.LoadSplit(dataDir, MnistSplit.Test, r.GetValue(formats.TestImages));
            var report = AccuracySweep.Run(floatModel, name, modelPath, statistics, test, new FloatInference(floatModel).Predict(test), widths, options, Console.WriteLine, qatModels) with { Search = summary };
            // The report's files are swapped in together: never a new table beside an old chart.
            using (var staging = AtomicDirectory.Begin(outDir, "accuracy.csv", "report accuracy"))
            {
                SweepReportWriter.Write(report, staging.StagingPath);
                staging.Commit();
            }
            PrintSweep(report);
            Console.WriteLine($"wrote {Path.Combine(outDir, "accuracy.md")}, accuracy.csv, accuracy.svg{(summary is null ? "" : ", " + SweepReportWriter.ParetoChartFile)}");
            return 0;
        });
        return cmd;
    }

    private static void PrintSweep(SweepReport report)
    {
        var rows = new List<string[]> { new[] { "bits", "weights only", "activations only", "both", "changed (both)" } };
        foreach (int bits in report.Points.Select(p => p.Bits).Distinct())
        {
            string Cell(SweepSeries s) => report.Points.First(p => p.Bits == bits && p.Series == s).Result is { } r ? Invariant($"{r.FixedAccuracy:F2} %") : "n/a";
            var both = report.Points.First(p => p.Bits == bits && p.Series == SweepSeries.Both).Result;
            rows.Add([bits.ToString(CultureInfo.InvariantCulture), Cell(SweepSeries.Weights), Cell(SweepSeries.Activations), Cell(SweepSeries.Both),
                      both?.Changed.ToString(CultureInfo.InvariantCulture) ?? "n/a"]);
        }
        TextColumns.Print(rows);
        Console.WriteLine(Invariant($"float accuracy: {report.FloatAccuracy:F2} %; every accuracy above is on the {report.Images} test images"));
        if (report.Qat.Count == 0) return;
        var qatRows = new List<string[]> { new[] { "QAT qmodel", "widths", "QAT", "post-training, same widths" } };
        foreach (var q in report.Qat)
            qatRows.Add([q.Name, q.Widths, Invariant($"{q.Result.FixedAccuracy:F2} %"), q.PostTraining is { } p ? Invariant($"{p.FixedAccuracy:F2} %") : "n/a"]);
        TextColumns.Print(qatRows);
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
