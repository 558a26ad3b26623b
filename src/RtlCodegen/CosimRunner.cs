using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using LeNetHls.Core.Verification;

namespace LeNetHls.RtlCodegen;

/// <summary>How the harness drives ap_start (ap_ctrl_hs): see testbench/verilator/tb_main.cpp.</summary>
public enum CosimHost
{
    /// <summary>ap_start held high while images remain: images back to back (the II figure).</summary>
    Hold,
    /// <summary>ap_start raised, dropped after ap_ready, raised again after a random gap of 0..StartGap cycles.</summary>
    Handshake,
    /// <summary>One image at a time: the next start waits for all scores of the previous image.</summary>
    Sequential,
}

public sealed record CosimOptions
{
    /// <summary>Probability of a TVALID gap on pixels and of TREADY low on scores, each cycle.</summary>
    public double StallProbability { get; init; }
    public ulong Seed { get; init; } = 1;
    /// <summary>Dump a VCD waveform to DIR/cosim/trace.vcd (slow; use with few images; one process).</summary>
    public bool Trace { get; init; }
    /// <summary>Simulate a Vitis-exported RTL folder instead of DIR/rtl (no debug taps).</summary>
    public string? VitisRtlDir { get; init; }
    public string VitisTop { get; init; } = "lenet5";
    public CosimHost Host { get; init; } = CosimHost.Hold;
    /// <summary>Largest random gap, in cycles, between ap_ready and the next ap_start of the handshake host.</summary>
    public int StartGap { get; init; } = 8;
    /// <summary>Simulator processes run side by side over image ranges; 0 means one per processor.</summary>
    public int Processes { get; init; }
}

/// <summary>
/// Cycle counts of one continuous image stream (one simulator process): II is the steady-state spacing
/// of finished images, latency runs from the later of an image's start and its first pixel to its
/// last score. <see cref="Source"/> says which images and which process they come from.
/// </summary>
public sealed record CycleStats(long TotalCycles, double II, long FirstLatency, double MeanLatency, string Source = "")
{
    /// <summary>MACs / (II × M): the share of the M multipliers' cycles that do useful work (0 when M is unknown).</summary>
    public double MacUtilization(long macsPerImage, int multipliers) => multipliers == 0 ? 0 : macsPerImage / (II * multipliers);
}

public sealed record CosimResult(
    int Images, int Mismatches, int? FirstMismatchImage, LayerDivergence? Blame, CycleStats Cycles,
    TimeSpan BuildTime, TimeSpan RunTime, string SimulatorDir, int Processes = 1);

/// <summary>
/// Verilator co-simulation: builds the harness with the RTL, streams the test images through it and
/// compares every score with the golden model using ==. DIR layout: DIR/rtl (generated RTL),
/// DIR/tb_data (vectors and cosim_scores.bin), DIR/cosim (logs, cycles, taps, trace), DIR/cosim_build
/// (the Verilator builds, reused while sources and flags are unchanged, and the logs of failed runs).
/// tb_data and cosim are built beside themselves and swapped in once the comparison is done, so a
/// failure, Ctrl-C or SIGKILL leaves the previous ones, never a mix.
/// </summary>
public static class CosimRunner
{
    public const string RtlFolder = "rtl";
    public const string TbDataFolder = "tb_data";
    public const string CosimFolder = "cosim";
    public const string BuildFolder = "cosim_build";
    public const string DebugImageFile = "debug_image.bin";

    public static CosimResult Run(QModel model, string dir, ReadOnlySpan<byte> images, CosimOptions options)
    {
        int pixels = model.InputShape.Size;
        if (images.Length == 0 || images.Length % pixels != 0)
            throw new LeNetHlsException($"cosim: need a whole number of {pixels}-pixel images, got {images.Length} bytes");
        bool vitis = options.VitisRtlDir is not null;
        var imageArray = images.ToArray();
        string rtlDir = Path.GetFullPath(options.VitisRtlDir ?? Path.Combine(dir, RtlFolder));
        if (!Directory.Exists(rtlDir)) throw new LeNetHlsException($"{rtlDir}: RTL folder not found (run `lenet-hls codegen` first)");
        string top = vitis ? options.VitisTop : ReadPlan(rtlDir).Top;
        string buildRoot = Path.GetFullPath(Path.Combine(dir, BuildFolder));
        AtomicFile.EnsureWritableDirectory(buildRoot);
        using var tbDataStaging = AtomicDirectory.Begin(Path.Combine(dir, TbDataFolder), TestVectors.ImagesFile, "cosim");
        using var workStaging = AtomicDirectory.Begin(Path.Combine(dir, CosimFolder));
        var result = tbDataStaging.Build(tbData => workStaging.Build(work =>
            Simulate(model, imageArray, options, rtlDir, top, buildRoot, tbData, Path.Combine(tbDataStaging.Target, TestVectors.CosimScoresFile), work)));
        // csim's scores still hold when the vectors are the same ones.
        if (tbDataStaging.SameInTargetAndStaging(TestVectors.ImagesFile, TestVectors.GoldenScoresFile)) tbDataStaging.KeepFromTarget([TestVectors.CsimScoresFile]);
        tbDataStaging.Commit();
        workStaging.Commit();
        return result;
    }

    /// <summary>Everything <see cref="Run"/> does, writing into the staging folders <paramref name="tbData"/> and <paramref name="work"/>.</summary>
    private static CosimResult Simulate(QModel model, byte[] imageArray, CosimOptions options, string rtlDir, string top, string buildRoot,
                                        string tbData, string scoresPathShown, string work)
    {
        int pixels = model.InputShape.Size, classes = model.Classes;
        int count = imageArray.Length / pixels;
        bool vitis = options.VitisRtlDir is not null;
        var golden = GoldenScores.Compute(model, imageArray);
        TestVectors.Write(tbData, imageArray, golden);

        var buildClock = Stopwatch.StartNew();
        string simulator = Build(rtlDir, top, buildRoot, work, vitis, options.Trace, taps: false);
        var buildTime = buildClock.Elapsed;

        var runClock = Stopwatch.StartNew();
        var ranges = Ranges(count, options.Trace ? 1 : options.Processes);
        string imagesPath = Path.Combine(tbData, TestVectors.ImagesFile);
        var parts = new (string Scores, string Cycles)[ranges.Count];
        void SimulateRange(int k)
        {
            var (first, length) = ranges[k];
            parts[k] = (Path.Combine(work, $"scores_part{k}.bin"), Path.Combine(work, $"cycles_part{k}.json"));
            var args = new List<string>
            {
                "--images", imagesPath, "--first", first.ToString(), "--count", length.ToString(),
                "--scores-out", parts[k].Scores, "--cycles-out", parts[k].Cycles,
                "--pixels", pixels.ToString(), "--classes", classes.ToString(), "--score-bits", model.Scores.Bits.ToString(),
                "--score-signed", model.Scores.Unsigned ? "0" : "1",
                "--stall-prob", options.StallProbability.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                "--seed", (options.Seed + (ulong)k).ToString(),
                "--host", options.Host.ToString().ToLowerInvariant(), "--start-gap", options.StartGap.ToString(),
            };
            if (options.Trace) args.AddRange(["--trace", Path.Combine(work, "trace.vcd")]);
            RunSimulator(simulator, args, rtlDir, buildRoot, ranges.Count == 1 ? "simulation.log" : $"simulation_part{k}.log");
        }
        var processes = Enumerable.Range(0, ranges.Count).Select(k => Task.Factory.StartNew(() => SimulateRange(k), TaskCreationOptions.LongRunning)).ToArray();
        try { Task.WaitAll(processes); }
        catch (AggregateException e) { ExceptionDispatchInfo.Throw(e.InnerExceptions[0]); }
        var runTime = runClock.Elapsed;

        // Scores of the ranges, merged in image order.
        var actual = new int[count * classes];
        for (int k = 0; k < ranges.Count; k++)
        {
            var part = TestVectors.ReadScores(parts[k].Scores, classes);
            if (part.Length != ranges[k].Count * classes)
                throw LeNetHlsException.InFile(parts[k].Scores, $"has {part.Length / classes} images of scores, expected {ranges[k].Count}");
            part.CopyTo(actual, ranges[k].First * classes);
        }
        TestVectors.WriteScores(Path.Combine(tbData, TestVectors.CosimScoresFile), actual);
        var comparison = ScoreComparison.Compare(golden, actual, classes, scoresPathShown);
        int? firstMismatch = comparison.FirstMismatchedImage;
        int mismatches = comparison.MismatchedImages;
        LayerDivergence? blame = firstMismatch is int bad && !vitis
            ? Blame(model, Build(rtlDir, top, buildRoot, work, vitis, trace: false, taps: true), bad, imageArray.AsSpan(bad * pixels, pixels).ToArray(),
                    rtlDir, tbData, work, buildRoot)
            : null;
        // II and latency need one unbroken stream of images, so they come from the first range alone.
        var cycles = ReadCycles(parts[0].Cycles) with
        {
            Source = $"images 0..{ranges[0].Count - 1} back to back in simulator process 1 of {ranges.Count} ({options.Host.ToString().ToLowerInvariant()} host)",
        };
        return new CosimResult(count, mismatches, firstMismatch, blame, cycles, buildTime, runTime, simulator, ranges.Count);
    }

    /// <summary>
    /// Contiguous image ranges, one per simulator process: at most <paramref name="processes"/> (0: one per
    /// processor), and none shorter than <see cref="MinImagesPerProcess"/>, so a small run stays one stream.
    /// </summary>
    public static List<(int First, int Count)> Ranges(int images, int processes)
    {
        int wanted = processes > 0 ? processes : Environment.ProcessorCount;
        int n = Math.Clamp(images / MinImagesPerProcess, 1, Math.Max(1, wanted));
        var ranges = new List<(int First, int Count)>(n);
        for (int k = 0, first = 0; k < n; k++)
        {
            int length = images / n + (k < images % n ? 1 : 0);
            ranges.Add((first, length));
            first += length;
        }
        return ranges;
    }

    /// <summary>A process simulates at least this many images, so its start-up and build share stay small.</summary>
    public const int MinImagesPerProcess = 500;

    public static RtlPlan ReadPlan(string rtlDir)
    {
        string path = Path.Combine(rtlDir, RtlGenerator.PlanFile);
        if (!File.Exists(path)) throw LeNetHlsException.InFile(path, "RTL plan not found (run `lenet-hls codegen` first)");
        try { return JsonSerializer.Deserialize<RtlPlan>(File.ReadAllText(path), RtlPlan.Json) ?? throw LeNetHlsException.InFile(path, "empty RTL plan"); }
        catch (JsonException e) { throw LeNetHlsException.InFile(path, $"corrupt RTL plan ({e.Message.Split('\n')[0]})"); }
    }

    /// <summary>
    /// Builds (or reuses, when sources and flags are unchanged) the Verilator simulator. The debug taps
    /// (32-bit copies of every layer's output on extra ports) cost about two thirds of the simulation
    /// time, so they are only compiled into a separate simulator that re-runs a mismatching image.
    /// </summary>
    /// <param name="buildRoot">Where the builds live between runs (DIR/cosim_build); a failed build's log stays there.</param>
    /// <param name="work">The run's staging DIR/cosim, which receives the log of a successful build.</param>
    private static string Build(string rtlDir, string top, string buildRoot, string work, bool vitis, bool trace, bool taps)
    {
        string verilator = ExternalTool.Require("verilator");
        if (Directory.GetFiles(rtlDir, "*.v").Length == 0) throw new LeNetHlsException($"{rtlDir}: no .v files to simulate");
        // Verilator's --build hands every path to make, which splits it at spaces and expands '$': sources in
        // folders with such names are read through plain-named links, and the build itself (make works in the
        // resolved folder) moves to a plain-named folder of its own under the temp folder.
        rtlDir = MakeSafePath(rtlDir);
        string buildParent = IsPlainPath(buildRoot) ? buildRoot : Path.Combine(Path.GetTempPath(), "lenet-hls-builds", PathKey(buildRoot));
        string harness = Path.Combine(MakeSafePath(Path.GetDirectoryName(RtlAssets.HarnessFile("tb_main.cpp"))!), "tb_main.cpp");
        var sources = Directory.GetFiles(rtlDir, "*.v").Order(StringComparer.Ordinal).ToList();
        string buildDir = Path.Combine(buildParent, (vitis ? "build-vitis" : "build") + (taps ? "-taps" : "") + (trace ? "-trace" : ""));
        var args = new List<string>
        {
            "--cc", "--exe", "--build", "-O3", "--x-assign", "fast", "--x-initial", "fast", "--noassert",
            "-MAKEFLAGS", "OPT_FAST=-O2", "-j", "2", "--prefix", "Vlenet_top", "--top-module", top,
            "-Mdir", buildDir, "-o", "lenet_cosim",
        };
        if (vitis) args.AddRange(["--no-timing", "-Wno-fatal"]);
        else if (taps) args.AddRange(["+define+LENET_DEBUG_TAPS", "-CFLAGS", $"-DLENET_TAPS -I{rtlDir}"]);
        if (trace) args.Add("--trace");
        args.AddRange(sources);
        args.Add(harness);

        string simulator = Path.Combine(buildDir, "lenet_cosim");
        string stampPath = Path.Combine(buildDir, "lenet_build.stamp");
        var includes = Directory.GetFiles(rtlDir, "*.vh").Order(StringComparer.Ordinal);
        string stamp = Stamp(args, sources.Append(harness).Concat(includes).Concat(taps ? [Path.Combine(rtlDir, RtlGenerator.TapsHeader)] : []));
        if (File.Exists(simulator) && File.Exists(stampPath) && File.ReadAllText(stampPath) == stamp) return simulator;

        // Without its stamp a build folder is never reused: a build killed midway is redone, not trusted.
        if (File.Exists(stampPath)) File.Delete(stampPath);
        Directory.CreateDirectory(buildDir);
        var result = ExternalTool.Run(verilator, args, rtlDir);
        string log = Path.Combine(buildRoot, "verilator_build.log");
        AtomicFile.WriteAllText(log, result.Output);
        if (result.ExitCode != 0 || !File.Exists(simulator))
            throw new LeNetHlsException($"{log}: Verilator build failed: {FirstDiagnostic(result.Output)}");
        AtomicFile.WriteAllText(stampPath, stamp);
        AtomicFile.WriteAllText(Path.Combine(work, "verilator_build.log"), result.Output);
        return simulator;
    }

    /// <summary>The first Verilator warning or error itself, not its closing "Exiting due to N warning(s)".</summary>
    private static string FirstDiagnostic(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
              .FirstOrDefault(l => (l.StartsWith("%Warning", StringComparison.Ordinal) || l.StartsWith("%Error", StringComparison.Ordinal))
                                   && !l.Contains("Exiting due to", StringComparison.Ordinal))
        ?? ExternalTool.FirstError(output);

    /// <summary>
    /// <paramref name="dir"/> itself when make can take its name as it is; else a link to it under the temp folder
    /// with a plain name derived from the full path (the same folder always gets the same link).
    /// </summary>
    internal static string MakeSafePath(string dir)
    {
        string full = Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar);
        if (IsPlainPath(full)) return full;
        string links = Path.Combine(Path.GetTempPath(), "lenet-hls-links");
        Directory.CreateDirectory(links);
        string link = Path.Combine(links, PathKey(full));
        var existing = new FileInfo(link);
        if (existing.LinkTarget == full) return link;
        if (existing.Exists || existing.LinkTarget is not null) File.Delete(link);
        try { Directory.CreateSymbolicLink(link, full); }
        catch (IOException) when (new FileInfo(link).LinkTarget == full) { /* another run made the same link */ }
        return link;
    }

    private static bool IsPlainPath(string path) =>
        Path.GetFullPath(path).All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '-' or '.' or '+');

    private static string PathKey(string path) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(path))))[..16].ToLowerInvariant();

    private static string Stamp(IEnumerable<string> args, IEnumerable<string> files)
    {
        using var sha = SHA256.Create();
        var text = new StringBuilder(string.Join('\n', args));
        foreach (var f in files.Where(File.Exists)) text.Append('\n').Append(f).Append(' ').Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
        return Convert.ToHexString(sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <param name="failureLogDir">Where the output of a failed run is kept: a folder that outlives the run (not its staging).</param>
    private static void RunSimulator(string simulator, List<string> args, string rtlDir, string failureLogDir, string logName = "simulation.log")
    {
        var result = ExternalTool.Run(simulator, args, rtlDir);
        if (result.ExitCode != 0)
        {
            string log = Path.Combine(failureLogDir, logName);
            AtomicFile.WriteAllText(log, result.Output);
            throw new LeNetHlsException($"{log}: simulation failed: {ExternalTool.FirstError(result.Output)}");
        }
    }

    /// <summary>Re-runs one image with the debug taps and names the first layer whose output differs.</summary>
    private static LayerDivergence? Blame(QModel model, string simulator, int imageIndex, byte[] image, string rtlDir, string tbData, string work, string failureLogDir)
    {
        string imagePath = Path.Combine(tbData, DebugImageFile);
        string tapsDir = Path.Combine(work, "taps");
        AtomicFile.WriteAllBytes(imagePath, image);
        AtomicFile.EnsureWritableDirectory(tapsDir);
        RunSimulator(simulator,
        [
            "--images", imagePath, "--scores-out", Path.Combine(work, "debug_scores.bin"), "--taps-dir", tapsDir,
            "--pixels", model.InputShape.Size.ToString(), "--classes", model.Classes.ToString(),
            "--score-bits", model.Scores.Bits.ToString(), "--score-signed", model.Scores.Unsigned ? "0" : "1",
        ], rtlDir, failureLogDir);
        // A tap shorter than the layer's output reads as "no value" from where it ends.
        return LayerDivergence.Locate(model, imageIndex, image,
            layer => TestVectors.ReadScores(Path.Combine(tapsDir, $"tap_{layer}.bin"), 1).Select(v => (long)v).ToArray());
    }

    private static CycleStats ReadCycles(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var firstPixel = root.GetProperty("firstPixel").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var start = root.GetProperty("start").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var lastScore = root.GetProperty("lastScore").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        int n = lastScore.Length;
        // An input register slice may take an image's first pixels before its start is given.
        long Latency(int i) => lastScore[i] - Math.Max(firstPixel[i], start[i]) + 1;
        double ii = n > 1 ? (double)(lastScore[n - 1] - lastScore[0]) / (n - 1) : Latency(0);
        double meanLatency = Enumerable.Range(0, n).Average(i => (double)Latency(i));
        return new CycleStats(root.GetProperty("cycles").GetInt64(), ii, Latency(0), meanLatency);
    }
}
