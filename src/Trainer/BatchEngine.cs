using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LeNetHls.Core.Data;
using LeNetHls.Core.Model;

namespace LeNetHls.Trainer;

/// <summary>
/// Runs a Network over batches on several threads. A batch is cut into one fixed shard per thread
/// (shard t gets images [count·t/T, count·(t+1)/T)), each shard has its own buffers and gradient, and
/// the gradients are summed in shard order: the same thread count always gives the same bits.
/// </summary>
public sealed unsafe class BatchEngine
{
    private readonly Shard[] _shards;
    private readonly ParallelOptions _parallel;

    public BatchEngine(Network network, int threads, int maxBatch)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "need at least one thread");
        Network = network;
        Threads = threads;
        MaxBatch = maxBatch;
        int maxShard = (maxBatch + threads - 1) / threads;
        _shards = Enumerable.Range(0, threads).Select(_ => new Shard(network, maxShard)).ToArray();
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        Gradient = new float[network.Parameters.Length];
    }

    public Network Network { get; }
    public int Threads { get; }
    public int MaxBatch { get; }
    /// <summary>Gradient of the mean batch loss after ComputeGradients, with cut connections zeroed.</summary>
    public float[] Gradient { get; }

    /// <summary>
    /// Forward and backward over the images order[start..start+count), each shifted by
    /// (shiftX, shiftY)[position] pixels when given. Returns the summed loss and the number of hits.
    /// </summary>
    public (double LossSum, int Correct) ComputeGradients(MnistSet data, int[] order, int start, int count, sbyte[]? shiftX = null, sbyte[]? shiftY = null)
    {
        CheckCount(count, data);
        var input = new InputSource(data, order, start, shiftX, shiftY);
        Run(count, (shard, from, n) => shard.TrainStep(Network, input, from, n, count));
        var loss = 0.0;
        int correct = 0;
        Array.Clear(Gradient);
        foreach (var shard in _shards)
        {
            // With fewer images than threads some shards stay empty and hold an older batch's gradient.
            if (shard.Images == 0) continue;
            TensorPrimitives.Add(Gradient, shard.ParamGrad, Gradient);
            loss += shard.LossSum; correct += shard.Correct;
        }
        TensorPrimitives.Multiply(Gradient, Network.ConnectionMask, Gradient);
        return (loss, correct);
    }

    /// <summary>Logits of images [start, start+count) of data, written as [image][class].</summary>
    public void Logits(MnistSet data, int start, int count, Span<float> logits)
    {
        CheckCount(count, data);
        int classes = Network.Classes;
        if (logits.Length < count * classes) throw new ArgumentException("logits buffer too small", nameof(logits));
        var input = new InputSource(data, null, start, null, null);
        fixed (float* dst = logits)
        {
            float* d = dst;
            Run(count, (shard, from, n) =>
            {
                float* y = shard.Forward(Network, input, from, n);
                for (int img = 0; img < n; img++)
                    for (int c = 0; c < classes; c++) d[(from + img) * classes + c] = y[c * n + img];
            });
        }
    }

    private void CheckCount(int count, MnistSet data)
    {
        if (data.PixelsPerImage != Network.Spec.Input.Size)
            throw new Core.IO.LeNetHlsException($"model '{Network.Spec.Name}' expects {Network.Spec.Input} inputs but the images have {data.Rows}x{data.Cols} pixels");
        if (count < 1 || count > MaxBatch) throw new ArgumentOutOfRangeException(nameof(count), $"batch of {count} images, engine holds 1..{MaxBatch}");
    }

    private delegate void ShardWork(Shard shard, int from, int n);

    private void Run(int count, ShardWork work)
    {
        int threads = _shards.Length;
        if (threads == 1)
        {
            _shards[0].Images = count;
            work(_shards[0], 0, count);
            return;
        }
        Parallel.For(0, threads, _parallel, t =>
        {
            int from = (int)((long)count * t / threads), to = (int)((long)count * (t + 1) / threads);
            _shards[t].Images = to - from;
            if (to > from) work(_shards[t], from, to - from);
        });
    }

    internal readonly record struct InputSource(MnistSet Data, int[]? Order, int Start, sbyte[]? ShiftX, sbyte[]? ShiftY);

    private static float[] Pinned(int length) => GC.AllocateArray<float>(Math.Max(length, 1), pinned: true);
    private static float* Ptr(float[] a) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(a));

    private sealed class Shard
    {
        private readonly float[][] _acts, _grads, _scratchF;
        private readonly int[][] _scratchI;
        private readonly byte[] _labels;

        public Shard(Network net, int maxImages)
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
            ParamGrad = Pinned(net.Parameters.Length);
            _labels = new byte[maxImages];
        }

        public float[] ParamGrad { get; }
        public int Images { get; set; }
        public double LossSum { get; private set; }
        public int Correct { get; private set; }

        private Scratch ScratchOf(int layer) =>
            new(Ptr(_scratchF[layer]), (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_scratchI[layer])));

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]

        public float* Forward(Network net, in InputSource input, int from, int n)
        {
            LoadInput(net.Spec.Input, input, from, n);
            var layers = net.Layers;
            fixed (float* p = net.Parameters)
            {
                for (int i = 0; i < layers.Length; i++)
                    layers[i].Forward(p + Math.Max(layers[i].ParamOffset, 0), Ptr(_acts[i]), Ptr(_acts[i + 1]), n, ScratchOf(i));
            }
            return Ptr(_acts[layers.Length]);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]

        public void TrainStep(Network net, in InputSource input, int from, int n, int batchSize)
        {
            Forward(net, input, from, n);
            var layers = net.Layers;
            int last = layers.Length;
            for (int i = 0; i < n; i++) _labels[i] = input.Data.Labels[ImageIndex(input, from + i)];
            (LossSum, Correct) = SoftmaxCrossEntropy.Compute(Ptr(_acts[last]), net.Classes, n, _labels.AsSpan(0, n), Ptr(_grads[last]), batchSize);
            Array.Clear(ParamGrad);
            fixed (float* p = net.Parameters)
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

        /// <summary>Pixels / 255 into the channel-major input buffer, shifted with zero fill when augmenting.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void LoadInput(Shape3 shape, in InputSource input, int from, int n)
        {
            int h = shape.H, w = shape.W, c = shape.C, plane = h * w;
            float* x = Ptr(_acts[0]);
            const float scale = FloatReference.PixelScale;
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
}
