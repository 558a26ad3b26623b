using Google.Protobuf;
using LeNetHls.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;

namespace LeNetHls.Onnx.Tests;

/// <summary>Runs an ONNX model in ONNX Runtime (default CPU provider and graph optimizations) on NCHW batches.</summary>
internal sealed class Ort : IDisposable
{
    private readonly InferenceSession _session;

    public Ort(ModelProto model) => _session = new InferenceSession(model.ToByteArray());

    public void Dispose() => _session.Dispose();

    /// <summary>The float model: x = pixel / 255 as float, logits out, one row per image.</summary>
    public float[][] Logits(IReadOnlyList<byte[]> images, int[] chw) =>
        Run<float, float>(images, chw, p => p / 255f, FloatOnnxExporter.InputName, FloatOnnxExporter.OutputName);

    /// <summary>The fixed-point model: raw uint8 pixels in, int32 scores out.</summary>
    public int[][] Scores(IReadOnlyList<byte[]> images, int[] chw) =>
        Run<byte, int>(images, chw, p => p, FixedPointOnnxExporter.InputName, FixedPointOnnxExporter.OutputName);

    private TOut[][] Run<TIn, TOut>(IReadOnlyList<byte[]> images, int[] chw, Func<byte, TIn> convert, string input, string output)
        where TIn : unmanaged where TOut : unmanaged
    {
        const int Batch = 500;
        var result = new List<TOut[]>();
        for (int start = 0; start < images.Count; start += Batch)
        {
            int n = Math.Min(Batch, images.Count - start);
            int c = chw[0], h = chw[1], w = chw[2], size = c * h * w;
            var data = new TIn[n * size];
            // Our images are HWC (channel fastest); ONNX wants CHW.
            for (int i = 0; i < n; i++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        for (int ch = 0; ch < c; ch++)
                            data[i * size + (ch * h + y) * w + x] = convert(images[start + i][(y * w + x) * c + ch]);
            using var value = OrtValue.CreateTensorValueFromMemory(data, [n, chw[0], chw[1], chw[2]]);
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, [input], [value], [output]);
            var flat = outputs[0].GetTensorDataAsSpan<TOut>().ToArray();
            int classes = flat.Length / n;
            for (int i = 0; i < n; i++) result.Add(flat.AsSpan(i * classes, classes).ToArray());
        }
        return [.. result];
    }

    /// <summary>Images of a set as separate arrays.</summary>
    public static byte[][] Images(MnistSet set) => Enumerable.Range(0, set.Count).Select(i => set.Image(i).ToArray()).ToArray();

    public static MnistSet Test(int? count = null)
    {
        var set = MnistFiles.Test;
        return count is { } n ? set.Take(n) : set;
    }

    public static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "fixtures", "onnx", name);
}
