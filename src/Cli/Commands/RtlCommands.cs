using LeNetHls.Cli.Flow;
using System.Diagnostics;
using LeNetHls.Core.Plan;
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
            var plan = PrintCycles(model, folder, result, options);
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

    private static RtlPlan? PrintCycles(QModel model, string folder, CosimResult result, CosimOptions options)
    {
        string planPath = Path.Combine(folder, CosimRunner.RtlFolder, RtlGenerator.PlanFile);
        RtlPlan? plan = options.VitisRtlDir is null && File.Exists(planPath) ? CosimRunner.ReadPlan(Path.GetDirectoryName(planPath)!) : null;
        var c = result.Cycles;
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("II (cycles/image)", c.II.ToString("F1", CultureInfo.InvariantCulture));
        table.AddRow("latency, first image (cycles)", c.FirstLatency.ToString(CultureInfo.InvariantCulture));
        table.AddRow("latency, mean (cycles)", c.MeanLatency.ToString("F0", CultureInfo.InvariantCulture));
        table.AddRow("MACs per image", model.MacsPerImage.ToString("N0", CultureInfo.InvariantCulture));
        if (plan is not null)
        {
            table.AddRow("multipliers M (used)", $"{plan.Multipliers} ({plan.MultipliersUsed})");
            table.AddRow("MAC utilization MACs/(II*M)", c.MacUtilization(model.MacsPerImage, plan.Multipliers).ToString("F3", CultureInfo.InvariantCulture));
        }
        // The plan's clock (codegen --clock-ns); a Vitis RTL folder has no plan and is quoted at the default.
        double clockNs = plan?.ClockNs ?? AcceleratorPlan.DefaultClockNs;
        table.AddRow($"images/s at {1000 / clockNs:0.#} MHz", (1e9 / clockNs / c.II).ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("stall probability", options.StallProbability.ToString(CultureInfo.InvariantCulture));
        table.AddRow("host (ap_start)", options.Host.ToString().ToLowerInvariant());
        table.AddRow("total cycles (this stream)", c.TotalCycles.ToString("N0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        Console.WriteLine($"cosim: cycle figures from {c.Source}; scores from all {result.Images} images");
        return plan;
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
            string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
            var table = new Table().AddColumn("layer");
            foreach (var h in new[] { "LUT", "LUTRAM cells", "FF", "DSP48E1", "BRAM18", "BRAM36", "CARRY4" }) table.AddColumn(new TableColumn(h).RightAligned());
            foreach (var l in e.Layers)
                table.AddRow(Markup.Escape(l.Layer), N(l.Lut), N(l.LutRamCells), N(l.Ff), N(l.Dsp48E1), N(l.Bram18), N(l.Bram36), N(l.Carry4));
            table.AddRow("[bold]total[/]", N(e.Lut), N(e.LutRamCells), N(e.Ff), N(e.Dsp48E1), N(e.Bram18), N(e.Bram36), N(e.Carry4));
            AnsiConsole.Write(table);
            if (e.Depth is { } depth) PrintDepth(depth);
            string how = e.Run is { Mode: "per-module" } run
                ? $"{run.Modules} distinct modules ({run.Instances} instances), {run.FromCache} from the cache, {run.Synthesized} synthesized with {run.Jobs} jobs " +
                  $"(elaborate {run.ElaborateSeconds:F1} s, synthesize {run.SynthesizeSeconds:F1} s, depth {run.DepthSeconds:F1} s{(run.DepthFromCache ? " cached" : "")}); cache {run.Cache}"
                : "one flat synth_xilinx run";
            Console.WriteLine($"synth-estimate: yosys {e.Seconds:F1} s, {how}; JSON in {Path.Combine(folder, SynthEstimator.SynthFolder, SynthEstimator.ResultFile)}");
            return 0;
        });
        return cmd;
    }

    private static void PrintDepth(LogicDepthReport depth)
    {
        var table = new Table().AddColumn("layer").AddColumn(new TableColumn("logic levels").RightAligned()).AddColumn("from").AddColumn("to");
        foreach (var p in depth.PerLayer) table.AddRow(Markup.Escape(p.Layer), p.Levels.ToString(CultureInfo.InvariantCulture), Markup.Escape(p.Start), Markup.Escape(p.End));
        AnsiConsole.Write(table);
        if (depth.Worst is { } w)
            Console.WriteLine($"worst logic depth: {w.Levels} levels in {w.Layer} ({string.Join(" -> ", w.Cells)}), from {w.Start} to {w.End}");
        Console.WriteLine($"note: {LogicDepthReport.Caveat}");
    }

}
