using System.Diagnostics;
using System.Text.Json;
using LeNetHls.Core.IO;

namespace LeNetHls.RtlCodegen;

/// <summary>Xilinx 7-series resources of the generated RTL as yosys synth_xilinx counts them.</summary>
public sealed record ResourceEstimate
{
    public required string Top { get; init; }
    public required long Lut { get; init; }
    /// <summary>LUTs used as distributed RAM/ROM (RAM32M, RAM64X1D, …), counted as cells.</summary>
    public required long LutRamCells { get; init; }
    public required long Ff { get; init; }
    public required long Dsp48E1 { get; init; }
    public required long Bram18 { get; init; }
    public required long Bram36 { get; init; }
    public required long Carry4 { get; init; }
    public required double Seconds { get; init; }
    public required IReadOnlyDictionary<string, long> Cells { get; init; }
}

/// <summary>
/// `synth-estimate`: runs yosys `synth_xilinx -family xc7` on DIR/rtl (in that folder, so the
/// $readmemh files resolve) and reads the cell counts of `stat -json`.
/// </summary>
public static class SynthEstimator
{
    public const string SynthFolder = "synth";
    public const string ResultFile = "resources.json";

    public static ResourceEstimate Run(string dir)
    {
        string yosys = ExternalTool.Require("yosys");
        string rtlDir = Path.GetFullPath(Path.Combine(dir, CosimRunner.RtlFolder));
        if (!Directory.Exists(rtlDir)) throw new LeNetHlsException($"{rtlDir}: RTL folder not found (run `lenet-hls codegen` first)");
        var plan = CosimRunner.ReadPlan(rtlDir);
        string work = Path.GetFullPath(Path.Combine(dir, SynthFolder));
        AtomicFile.EnsureWritableDirectory(work);
        var sources = Directory.GetFiles(rtlDir, "*.v").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        string statPath = Path.Combine(work, "stat.json");
        string script = Path.Combine(work, "synth.ys");
        // -defer: elaborate only with the real parameters, so no ROM reads its placeholder file name.
        AtomicFile.WriteAllText(script,
            $"read_verilog -defer {string.Join(' ', sources)}\n" +
            $"hierarchy -top {plan.Top}\n" +
            $"synth_xilinx -family xc7 -top {plan.Top}\n" +
            $"tee -q -o {statPath} stat -json\n");

        var clock = Stopwatch.StartNew();
        string log = Path.Combine(work, "yosys.log");
        if (File.Exists(statPath)) File.Delete(statPath);
        var result = ExternalTool.Run(yosys, ["-q", "-l", log, script], rtlDir);
        if (result.ExitCode != 0 || !File.Exists(statPath))
            throw new LeNetHlsException($"{log}: yosys failed: {ExternalTool.FirstError(result.Output)}");
        var estimate = Parse(File.ReadAllText(statPath), plan.Top, clock.Elapsed.TotalSeconds);
        AtomicFile.WriteAllText(Path.Combine(work, ResultFile), JsonSerializer.Serialize(estimate, RtlPlan.Json));
        return estimate;
    }

    /// <summary>
    /// Reads the design totals (cells by type) of yosys `stat -json`. Yosys 0.23 prints the
    /// hierarchy as plain text inside that JSON, so only the "design" object is parsed.
    /// </summary>
    public static ResourceEstimate Parse(string statJson, string top, double seconds)
    {
        // A flat design has no "design" totals: its only module's counts are the last ones.
        int design = statJson.LastIndexOf("\"design\"", StringComparison.Ordinal);
        int byType = design >= 0
            ? statJson.IndexOf("\"num_cells_by_type\"", design, StringComparison.Ordinal)
            : statJson.LastIndexOf("\"num_cells_by_type\"", StringComparison.Ordinal);
        int open = byType < 0 ? -1 : statJson.IndexOf('{', byType);
        int close = open < 0 ? -1 : statJson.IndexOf('}', open);
        if (close < 0) throw new LeNetHlsException($"yosys stat: no design cell counts found for top '{top}'");
        var cells = new Dictionary<string, long>();
        using (var doc = JsonDocument.Parse(statJson[open..(close + 1)]))
            foreach (var p in doc.RootElement.EnumerateObject()) cells[p.Name.TrimStart('$', '\\')] = p.Value.GetInt64();
        long Sum(Func<string, bool> match) => cells.Where(c => match(c.Key)).Sum(c => c.Value);
        return new ResourceEstimate
        {
            Top = top,
            Lut = Sum(n => n.StartsWith("LUT", StringComparison.Ordinal)),
            LutRamCells = Sum(n => n.StartsWith("RAM", StringComparison.Ordinal) && !n.StartsWith("RAMB", StringComparison.Ordinal)),
            Ff = Sum(n => n.StartsWith("FD", StringComparison.Ordinal)),
            Dsp48E1 = Sum(n => n == "DSP48E1"),
            Bram18 = Sum(n => n == "RAMB18E1"),
            Bram36 = Sum(n => n == "RAMB36E1"),
            Carry4 = Sum(n => n == "CARRY4"),
            Seconds = seconds,
            Cells = cells,
        };
    }
}
