using LeNetHls.Cli.Flow;
using LeNetHls.RtlCodegen;
using Spectre.Console;

namespace LeNetHls.Cli.Commands;

/// <summary>`cosim DIR` (Verilator co-simulation of the RTL against the golden model) and `synth-estimate DIR` (yosys).</summary>
public static class RtlCommands
{

    public static IEnumerable<Command> Create()
    {
        yield return CosimCommand();
        yield return SynthEstimateCommand();
    }

    private static Command CosimCommand()
    {
        var dir = new Argument<string>("dir") { Description = "Folder written by codegen (holds qmodel.json and rtl/)" };
        var images = new Option<string>("--images") { Description = "MNIST test images to simulate: a count or 'all'", DefaultValueFactory = _ => "all" };
        var stall = new Option<double>("--stall-prob") { Description = "Per-cycle probability of a TVALID gap on pixels and TREADY low on scores", DefaultValueFactory = _ => 0.0 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random stalls", DefaultValueFactory = _ => 1UL };
        var trace = new Option<bool>("--trace") { Description = "Dump a VCD waveform to DIR/cosim/trace.vcd (use few images)" };
        var rtl = new Option<string?>("--rtl") { Description = "Simulate a Vitis-exported RTL folder (every .v in it) instead of DIR/rtl" };
        var top = new Option<string>("--top") { Description = "Top module of the --rtl folder", DefaultValueFactory = _ => "lenet5" };
        var data = new Option<string>("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultDir };
        var host = new Option<string>("--host")
        {
            Description = "How the harness drives ap_start: hold (always high), handshake (dropped after ap_ready, random gap) or sequential (one image at a time)",
            DefaultValueFactory = _ => "hold",
        };
        host.AcceptOnlyFromAmong("hold", "handshake", "sequential");
        var gap = new Option<int>("--start-gap") { Description = "Largest random gap in cycles between ap_ready and the next ap_start (--host handshake)", DefaultValueFactory = _ => 8 };
        var processes = new Option<int>("--processes")
        {
            Description = $"Simulator processes over image ranges (0: one per core; each gets at least {CosimRunner.MinImagesPerProcess} images)",
            DefaultValueFactory = _ => 0,
        };
        var cmd = new Command("cosim", "Build the RTL with Verilator, stream MNIST test images through it and compare every score with the golden model");
        cmd.Arguments.Add(dir);
        foreach (Option o in new Option[] { images, stall, seed, trace, rtl, top, data, host, gap, processes }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var watch = Stopwatch.StartNew();
            string folder = r.GetValue(dir)!;
            double p = r.GetValue(stall);
            if (p is < 0 or >= 1 || double.IsNaN(p)) throw new LeNetHlsException($"--stall-prob: {p} is outside [0, 1)");
            if (r.GetValue(gap) < 0) throw new LeNetHlsException($"--start-gap: {r.GetValue(gap)} is negative");
            if (r.GetValue(processes) < 0) throw new LeNetHlsException($"--processes: {r.GetValue(processes)} is negative");
            var model = QModelFile.Load(Path.Combine(folder, "qmodel.json"));
            var test = Mnist.Load(r.GetValue(data)!, MnistSplit.Test);
            int? count = ImageCount.Parse(r.GetValue(images)!);
            if (count is int n && n < test.Count) test = test.Take(n);
            var options = new CosimOptions
            {
                StallProbability = p, Seed = r.GetValue(seed), Trace = r.GetValue(trace),
                VitisRtlDir = r.GetValue(rtl), VitisTop = r.GetValue(top)!,
                Host = Enum.Parse<CosimHost>(r.GetValue(host)!, ignoreCase: true), StartGap = r.GetValue(gap), Processes = r.GetValue(processes),
            };
            VerificationResult.Delete(folder, "cosim");
            var result = CosimRunner.Run(model, folder, test.Images, options);
            var plan = RtlConsole.PrintCycles(model, folder, result, options);
            Console.WriteLine($"cosim: {result.Images} images compared, {result.Mismatches} mismatched; Verilator build {result.BuildTime.TotalSeconds:F1} s, " +
                              $"simulation {result.RunTime.TotalSeconds:F1} s in {result.Processes} process(es), total {watch.Elapsed.TotalSeconds:F1} s");
            string where = result.Mismatches == 0 ? "" : result.Blame?.Describe("RTL") ?? $"image {result.FirstMismatchImage}: the scores differ (no debug taps to locate the layer)";
            int m = plan?.Multipliers ?? 0;
            new VerificationResult("cosim", result.Images, result.Mismatches, where, watch.Elapsed.TotalSeconds, m,
                                   (long)Math.Round(result.Cycles.II), result.Cycles.FirstLatency,
                                   result.Cycles.MacUtilization(model.MacsPerImage, m), p).Save(folder);
            if (result.Mismatches == 0) return 0;
            throw new LeNetHlsException($"{folder}: RTL co-simulation differs from the golden model on {result.Mismatches} of {result.Images} images; {where}");
        });
        return cmd;
    }

    private static Command SynthEstimateCommand()
    {
        var dir = new Argument<string>("dir") { Description = "Folder written by codegen (holds rtl/)" };
        var jobs = new Option<int>("--jobs") { Description = "yosys processes at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var flat = new Option<bool>("--flat") { Description = "One synth_xilinx run of the whole design, no cache (the reference the per-module sums equal)" };
        var noDepth = new Option<bool>("--no-depth") { Description = "Skip the logic-depth measurement" };
        var cacheDir = new Option<string?>("--cache") { Description = $"Synthesis cache folder (default ${SynthCache.Variable}, else ~/.cache/lenet-hls)" };
        var cmd = new Command("synth-estimate",
            "Synthesize DIR/rtl with yosys synth_xilinx (7-series): LUT, FF, DSP48E1 and BRAM per layer and in total, and the worst logic depth");
        cmd.Arguments.Add(dir);
        foreach (Option o in new Option[] { jobs, flat, noDepth, cacheDir }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            string folder = r.GetValue(dir)!;
            var options = new SynthOptions
            {
                Jobs = Math.Max(1, r.GetValue(jobs)), Flat = r.GetValue(flat), Depth = !r.GetValue(noDepth),
                Cache = r.GetValue(cacheDir) is { } c ? new SynthCache(Path.GetFullPath(c)) : SynthCache.Default(),
            };
            var e = SynthEstimator.Run(folder, options);
            RtlConsole.PrintResources(e);
            string how = e.Run is { Mode: "per-module" } run
                ? $"{run.Modules} distinct modules ({run.Instances} instances), {run.FromCache} from the cache, {run.Synthesized} synthesized with {run.Jobs} jobs " +
                  $"(elaborate {run.ElaborateSeconds:F1} s, synthesize {run.SynthesizeSeconds:F1} s, depth {run.DepthSeconds:F1} s{(run.DepthFromCache ? " cached" : "")}); cache {run.Cache}"
                : "one flat synth_xilinx run";
            Console.WriteLine($"synth-estimate: yosys {e.Seconds:F1} s, {how}; JSON in {Path.Combine(folder, SynthEstimator.SynthFolder, SynthEstimator.ResultFile)}");
            return 0;
        });
        return cmd;
    }

}
