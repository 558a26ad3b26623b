using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LeNetHls.Core.Data;
using LeNetHls.Core.IO;
using LeNetHls.Core.Quantized;
using LeNetHls.Core.Verification;

namespace LeNetHls.RtlCodegen;

public sealed record CosimOptions
{
    /// <summary>Probability of a TVALID gap on pixels and of TREADY low on scores, each cycle.</summary>
    public double StallProbability { get; init; }
    public ulong Seed { get; init; } = 1;
    /// <summary>Dump a VCD waveform to DIR/cosim/trace.vcd (slow; use with few images).</summary>
    public bool Trace { get; init; }
    /// <summary>Simulate a Vitis-exported RTL folder instead of DIR/rtl (no debug taps).</summary>
    public string? VitisRtlDir { get; init; }
    public string VitisTop { get; init; } = "lenet5";
}

/// <summary>Cycle counts of one run: II is the steady-state spacing of finished images.</summary>
public sealed record CycleStats(long TotalCycles, double II, long FirstLatency, double MeanLatency)
{
    /// <summary>MACs / (II × M): the share of the M multipliers' cycles that do useful work (0 when M is unknown).</summary>
    public double MacUtilization(long macsPerImage, int multipliers) => multipliers == 0 ? 0 : macsPerImage / (II * multipliers);
}

public sealed record CosimResult(
    int Images, int Mismatches, int? FirstMismatchImage, LayerDivergence? Blame, CycleStats Cycles,
    TimeSpan BuildTime, TimeSpan RunTime, string SimulatorDir);

/// <summary>
/// Verilator co-simulation: builds the harness with the RTL, streams the test images through it and
/// compares every score with the golden model using ==. DIR layout: DIR/rtl (generated RTL),
/// DIR/tb_data (vectors and cosim_scores.bin), DIR/cosim (builds, logs, cycles, taps).
/// </summary>
public static class CosimRunner
{
    public const string RtlFolder = "rtl";
    public const string TbDataFolder = "tb_data";
    public const string CosimFolder = "cosim";

    public static CosimResult Run(QModel model, string dir, ReadOnlySpan<byte> images, CosimOptions options)
    {
        int pixels = model.InputShape.Size, classes = model.Classes;
        if (images.Length == 0 || images.Length % pixels != 0)
            throw new LeNetHlsException($"cosim: need a whole number of {pixels}-pixel images, got {images.Length} bytes");
        int count = images.Length / pixels;
        bool vitis = options.VitisRtlDir is not null;
        string rtlDir = Path.GetFullPath(options.VitisRtlDir ?? Path.Combine(dir, RtlFolder));
        if (!Directory.Exists(rtlDir)) throw new LeNetHlsException($"{rtlDir}: RTL folder not found (run `lenet-hls codegen` first)");
        string top = vitis ? options.VitisTop : ReadPlan(rtlDir).Top;
        string tbData = Path.GetFullPath(Path.Combine(dir, TbDataFolder));
        string work = Path.GetFullPath(Path.Combine(dir, CosimFolder));
        AtomicFile.EnsureWritableDirectory(tbData);
        AtomicFile.EnsureWritableDirectory(work);

        var imageArray = images.ToArray();
        var golden = GoldenScores.Compute(model, imageArray);
        TestVectors.Write(tbData, imageArray, golden);

        var buildClock = Stopwatch.StartNew();
        string simulator = Build(rtlDir, top, work, vitis, options.Trace);
        var buildTime = buildClock.Elapsed;

        var runClock = Stopwatch.StartNew();
        string scoresPath = Path.Combine(tbData, TestVectors.CosimScoresFile);
        string cyclesPath = Path.Combine(work, "cycles.json");
        var args = new List<string>
        {
            "--images", Path.Combine(tbData, TestVectors.ImagesFile), "--scores-out", scoresPath, "--cycles-out", cyclesPath,
            "--pixels", pixels.ToString(), "--classes", classes.ToString(), "--score-bits", model.Scores.Bits.ToString(),
            "--score-signed", model.Scores.Unsigned ? "0" : "1",
            "--stall-prob", options.StallProbability.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            "--seed", options.Seed.ToString(),
        };
        if (options.Trace) args.AddRange(["--trace", Path.Combine(work, "trace.vcd")]);
        RunSimulator(simulator, args, rtlDir, work);
        var runTime = runClock.Elapsed;

        var comparison = ScoreComparison.Compare(golden, TestVectors.ReadScores(scoresPath, classes), classes, scoresPath);
        int? first = comparison.FirstMismatchedImage;
        int mismatches = comparison.MismatchedImages;
        LayerDivergence? blame = first is int bad && !vitis
            ? Blame(model, simulator, bad, imageArray.AsSpan(bad * pixels, pixels).ToArray(), rtlDir, tbData, work)
            : null;
        return new CosimResult(count, mismatches, first, blame, ReadCycles(cyclesPath), buildTime, runTime, simulator);
    }

    public static RtlPlan ReadPlan(string rtlDir)
    {
        string path = Path.Combine(rtlDir, RtlGenerator.PlanFile);
        if (!File.Exists(path)) throw LeNetHlsException.InFile(path, "RTL plan not found (run `lenet-hls codegen` first)");
        try { return JsonSerializer.Deserialize<RtlPlan>(File.ReadAllText(path), RtlPlan.Json) ?? throw LeNetHlsException.InFile(path, "empty RTL plan"); }
        catch (JsonException e) { throw LeNetHlsException.InFile(path, $"corrupt RTL plan ({e.Message.Split('\n')[0]})"); }
    }

    /// <summary>Builds (or reuses, when sources and flags are unchanged) the Verilator simulator.</summary>
    private static string Build(string rtlDir, string top, string work, bool vitis, bool trace)
    {
        string verilator = ExternalTool.Require("verilator");
        string harness = RtlAssets.HarnessFile("tb_main.cpp");
        var sources = Directory.GetFiles(rtlDir, "*.v").Order(StringComparer.Ordinal).ToList();
        if (sources.Count == 0) throw new LeNetHlsException($"{rtlDir}: no .v files to simulate");
        string buildDir = Path.Combine(work, (vitis ? "build-vitis" : "build") + (trace ? "-trace" : ""));
        var args = new List<string>
        {
            "--cc", "--exe", "--build", "-O3", "--x-assign", "fast", "--x-initial", "fast", "--noassert",
            "-MAKEFLAGS", "OPT_FAST=-O2", "-j", "2", "--prefix", "Vlenet_top", "--top-module", top,
            "-Mdir", buildDir, "-o", "lenet_cosim",
        };
        if (vitis) args.AddRange(["--no-timing", "-Wno-fatal"]);
        else args.AddRange(["+define+LENET_DEBUG_TAPS", "-CFLAGS", $"-DLENET_TAPS -I{rtlDir}"]);
        if (trace) args.Add("--trace");
        args.AddRange(sources);
        args.Add(harness);

        string simulator = Path.Combine(buildDir, "lenet_cosim");
        string stampPath = Path.Combine(buildDir, "lenet_build.stamp");
        string stamp = Stamp(args, sources.Append(harness).Concat(vitis ? [] : [Path.Combine(rtlDir, RtlGenerator.TapsHeader)]));
        if (File.Exists(simulator) && File.Exists(stampPath) && File.ReadAllText(stampPath) == stamp) return simulator;

        Directory.CreateDirectory(buildDir);
        var result = ExternalTool.Run(verilator, args, rtlDir);
        string log = Path.Combine(work, "verilator_build.log");
        AtomicFile.WriteAllText(log, result.Output);
        if (result.ExitCode != 0 || !File.Exists(simulator))
            throw new LeNetHlsException($"{log}: Verilator build failed: {ExternalTool.FirstError(result.Output)}");
        AtomicFile.WriteAllText(stampPath, stamp);
        return simulator;
    }

    private static string Stamp(IEnumerable<string> args, IEnumerable<string> files)
    {
        using var sha = SHA256.Create();
        var text = new StringBuilder(string.Join('\n', args));
        foreach (var f in files.Where(File.Exists)) text.Append('\n').Append(f).Append(' ').Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
        return Convert.ToHexString(sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static void RunSimulator(string simulator, List<string> args, string rtlDir, string work)
    {
        var result = ExternalTool.Run(simulator, args, rtlDir);
        if (result.ExitCode != 0)
        {
            string log = Path.Combine(work, "simulation.log");
            AtomicFile.WriteAllText(log, result.Output);
            throw new LeNetHlsException($"{log}: simulation failed: {ExternalTool.FirstError(result.Output)}");
        }
    }

    /// <summary>Re-runs one image with the debug taps and names the first layer whose output differs.</summary>
    private static LayerDivergence? Blame(QModel model, string simulator, int imageIndex, byte[] image, string rtlDir, string tbData, string work)
    {
        string imagePath = Path.Combine(tbData, "debug_image.bin");
        string tapsDir = Path.Combine(work, "taps");
        AtomicFile.WriteAllBytes(imagePath, image);
        AtomicFile.EnsureWritableDirectory(tapsDir);
        RunSimulator(simulator,
        [
            "--images", imagePath, "--scores-out", Path.Combine(work, "debug_scores.bin"), "--taps-dir", tapsDir,
            "--pixels", model.InputShape.Size.ToString(), "--classes", model.Classes.ToString(),
            "--score-bits", model.Scores.Bits.ToString(), "--score-signed", model.Scores.Unsigned ? "0" : "1",
        ], rtlDir, work);
        // A tap shorter than the layer's output reads as "no value" from where it ends.
        return LayerDivergence.Locate(model, imageIndex, image,
            layer => TestVectors.ReadScores(Path.Combine(tapsDir, $"tap_{layer}.bin"), 1).Select(v => (long)v).ToArray());
    }

    private static CycleStats ReadCycles(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var firstPixel = root.GetProperty("firstPixel").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var lastScore = root.GetProperty("lastScore").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        int n = lastScore.Length;
        double ii = n > 1 ? (double)(lastScore[n - 1] - lastScore[0]) / (n - 1) : lastScore[0] - firstPixel[0] + 1;
        double meanLatency = Enumerable.Range(0, n).Average(i => (double)(lastScore[i] - firstPixel[i] + 1));
        return new CycleStats(root.GetProperty("cycles").GetInt64(), ii, lastScore[0] - firstPixel[0] + 1, meanLatency);
    }
}
