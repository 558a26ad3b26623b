using LeNetHls.Quantizer;
using LeNetHls.Quantizer.Search;
using LeNetHls.Trainer;

namespace LeNetHls.Cli.Commands;

/// <summary>`quantize MODEL --out DIR` (or, with --target-accuracy, the mixed-precision search).</summary>
public static class QuantizeCommands
{
    public static IEnumerable<Command> Create() => [QuantizeCommand()];

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
        var cmd = new Command("quantize", "Quantize a float model to fixed point, write the qmodel and compare float and fixed accuracy") { model, output, name, target };
        formats.AddTo(cmd);
        cmd.SetAction(r =>
        {
            string modelPath = r.GetValue(model)!;
            Names.CheckModelNameOption(r.GetValue(name), "--name");
            if (r.GetValue(target) is { } accuracy)
            {
                formats.RejectWithSearch(r);
                return QatCommands.RunSearch(new SearchRequest(modelPath, SearchRequest.TargetFraction(accuracy), r.GetValue(formats.Data)!, r.GetValue(output)!)
                {
                    Name = r.GetValue(name), UnsignedRelu = r.GetValue(formats.UnsignedRelu),
                });
            }
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
            var floatPredictions = new FloatInference(floatModel).Predict(test);
            var result = AccuracyComparison.Measure(q, test, floatPredictions);
            PrintLayers(q, result.Saturations);
            Console.WriteLine(Invariant($"float accuracy:      {result.FloatAccuracy:F2} % ({result.FloatCorrect}/{result.Images} test images)"));
            Console.WriteLine(Invariant($"fixed accuracy:      {result.FixedAccuracy:F2} % ({result.FixedCorrect}/{result.Images} test images)  [{result.FixedAccuracy - result.FloatAccuracy:+0.00;-0.00;0.00} pp]"));
            Console.WriteLine(Invariant($"changed predictions: {result.Changed} of {result.Images} ({result.Agreement:F2} % unchanged)  [{clock.Elapsed.TotalSeconds:F1} s]"));
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
        TextColumns.Print(rows);
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
