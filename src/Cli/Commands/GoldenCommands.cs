using LeNetHls.Core.Golden;

namespace LeNetHls.Cli.Commands;

/// <summary>`golden bench QMODEL` and `golden trace QMODEL`.</summary>
public static class GoldenCommands
{
    public static IEnumerable<Command> Create() => [new Command("golden", "The bit-exact integer golden model") { GoldenBenchCommand(), GoldenTraceCommand() }];

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
            var bench = GoldenBenchmark.Measure(q, test, r.GetValue(repeat));
            double best = bench.BestSeconds, bestCpu = bench.BestCpuSeconds;
            int cores = Environment.ProcessorCount;
            Console.WriteLine(Invariant($"golden model {q.Name}: {test.Count} images in {best:F3} s = {test.Count / best:F0} images/s on {cores} cores (best of {bench.Passes}); accuracy {100.0 * bench.Result.Correct(test.Labels) / test.Count:F2} %"));
            Console.WriteLine(Invariant($"cpu time: {bestCpu:F3} s = {test.Count / bestCpu:F0} images per cpu-second ({test.Count / bestCpu * cores:F0} images/s if {cores} cores were free)"));
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

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
