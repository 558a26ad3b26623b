using System.Buffers.Binary;
using LeNetHls.Core.Verification;

namespace LeNetHls.HlsCodegen;

/// <summary>The outcome of one C simulation run.</summary>
public sealed record CsimReport(int Images, int MismatchedImages, int FirstMismatchedImage, LayerDivergence? Divergence,
                                TimeSpan GoldenTime, TimeSpan CompileTime, TimeSpan RunTime)
{
    public bool Passed => MismatchedImages == 0;

    /// <summary>The integer types the simulation was compiled with; the csim log names them.</summary>
    public required ApTypes Types { get; init; }
}

/// <summary>
/// Compiles a generated HLS folder with g++, runs its testbench over test vectors and compares every
/// score with the golden model (==). On a mismatch it rebuilds with -DLENET_TRACE and locates the
/// first differing layer element of the first mismatched image.
/// </summary>
public static class CsimRunner
{
    public const string Compiler = "g++";
    public const string TraceFile = "csim_trace.bin";
    /// <summary>The testbench binaries go beside hls/, not inside it: csim must not change codegen's output.</summary>
    private const string BuildFolder = "../csim_build";
    private const string Binary = BuildFolder + "/lenet5_tb";
    private const string TraceBinary = BuildFolder + "/lenet5_tb_trace";
    private const int MinImagesPerSlice = 500;

    /// <summary>
    /// Writes tbDataDir (images, golden scores, csim scores), builds hlsDir's testbench and runs it. tbDataDir
    /// is built beside itself and swapped in whole once the comparison is done, so a failure, Ctrl-C or
    /// SIGKILL leaves the previous vectors and scores, never a mix; cosim's scores are kept when they
    /// belong to the same vectors.
    /// <paramref name="images"/> holds N × 784 pixels. <paramref name="types"/> defaults to what
    /// <see cref="ApTypes.Find(string?)"/> finds in the environment.
    /// </summary>
    public static CsimReport Run(QModel model, string hlsDir, string tbDataDir, byte[] images, ApTypes? types = null)
    {
        types ??= ApTypes.Find(null);
        int pixels = model.InputShape.Size;
        if (images.Length == 0 || images.Length % pixels != 0)
            throw new LeNetHlsException($"csim: expected a whole number of {pixels}-pixel images, got {images.Length} bytes");
        using var tbData = AtomicDirectory.Begin(tbDataDir, TestVectors.ImagesFile, "csim");
        var report = tbData.Build(staging => Simulate(model, hlsDir, staging, tbDataDir, images, types));
        if (tbData.SameInTargetAndStaging(TestVectors.ImagesFile, TestVectors.GoldenScoresFile)) tbData.KeepFromTarget([TestVectors.CosimScoresFile]);
        tbData.Commit();
        return report;
    }

    /// <summary>Everything <see cref="Run"/> does, writing into <paramref name="staging"/> (named as <paramref name="tbDataDir"/> in messages).</summary>
    private static CsimReport Simulate(QModel model, string hlsDir, string staging, string tbDataDir, byte[] images, ApTypes types)
    {
        int pixels = model.InputShape.Size;
        // g++ works in its own process while the golden model runs here.
        var compileWatch = Stopwatch.StartNew();
        var compile = Task.Run(() => { Compile(hlsDir, trace: false, types); return compileWatch.Elapsed; });
        var goldenWatch = Stopwatch.StartNew();
        int[] golden;
        try { golden = GoldenScores.Compute(model, images); }
        catch
        {
            // Let g++ finish before the caller may delete its folder; its own error is secondary here.
            try { compile.Wait(); } catch (AggregateException) { }
            throw;
        }
        var goldenTime = goldenWatch.Elapsed;
        TestVectors.Write(staging, images, golden);
        var compileTime = compile.GetAwaiter().GetResult();

        int count = images.Length / pixels;
        var runWatch = Stopwatch.StartNew();
        SimulateInSlices(hlsDir, staging, count);
        var runTime = runWatch.Elapsed;

        var scores = TestVectors.ReadScores(Path.Combine(staging, TestVectors.CsimScoresFile), model.Classes);
        var comparison = ScoreComparison.Compare(golden, scores, model.Classes, Path.Combine(tbDataDir, TestVectors.CsimScoresFile));
        var divergence = comparison.FirstMismatchedImage is int first ? Locate(model, hlsDir, staging, images, first, types) : null;
        return new CsimReport(count, comparison.MismatchedImages, comparison.FirstMismatchedImage ?? -1, divergence, goldenTime, compileTime, runTime) { Types = types };
    }

    /// <summary>Builds the testbench (or its trace variant) with g++ in the type world <paramref name="types"/>; returns the binary's path.</summary>
    public static string Compile(string hlsDir, bool trace, ApTypes types)
    {
        string binary = Path.GetFullPath(Path.Combine(hlsDir, trace ? TraceBinary : Binary));
        string compiler = ExternalProcess.Require(Compiler, "C simulation needs a C++17 compiler: apt-get install g++");
        // g++ writes under a temporary name, renamed only after success: a killed or failed build leaves no half-written binary.
        string temporary = AtomicFile.TemporaryPathFor(binary);
        var args = new List<string>(HlsGenerator.CxxFlags);
        args.AddRange(types.CompilerFlags);
        if (trace) args.Add("-DLENET_TRACE");
        args.AddRange(["-I.", "-o", temporary, HlsGenerator.TopSource, $"{HlsGenerator.TestbenchDir}/lenet5_tb.cpp"]);
        try
        {
            var result = ExternalProcess.Run(compiler, args, hlsDir);
            if (result.ExitCode != 0)
                throw LeNetHlsException.InFile(hlsDir, $"{Compiler} failed: {FirstError(result.Stderr)}");
        }
        catch
        {
            AtomicFile.Discard(temporary);
            throw;
        }
        AtomicFile.Replace(temporary, binary);
        return binary;
    }

    /// <summary>The compiler's first error line, or its first line when none says "error".</summary>
    public static string FirstError(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? lines.FirstOrDefault() ?? "no output";
    }

    /// <summary>
    /// One testbench process per core, each on a contiguous slice of the images; their score files are
    /// joined into csim_scores.bin in image order.
    /// </summary>
    private static void SimulateInSlices(string hlsDir, string tbDataDir, int count)
    {
        int slices = Math.Clamp(count / MinImagesPerSlice, 1, Environment.ProcessorCount);
        if (slices == 1)
        {
            RunTestbench(hlsDir, Binary, tbDataDir);
            return;
        }
        var parts = new string[slices];
        Parallel.For(0, slices, new ParallelOptions { MaxDegreeOfParallelism = slices }, k =>
        {
            int first = (int)((long)count * k / slices), next = (int)((long)count * (k + 1) / slices);
            parts[k] = $"csim_scores.slice{k}.bin";
            RunTestbench(hlsDir, Binary, tbDataDir, "--out", parts[k], "--first", Invariant(first), "--count", Invariant(next - first));
        });
        AtomicFile.Write(Path.Combine(tbDataDir, TestVectors.CsimScoresFile), stream =>
        {
            foreach (var part in parts) stream.Write(File.ReadAllBytes(Path.Combine(tbDataDir, part)));
        });
        foreach (var part in parts) File.Delete(Path.Combine(tbDataDir, part));
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void RunTestbench(string hlsDir, string binary, string tbDataDir, params string[] extra)
    {
        var result = ExternalProcess.Run(Path.Combine(hlsDir, binary), [Path.GetFullPath(tbDataDir), .. extra], hlsDir);
        // Exit 1 means "scores differ", which the caller reports in detail; anything else is a failure to run.
        if (result.ExitCode is not (0 or 1))
            throw LeNetHlsException.InFile(Path.Combine(hlsDir, binary), $"testbench failed (exit {result.ExitCode}): {FirstError(result.Stderr)}");
    }

    private static LayerDivergence? Locate(QModel model, string hlsDir, string tbDataDir, byte[] images, int image, ApTypes types)
    {
        Compile(hlsDir, trace: true, types);
        RunTestbench(hlsDir, TraceBinary, tbDataDir, "--trace", Invariant(image), "--first", Invariant(image), "--count", "1", "--out", "csim_trace_scores.bin");
        var csim = ReadTrace(Path.Combine(tbDataDir, TraceFile), model);
        int pixels = model.InputShape.Size;
        return LayerDivergence.Locate(model, image, images.AsSpan(image * pixels, pixels), layer => csim[layer]);
    }

    /// <summary>Reads csim_trace.bin: per layer, int32 index, int32 count, then count int32 values.</summary>
    public static long[][] ReadTrace(string path, QModel model)
    {
        if (!File.Exists(path)) throw LeNetHlsException.InFile(path, "trace file not found");
        var bytes = File.ReadAllBytes(path);
        var layers = new long[model.Layers.Count][];
        int offset = 0;
        int Next()
        {
            if (offset + 4 > bytes.Length) throw LeNetHlsException.InFile(path, "trace ends early");
            int v = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
            offset += 4;
            return v;
        }
        while (offset < bytes.Length)
        {
            int layer = Next(), count = Next();
            if (layer < 0 || layer >= layers.Length || count != model.Layers[layer].OutShape.Size)
                throw LeNetHlsException.InFile(path, $"trace record for layer {layer} with {count} values does not fit the qmodel");
            layers[layer] = new long[count];
            for (int i = 0; i < count; i++) layers[layer][i] = Next();
        }
        for (int i = 0; i < layers.Length; i++)
            if (layers[i] is null) throw LeNetHlsException.InFile(path, $"trace has no values for layer {i} ({model.Layers[i].Name})");
        return layers;
    }
}
