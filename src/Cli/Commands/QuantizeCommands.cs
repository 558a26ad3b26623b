using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LeNetHls.Core.Data;
using LeNetHls.Core.IO;
using LeNetHls.Core.Model;
using LeNetHls.Core.Quantized;
using LeNetHls.Quantizer;
using LeNetHls.Quantizer.Search;

namespace LeNetHls.Cli.Commands;

/// <summary>`quantize MODEL --out DIR`, `report accuracy MODEL --sweep ... [--qat QMODEL...] [--search NAME-search.json]`, `golden bench QMODEL` and `golden trace QMODEL`.</summary>
public static class QuantizeCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return QuantizeCommand();
        yield return new Command("report", "Reports about models") { ReportAccuracyCommand() };
        yield return new Command("golden", "The bit-exact integer golden model") { GoldenBenchCommand(), GoldenTraceCommand() };
    }

    private static Command GoldenBenchCommand()
    {
        var qmodel = new Argument<string>("qmodel") { Description = "Quantized model (.qmodel.json)" };
        var data = new Option<string>("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultDir };
        var repeat = new Option<int>("--repeat") { Description = "Timed passes over the test set (the best counts)", DefaultValueFactory = _ => 3 };
        var cmd = new Command("bench", "Time the golden model over the 10,000 MNIST test images (all cores)") { qmodel, data, repeat };
        cmd.SetAction(r =>
        {
            var q = QModelFile.Load(r.GetValue(qmodel)!);
            var test = Mnist.Load(r.GetValue(data)!, MnistSplit.Test);
            int passes = r.GetValue(repeat);
            if (passes < 1) throw new LeNetHlsException($"--repeat: {passes} must be at least 1");
            Evaluation.RunGolden(q, test.Take(1000)); // warm-up: JIT tiers and thread pool
            double best = double.PositiveInfinity, bestCpu = double.PositiveInfinity;
            GoldenResult? result = null;
            var process = Process.GetCurrentProcess();
            for (int pass = 0; pass < passes; pass++)
            {
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                result = Evaluation.RunGolden(q, test);
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
                process.Refresh();
                bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpuBefore).TotalSeconds);
            }
            Console.WriteLine(Invariant($"golden model {q.Name}: {test.Count} images in {best:F3} s = {test.Count / best:F0} images/s on {Environment.ProcessorCount} cores (best of {passes}); accuracy {100.0 * result!.Correct(test.Labels) / test.Count:F2} %"));
            // On a shared machine wall time depends on the other load; CPU time per image does not.
            Console.WriteLine(Invariant($"cpu time: {bestCpu:F3} s = {test.Count / bestCpu:F0} images per cpu-second ({test.Count / bestCpu * Environment.ProcessorCount:F0} images/s if {Environment.ProcessorCount} cores were free)"));
            return 0;
        });
        return cmd;
    }

    private static Command GoldenTraceCommand()
    {
        var qmodel = new Argument<string>("qmodel") { Description = "Quantized model (.qmodel.json)" };
        var data = new Option<string>("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultDir };
        var images = new Option<string>("--images") { Description = "Comma-separated test image indices", DefaultValueFactory = _ => "0" };
        var output = new Option<string>("--out") { Description = "JSON file for the trace", Required = true };
        var cmd = new Command("trace", "Dump every layer's integer output for chosen test images (to locate a mismatch)") { qmodel, data, images, output };
        cmd.SetAction(r =>
        {
            var q = QModelFile.Load(r.GetValue(qmodel)!);
            var test = Mnist.Load(r.GetValue(data)!, MnistSplit.Test);
            var indices = r.GetValue(images)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t =>
                int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) && i >= 0 && i < test.Count
                    ? i : throw new LeNetHlsException($"--images: '{t}' is not a test image index (0..{test.Count - 1})")).ToArray();
            string path = r.GetValue(output)!;
            GoldenTrace.Write(q, test, indices, path);
            Console.WriteLine($"wrote {path} ({indices.Length} images, {q.Layers.Count} layers each)");
            return 0;
        });
        return cmd;
    }

    /// <summary>The options that pick formats, shared by quantize and report accuracy.</summary>
    private sealed class FormatOptions
    {
        public readonly Option<int> Bits = new("--bits") { Description = "Width of every weight and activation (2..32)", DefaultValueFactory = _ => 8 };
        public readonly Option<int?> WeightBits = new("--weight-bits") { Description = "Weight width (overrides --bits; 1 = bipolar ±1)" };
        public readonly Option<int?> ActBits = new("--act-bits") { Description = "Activation width (overrides --bits)" };
        public readonly Option<int> CalibImages = new("--calib-images") { Description = "Training images used to calibrate activations", DefaultValueFactory = _ => ActivationStatistics.DefaultImages };
        public readonly Option<string> CalibMethod = new("--calib-method") { Description = "Activation calibration: mse | max | percentile", DefaultValueFactory = _ => "mse" };
        public readonly Option<double> Percentile = new("--percentile") { Description = "Percentile of |activation| for --calib-method percentile", DefaultValueFactory = _ => 99.99 };
        public readonly Option<string> WeightMethod = new("--weight-method") { Description = "Weight F: mse | maxabs (nothing saturates)", DefaultValueFactory = _ => "mse" };
        public readonly Option<string> Rounding = new("--rounding") { Description = "Requantization rounding: rnd | trn | rnd_conv", DefaultValueFactory = _ => "rnd" };
        public readonly Option<string> Overflow = new("--overflow") { Description = "Requantization overflow: sat | wrap", DefaultValueFactory = _ => "sat" };
        public readonly Option<bool> UnsignedRelu = new("--unsigned-relu") { Description = "ReLU outputs as unsigned ufx<W,F> (0 .. 2^W-1; needs --overflow sat)" };
        public readonly Option<int?> TanhIndexBits = new("--tanh-index-bits") { Description = "Tanh table index width (2..16; default from the output width, at most 12)" };
        public readonly Option<string?> Override = new("--override") { Description = "JSON file overriding any layer's weights/output bits and frac (docs/qmodel.md)" };
        public readonly Option<string> Data = new("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultDir };
        public readonly Option<int> TestImages = new("--test-images") { Description = "Test images to evaluate (0 = all 10,000)", DefaultValueFactory = _ => 0 };

        public void AddTo(Command c)
        {
            foreach (Option o in new Option[] { Bits, WeightBits, ActBits, CalibImages, CalibMethod, Percentile, WeightMethod, Rounding, Overflow, UnsignedRelu, TanhIndexBits, Override, Data, TestImages })
                c.Options.Add(o);
        }

        public QuantizeOptions Read(ParseResult r)
        {
            int bits = r.GetValue(Bits);
            QuantizeOptions.CheckBits(bits, "--bits");
            var options = new QuantizeOptions
            {
                WeightBits = r.GetValue(WeightBits) ?? bits,
                ActivationBits = r.GetValue(ActBits) ?? bits,
                Calibration = QuantizeOptions.ParseCalibration(r.GetValue(CalibMethod)!),
                Percentile = r.GetValue(Percentile),
                WeightMethod = QuantizeOptions.ParseWeightMethod(r.GetValue(WeightMethod)!),
                Rounding = QuantizeOptions.ParseRounding(r.GetValue(Rounding)!),
                Overflow = QuantizeOptions.ParseOverflow(r.GetValue(Overflow)!),
                TanhIndexBits = r.GetValue(TanhIndexBits),
                UnsignedRelu = r.GetValue(UnsignedRelu),
                Overrides = r.GetValue(Override) is { } path ? FormatOverrides.Load(path) : FormatOverrides.None,
            };
            options.Validate();
            return options;
        }
    }

    private static Command QuantizeCommand()
    {
        var model = new Argument<string>("model") { Description = "Float model (.modelstruct, .bin or their common base path)" };
        var output = new Option<string>("--out") { Description = "Folder for <name>.qmodel.json", DefaultValueFactory = _ => "out/qmodels" };
        var name = new Option<string?>("--name") { Description = "qmodel name (default: model file name plus widths, e.g. lenet5-w8a8)" };
        var target = new Option<double?>("--target-accuracy")
        {
            Description = "Instead of one width: search per-layer widths (with QAT) for the cheapest qmodel meeting this validation accuracy (as `lenet-hls search`)",
        };
        var formats = new FormatOptions();
        var cmd = new Command("quantize", "Quantize a float model to fixed point, write the qmodel and compare float and fixed accuracy");
        cmd.Arguments.Add(model);
        cmd.Options.Add(output);
        cmd.Options.Add(name);
        cmd.Options.Add(target);
        formats.AddTo(cmd);
        cmd.SetAction(r =>
        {
            string modelPath = r.GetValue(model)!;
            Names.CheckModelNameOption(r.GetValue(name), "--name");
            if (r.GetValue(target) is { } accuracy)
                return QatCommands.RunSearch(new QatCommands.SearchRequest(modelPath, accuracy > 1 ? accuracy / 100 : accuracy,
                    r.GetValue(formats.Data)!, r.GetValue(output)!) { Name = r.GetValue(name), UnsignedRelu = r.GetValue(formats.UnsignedRelu) });
            var options = formats.Read(r);
            Names.CheckModelNameOption(r.GetValue(name) ?? QuantizationRun.DefaultName(modelPath, options), "--name");
            string outDir = r.GetValue(output)!;
            AtomicFile.EnsureWritableDirectory(outDir);
            var floatModel = ModelFile.Load(modelPath);
            string dataDir = r.GetValue(formats.Data)!;
            var clock = Stopwatch.StartNew();
            var statistics = ActivationStatistics.Collect(floatModel, Mnist.Load(dataDir, MnistSplit.Train), r.GetValue(formats.CalibImages));
            string qname = r.GetValue(name) ?? QuantizationRun.DefaultName(modelPath, options);
            var q = ModelQuantizer.Quantize(floatModel, statistics, options, qname, modelPath, QuantizationRun.SourceSha256(modelPath));
            string qpath = Path.Combine(outDir, qname + ".qmodel.json");
            QModelFile.Save(q, qpath);
            Console.WriteLine($"wrote {qpath} (calibrated on {statistics.Images} training images in {clock.Elapsed.TotalSeconds:F1} s)");

            var test = QuantizationRun.LoadSplit(dataDir, MnistSplit.Test, r.GetValue(formats.TestImages));
            clock.Restart();
            var floatPredictions = Evaluation.RunFloat(floatModel, test);
            var result = AccuracyComparison.Measure(q, test, floatPredictions);
            PrintLayers(q, result.Saturations);
            Console.WriteLine(Invariant($"float accuracy:      {result.FloatAccuracy:F2} % ({result.FloatCorrect}/{result.Images})"));
            Console.WriteLine(Invariant($"fixed accuracy:      {result.FixedAccuracy:F2} % ({result.FixedCorrect}/{result.Images})  [{result.FixedAccuracy - result.FloatAccuracy:+0.00;-0.00;0.00} pp]"));
            Console.WriteLine(Invariant($"changed predictions: {result.Changed} of {result.Images} ({result.Agreement:F2} % unchanged)  [{clock.Elapsed.TotalSeconds:F1} s]"));
            return 0;
        });
        return cmd;
    }

    /// <summary>`report accuracy`, exposed on its own so that a shared `report` command can host it.</summary>
    public static Command ReportAccuracyCommand()
    {
        var model = new Argument<string>("model") { Description = "Float model (.modelstruct, .bin or their common base path)" };
        var sweep = new Option<string>("--sweep") { Description = "Comma-separated widths", DefaultValueFactory = _ => string.Join(",", AccuracySweep.DefaultWidths) };
        var output = new Option<string?>("--out") { Description = "Folder for accuracy.md, accuracy.csv and accuracy.svg (default out/reports/<model name>)" };
        var qat = new Option<string[]>("--qat")
        {
            Description = "Quantization-aware trained qmodels (.qmodel.json) to report beside post-training quantization at the same widths",
            AllowMultipleArgumentsPerToken = true,
        };
        var search = new Option<string?>("--search") { Description = $"A search's NAME-search.json: adds its Pareto front (table and {AccuracySweep.ParetoChartFile})" };
        var formats = new FormatOptions();
        var cmd = new Command("accuracy", "Accuracy against bits: weights alone, activations alone and both, over the test set; QAT models and a search's Pareto front beside them");
        cmd.Arguments.Add(model);
        cmd.Options.Add(sweep);
        cmd.Options.Add(output);
        cmd.Options.Add(qat);
        cmd.Options.Add(search);
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
            var report = AccuracySweep.Run(floatModel, name, modelPath, statistics, test, widths, options, Console.WriteLine, qatModels) with { Search = summary };
            // The report's files are swapped in together: never a new table beside an old chart.
            using (var staging = AtomicDirectory.Begin(outDir, "accuracy.csv", "report accuracy"))
            {
                AccuracySweep.Write(report, staging.StagingPath);
                staging.Commit();
            }
            PrintSweep(report);
            Console.WriteLine($"wrote {Path.Combine(outDir, "accuracy.md")}, accuracy.csv, accuracy.svg{(summary is null ? "" : ", " + AccuracySweep.ParetoChartFile)}");
            return 0;
        });
        return cmd;
    }

    private static void PrintLayers(QModel q, long[] saturations)
    {
        var rows = new List<string[]> { new[] { "layer", "kind", "act", "weights", "bias", "accumulator", "output", "range", "saturated" } };
        for (int i = 0; i < q.Layers.Count; i++)
        {
            var l = q.Layers[i];
            string tanh = l.Tanh is { } t ? $" tanh[{t.IndexBits}b,F{t.IndexFrac}]" : "";
            rows.Add([l.Name, l.Kind.ToString().ToLowerInvariant(), l.Activation.ToString().ToLowerInvariant(),
                      l.Weights?.Format.ToString() ?? "-", l.Bias?.Format.ToString() ?? "-", l.Accumulator?.ToString() ?? "-",
                      l.Output + tanh, $"[{l.Output.Min}, {l.Output.Max}]", saturations[i].ToString(CultureInfo.InvariantCulture)]);
        }
        PrintColumns(rows);
    }

    /// <summary>Plain aligned columns: readable in logs and at any terminal width.</summary>
    private static void PrintColumns(List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
            Console.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
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
        PrintColumns(rows);
        Console.WriteLine(Invariant($"float accuracy: {report.FloatAccuracy:F2} %"));
        if (report.Qat.Count == 0) return;
        var qatRows = new List<string[]> { new[] { "QAT qmodel", "widths", "QAT", "post-training, same widths" } };
        foreach (var q in report.Qat)
            qatRows.Add([q.Name, q.Widths, Invariant($"{q.Result.FixedAccuracy:F2} %"), q.PostTraining is { } p ? Invariant($"{p.FixedAccuracy:F2} %") : "n/a"]);
        PrintColumns(qatRows);
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
