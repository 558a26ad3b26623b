using System.Buffers.Binary;
using System.ComponentModel;
using System.Diagnostics;
using LeNetHls.Core.Data;
using LeNetHls.Core.IO;
using LeNetHls.Core.Quantized;
using LeNetHls.Quantizer;

namespace LeNetHls.HlsCodegen;

/// <summary>Where the C simulation first leaves the golden model: one layer output element of one image.</summary>
public sealed record LayerDivergence(int Image, int Layer, string LayerName, int Channel, int Row, int Col, long Csim, long Golden)
{
    public override string ToString() =>
        $"image {Image}: first difference at layer {Layer} ({LayerName}), channel {Channel}, row {Row}, col {Col}: csim {Csim}, golden {Golden}";
}

/// <summary>The outcome of one C simulation run.</summary>
public sealed record CsimReport(int Images, int MismatchedImages, int FirstMismatchedImage, LayerDivergence? Divergence,
                                TimeSpan GoldenTime, TimeSpan CompileTime, TimeSpan RunTime)
{
    public bool Passed => MismatchedImages == 0;
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
    /// Writes tbDataDir (images and golden scores), builds hlsDir's testbench and runs it.
    /// <paramref name="images"/> holds N × 784 pixels.
    /// </summary>
    public static CsimReport Run(QModel model, string hlsDir, string tbDataDir, byte[] images)
    {
        int pixels = model.InputShape.Size;
        if (images.Length == 0 || images.Length % pixels != 0)
            throw new ArgumentException($"expected N x {pixels} pixels, got {images.Length} bytes", nameof(images));
        AtomicFile.EnsureWritableDirectory(tbDataDir);

        // g++ works in its own process while the golden model runs here.
        var compileWatch = Stopwatch.StartNew();
        var compile = Task.Run(() => { Compile(hlsDir, trace: false); return compileWatch.Elapsed; });
        var goldenWatch = Stopwatch.StartNew();
        int[] golden;
        try { golden = GoldenScores(model, images); }
        catch
        {
            // Let g++ finish before the caller may delete its folder; its own error is secondary here.
            try { compile.Wait(); } catch (AggregateException) { }
            throw;
        }
        var goldenTime = goldenWatch.Elapsed;
        TestVectors.Write(tbDataDir, images, golden);
        var compileTime = compile.GetAwaiter().GetResult();

        int count = images.Length / pixels;
        var runWatch = Stopwatch.StartNew();
        SimulateInSlices(hlsDir, tbDataDir, count);
        var runTime = runWatch.Elapsed;

        var csim = TestVectors.ReadScores(Path.Combine(tbDataDir, TestVectors.CsimScoresFile), model.Classes);
        if (csim.Length != golden.Length)
            throw LeNetHlsException.InFile(Path.Combine(tbDataDir, TestVectors.CsimScoresFile), $"{csim.Length / model.Classes} images scored, expected {count}");
        int mismatched = 0, first = -1;
        for (int n = 0; n < count; n++)
        {
            if (csim.AsSpan(n * model.Classes, model.Classes).SequenceEqual(golden.AsSpan(n * model.Classes, model.Classes))) continue;
            mismatched++;
            if (first < 0) first = n;
        }
        var divergence = first < 0 ? null : Locate(model, hlsDir, tbDataDir, images, first);
        return new CsimReport(count, mismatched, first, divergence, goldenTime, compileTime, runTime);
    }

    /// <summary>Golden scores of every image (N × classes), computed on all cores.</summary>
    public static int[] GoldenScores(QModel model, byte[] images)
    {
        int pixels = model.InputShape.Size, classes = model.Classes, count = images.Length / pixels;
        var scores = new int[count * classes];
        Parallel.For(0, Environment.ProcessorCount, () => new GoldenModel(model), (worker, _, golden) =>
        {
            for (int n = worker; n < count; n += Environment.ProcessorCount)
                golden.Run(images.AsSpan(n * pixels, pixels)).CopyTo(scores.AsSpan(n * classes, classes));
            return golden;
        }, _ => { });
        return scores;
    }

    /// <summary>Builds the testbench (or its trace variant) with g++; returns the binary's path.</summary>
    public static string Compile(string hlsDir, bool trace)
    {
        string binary = trace ? TraceBinary : Binary;
        Directory.CreateDirectory(Path.Combine(hlsDir, BuildFolder));
        var args = new List<string>(HlsGenerator.CxxFlags);
        if (trace) args.Add("-DLENET_TRACE");
        args.AddRange(["-I.", "-o", binary, HlsGenerator.TopSource, $"{HlsGenerator.TestbenchDir}/lenet5_tb.cpp"]);
        var (exit, _, stderr) = Execute(Compiler, hlsDir, args);
        if (exit != 0)
            throw LeNetHlsException.InFile(hlsDir, $"{Compiler} failed: {FirstError(stderr)}");
        return Path.Combine(hlsDir, binary);
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
        var (exit, _, stderr) = Execute(Path.Combine(hlsDir, binary), hlsDir, [Path.GetFullPath(tbDataDir), .. extra]);
        // Exit 1 means "scores differ", which the caller reports in detail; anything else is a failure to run.
        if (exit is not (0 or 1))
            throw LeNetHlsException.InFile(Path.Combine(hlsDir, binary), $"testbench failed (exit {exit}): {FirstError(stderr)}");
    }

    private static LayerDivergence? Locate(QModel model, string hlsDir, string tbDataDir, byte[] images, int image)
    {
        Compile(hlsDir, trace: true);
        RunTestbench(hlsDir, TraceBinary, tbDataDir, "--trace", Invariant(image), "--first", Invariant(image), "--count", "1", "--out", "csim_trace_scores.bin");
        string tracePath = Path.Combine(tbDataDir, TraceFile);
        var csim = ReadTrace(tracePath, model);
        int pixels = model.InputShape.Size;
        var golden = new GoldenModel(model).Trace(images.AsSpan(image * pixels, pixels));
        for (int layer = 0; layer < model.Layers.Count; layer++)
        {
            var shape = model.Layers[layer].OutShape;
            for (int i = 0; i < golden[layer].Length; i++)
            {
                if (csim[layer][i] == golden[layer][i]) continue;
                return new LayerDivergence(image, layer, model.Layers[layer].Name, i % shape.C, i / shape.C / shape.W, i / shape.C % shape.W,
                                           csim[layer][i], golden[layer][i]);
            }
        }
        return null;
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

    private static (int Exit, string Stdout, string Stderr) Execute(string program, string workingDir, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(info) ?? throw new LeNetHlsException($"{program}: could not be started"); }
        catch (Win32Exception)
        {
            throw new LeNetHlsException(program == Compiler
                ? $"{Compiler}: not found on PATH; C simulation needs a C++17 compiler (e.g. apt-get install g++)"
                : $"{program}: cannot be started");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }
}
