using LeNetHls.RtlCodegen;
using Spectre.Console;

namespace LeNetHls.Cli.Commands;

/// <summary>What `cosim` and `synth-estimate` print: the cycle table, the resource table and the logic depth.</summary>
internal static class RtlConsole
{
    public static RtlPlan? PrintCycles(QModel model, string folder, CosimResult result, CosimOptions options)
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

    public static void PrintResources(ResourceEstimate e)
    {
        string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        var table = new Table().AddColumn("layer");
        foreach (var h in new[] { "LUT", "LUTRAM cells", "FF", "DSP48E1", "BRAM18", "BRAM36", "CARRY4" }) table.AddColumn(new TableColumn(h).RightAligned());
        foreach (var l in e.Layers)
            table.AddRow(Markup.Escape(l.Layer), N(l.Lut), N(l.LutRamCells), N(l.Ff), N(l.Dsp48E1), N(l.Bram18), N(l.Bram36), N(l.Carry4));
        table.AddRow("[bold]total[/]", N(e.Lut), N(e.LutRamCells), N(e.Ff), N(e.Dsp48E1), N(e.Bram18), N(e.Bram36), N(e.Carry4));
        AnsiConsole.Write(table);
        if (e.Depth is { } depth) PrintDepth(depth);
    }

    private static void PrintDepth(LogicDepthReport depth)
    {
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        var table = new Table().AddColumn("layer")
            .AddColumn(new TableColumn("levels: LUT+carry").RightAligned()).AddColumn(new TableColumn("with MUXF7/8").RightAligned())
            .AddColumn("from").AddColumn("to");
        foreach (var p in depth.PerLayer)
        {
            // The ends named are those of the LUT+carry path; a worst path with MUXF7/8 between other ends gets a row of its own.
            var all = depth.AllCellsOf(p.Layer);
            table.AddRow(Markup.Escape(p.Layer), I(p.Levels), all is null ? "-" : I(all.Levels), Markup.Escape(p.Start), Markup.Escape(p.End));
            if (all is not null && (all.Start != p.Start || all.End != p.End))
                table.AddRow("  (with MUXF7/8)", "", I(all.Levels), Markup.Escape(all.Start), Markup.Escape(all.End));
        }
        AnsiConsole.Write(table);
        if (depth.Worst is { } w)
            Console.WriteLine($"worst logic depth, LUTs and carry cells counted: {w.Levels} levels in {w.Layer} ({string.Join(" -> ", w.Cells)}), from {w.Start} to {w.End}");
        if (depth.WorstAllCells is { } v)
            Console.WriteLine($"worst logic depth, MUXF7/MUXF8 counted too: {v.Levels} levels ({v.LutAndCarryCells} LUT/carry + {v.WideMuxCells} MUXF) in {v.Layer} " +
                              $"({string.Join(" -> ", v.Cells)}), from {v.Start} to {v.End}");
        Console.WriteLine($"note: {LogicDepthReport.Caveat}");
    }
}
