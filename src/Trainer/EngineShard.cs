using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LeNetHls.Trainer;

/// <summary>What an engine runs: layers over one parameter array, fed pixels times a scale.</summary>
internal interface ILayerStack
{
    ModelSpec Spec { get; }
    Layer[] Layers { get; }
    /// <summary>The parameters the forward pass uses (float weights, or QAT's quantized ones).</summary>
    float[] ForwardParameters { get; }
    int Classes { get; }
    /// <summary>1/255 for the float model; 1 for QAT, whose first layer carries the 1/255.</summary>
    float PixelScale { get; }
}

/// <summary>Images [Start, Start+count) of Data, through Order when shuffled, shifted by (ShiftX, ShiftY)[position].</summary>
internal readonly record struct InputSource(MnistSet Data, int[]? Order, int Start, sbyte[]? ShiftX, sbyte[]? ShiftY);

/// <summary>
/// One thread's share of a batch: its own pinned activation, gradient and scratch buffers and its own
/// parameter gradient, so threads never share a write and the sum over shards is in a fixed order.
/// </summary>
internal sealed unsafe class EngineShard
{
    private readonly float[][] _acts, _grads, _scratchF;
    private readonly int[][] _scratchI;
    private readonly byte[] _labels;

    public EngineShard(ILayerStack net, int maxImages)
    {
        var layers = net.Layers;
        _acts = new float[layers.Length + 1][];
        _grads = new float[layers.Length + 1][];
        for (int i = 0; i <= layers.Length; i++)
        {
            int size = (i == 0 ? layers[0].In.Size : layers[i - 1].Out.Size) * maxImages;
            _acts[i] = Pinned(size);
            _grads[i] = Pinned(size);
        }
        _scratchF = layers.Select(l => Pinned(l.ScratchFloats(maxImages))).ToArray();
        _scratchI = layers.Select(l => GC.AllocateArray<int>(Math.Max(l.ScratchInts(maxImages), 1), pinned: true)).ToArray();
        ParamGrad = Pinned(net.ForwardParameters.Length);
        _labels = new byte[maxImages];
    }

    public float[] ParamGrad { get; }
    public int Images { get; set; }
    public double LossSum { get; private set; }
    public int Correct { get; private set; }

    /// <summary>
    /// Splits count images into one fixed range per shard (shard t gets [count·t/T, count·(t+1)/T)) and
    /// runs work on each, in parallel.
    /// </summary>
    public static void Run(EngineShard[] shards, ParallelOptions parallel, int count, Action<EngineShard, int, int> work)
    {
        int threads = shards.Length;
        foreach (var s in shards) s.Images = 0;
        if (threads == 1)
        {
            shards[0].Images = count;
            work(shards[0], 0, count);
            return;
        }
        Parallel.For(0, threads, parallel, t =>
        {
            int from = (int)((long)count * t / threads), to = (int)((long)count * (t + 1) / threads);
            shards[t].Images = to - from;
            if (to > from) work(shards[t], from, to - from);
        });
    }

    private static float[] Pinned(int length) => GC.AllocateArray<float>(Math.Max(length, 1), pinned: true);
    private static float* Ptr(float[] a) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(a));

    private Scratch ScratchOf(int layer) =>
        new(Ptr(_scratchF[layer]), (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_scratchI[layer])));

    /// <summary>Runs layers [0, layerCount); the output is channel-major, [C][n][H][W].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float* Forward(ILayerStack net, in InputSource input, int from, int n, int layerCount)
    {
        LoadInput(net, input, from, n);
        var layers = net.Layers;
        fixed (float* p = net.ForwardParameters)
        {
            for (int i = 0; i < layerCount; i++)
                layers[i].Forward(p + Math.Max(layers[i].ParamOffset, 0), Ptr(_acts[i]), Ptr(_acts[i + 1]), n, ScratchOf(i));
        }
        return Ptr(_acts[layerCount]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void TrainStep(ILayerStack net, in InputSource input, int from, int n, int batchSize)
    {
        var layers = net.Layers;
        int last = layers.Length;
        Forward(net, input, from, n, last);
        for (int i = 0; i < n; i++) _labels[i] = input.Data.Labels[ImageIndex(input, from + i)];
        (LossSum, Correct) = SoftmaxCrossEntropy.Compute(Ptr(_acts[last]), net.Classes, n, _labels.AsSpan(0, n), Ptr(_grads[last]), batchSize);
        Array.Clear(ParamGrad);
        fixed (float* p = net.ForwardParameters)
        {
            float* g = Ptr(ParamGrad);
            for (int i = last - 1; i >= 0; i--)
            {
                int off = Math.Max(layers[i].ParamOffset, 0);
                layers[i].Backward(p + off, Ptr(_acts[i]), Ptr(_acts[i + 1]), Ptr(_grads[i + 1]), i == 0 ? null : Ptr(_grads[i]), g + off, n, ScratchOf(i));
            }
        }
    }

    private static int ImageIndex(in InputSource input, int position) =>
        input.Order is null ? input.Start + position : input.Order[input.Start + position];

    /// <summary>Pixels times the stack's scale into the channel-major input buffer, shifted with zero fill when augmenting.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void LoadInput(ILayerStack net, in InputSource input, int from, int n)
    {
        var shape = net.Spec.Input;
        int h = shape.H, w = shape.W, c = shape.C, plane = h * w;
        float* x = Ptr(_acts[0]);
        float scale = net.PixelScale;
        for (int img = 0; img < n; img++)
        {
            int position = input.Start + from + img;
            int index = ImageIndex(input, from + img);
            var pixels = input.Data.Images.AsSpan(index * plane * c, plane * c);
            int sx = input.ShiftX?[position] ?? 0, sy = input.ShiftY?[position] ?? 0;
            // Output column col reads source column col − sx: columns [lo, hi) have a source.
            int lo = Math.Max(0, sx), hi = Math.Min(w, w + sx);
            for (int ch = 0; ch < c; ch++)
            {
                float* dst = x + (ch * n + img) * plane;
                for (int row = 0; row < h; row++, dst += w)
                {
                    int r = row - sy;
                    if (r < 0 || r >= h)
                    {
                        new Span<float>(dst, w).Clear();
                        continue;
                    }
                    var src = pixels.Slice(r * w * c);
                    for (int col = 0; col < lo; col++) dst[col] = 0f;
                    for (int col = lo; col < hi; col++) dst[col] = src[(col - sx) * c + ch] * scale;
                    for (int col = hi; col < w; col++) dst[col] = 0f;
                }
            }
        }
    }
}
