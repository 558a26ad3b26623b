using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LeNetHls.Core.Data;

namespace LeNetHls.Trainer.Qat;

/// <summary>
/// Runs a <see cref="QatNetwork"/> over batches on several threads, like <see cref="BatchEngine"/>: one
/// fixed shard per thread, gradients summed in shard order. The input is the raw pixel value (the
/// first layer's weights carry the 1/255).
/// </summary>
internal sealed unsafe class QatEngine
{
    private readonly Shard[] _shards;
    private readonly ParallelOptions _parallel;

    public QatEngine(QatNetwork network, int threads, int maxBatch)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "need at least one thread");
        Network = network;
        MaxBatch = maxBatch;
        int maxShard = (maxBatch + threads - 1) / threads;
        _shards = Enumerable.Range(0, threads).Select(_ => new Shard(network, maxShard)).ToArray();
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        Gradient = new float[network.Effective.Length];
    }

    public QatNetwork Network { get; }
    public int MaxBatch { get; }
    /// <summary>Gradient of the mean batch loss with respect to the effective (quantized) parameters.</summary>
    public float[] Gradient { get; }

    public (double LossSum, int Correct) ComputeGradients(MnistSet data, int[] order, int start, int count, sbyte[]? shiftX, sbyte[]? shiftY)
    {
        var input = new BatchEngine.InputSource(data, order, start, shiftX, shiftY);
        Run(count, (shard, from, n) => shard.TrainStep(Network, input, from, n, count));
        Array.Copy(_shards[0].ParamGrad, Gradient, Gradient.Length);
        double loss = _shards[0].LossSum;
        int correct = _shards[0].Correct;
        for (int t = 1; t < _shards.Length; t++)
        {
            if (_shards[t].Images == 0) continue;
            TensorPrimitives.Add(Gradient, _shards[t].ParamGrad, Gradient);
            loss += _shards[t].LossSum;
            correct += _shards[t].Correct;
        }
        return (loss, correct);
    }

    /// <summary>
    /// Runs layers [0, layerCount) on images [start, start+count) and hands each shard's output
    /// ([C][n][H][W] floats, n images) to collect, one shard at a time in image order.
    /// </summary>
    public void Forward(MnistSet data, int start, int count, int layerCount, Action<int, int, ReadOnlySpan<float>> collect)
    {
        var input = new BatchEngine.InputSource(data, null, start, null, null);
        var outputs = new float[_shards.Length][];
        var origins = new (int From, int N)[_shards.Length];
        Run(count, (shard, from, n) =>
        {
            float* y = shard.Forward(Network, input, from, n, layerCount);
            int size = (layerCount == 0 ? Network.Layers[0].In.Size : Network.Layers[layerCount - 1].Out.Size) * n;
            int t = Array.IndexOf(_shards, shard);
            outputs[t] = new ReadOnlySpan<float>(y, size).ToArray();
            origins[t] = (from, n);
        });
        for (int t = 0; t < _shards.Length; t++)
            if (outputs[t] is not null && origins[t].N > 0) collect(start + origins[t].From, origins[t].N, outputs[t]);
    }

    /// <summary>The integer scores of every image of data, [image][class]: the final real outputs times 2^F_scores.</summary>
    public int[] Scores(MnistSet data)
    {
        int classes = Network.Classes;
        double scale = Math.ScaleB(1.0, Network.Compute[^1].Requant.Frac);
        var scores = new int[data.Count * classes];
        for (int start = 0; start < data.Count; start += MaxBatch)
        {
            int count = Math.Min(MaxBatch, data.Count - start);
            Forward(data, start, count, Network.Layers.Length, (first, n, y) =>
            {
                for (int img = 0; img < n; img++)
                    for (int c = 0; c < classes; c++) scores[(first + img) * classes + c] = (int)(y[c * n + img] * scale);
            });
        }
        return scores;
    }

    private delegate void ShardWork(Shard shard, int from, int n);

    private void Run(int count, ShardWork work)
    {
        if (count < 1 || count > MaxBatch) throw new ArgumentOutOfRangeException(nameof(count), $"batch of {count} images, engine holds 1..{MaxBatch}");
        int threads = _shards.Length;
        foreach (var s in _shards) s.Images = 0;
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

    private static float[] Pinned(int length) => GC.AllocateArray<float>(Math.Max(length, 1), pinned: true);
    private static float* Ptr(float[] a) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(a));

    private sealed class Shard
    {
        private readonly float[][] _acts, _grads, _scratchF;
        private readonly int[][] _scratchI;
        private readonly byte[] _labels;

        public Shard(QatNetwork net, int maxImages)
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
            ParamGrad = Pinned(net.Effective.Length);
            _labels = new byte[maxImages];
        }

        public float[] ParamGrad { get; }
        public int Images { get; set; }
        public double LossSum { get; private set; }
        public int Correct { get; private set; }

        private Scratch ScratchOf(int layer) =>
            new(Ptr(_scratchF[layer]), (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_scratchI[layer])));

        public float* Forward(QatNetwork net, in BatchEngine.InputSource input, int from, int n, int layerCount)
        {
            LoadPixels(net, input, from, n);
            var layers = net.Layers;
            fixed (float* p = net.Effective)
            {
                for (int i = 0; i < layerCount; i++)
                    layers[i].Forward(p + Math.Max(layers[i].ParamOffset, 0), Ptr(_acts[i]), Ptr(_acts[i + 1]), n, ScratchOf(i));
            }
            return Ptr(_acts[layerCount]);
        }

        public void TrainStep(QatNetwork net, in BatchEngine.InputSource input, int from, int n, int batchSize)
        {
            var layers = net.Layers;
            int last = layers.Length;
            Forward(net, input, from, n, last);
            for (int i = 0; i < n; i++) _labels[i] = input.Data.Labels[ImageIndex(input, from + i)];
            (LossSum, Correct) = SoftmaxCrossEntropy.Compute(Ptr(_acts[last]), net.Classes, n, _labels.AsSpan(0, n), Ptr(_grads[last]), batchSize);
            Array.Clear(ParamGrad);
            fixed (float* p = net.Effective)
            {
                float* g = Ptr(ParamGrad);
                for (int i = last - 1; i >= 0; i--)
                {
                    int off = Math.Max(layers[i].ParamOffset, 0);
                    layers[i].Backward(p + off, Ptr(_acts[i]), Ptr(_acts[i + 1]), Ptr(_grads[i + 1]), i == 0 ? null : Ptr(_grads[i]), g + off, n, ScratchOf(i));
                }
            }
        }

        private static int ImageIndex(in BatchEngine.InputSource input, int position) =>
            input.Order is null ? input.Start + position : input.Order[input.Start + position];

        /// <summary>Raw pixels (0..255) into the channel-major input buffer, shifted with zero fill when augmenting.</summary>
        private void LoadPixels(QatNetwork net, in BatchEngine.InputSource input, int from, int n)
        {
            var shape = net.Spec.Input;
            int h = shape.H, w = shape.W, c = shape.C, plane = h * w;
            float* x = Ptr(_acts[0]);
            for (int img = 0; img < n; img++)
            {
                int position = input.Start + from + img;
                var pixels = input.Data.Images.AsSpan(ImageIndex(input, from + img) * plane * c, plane * c);
                int sx = input.ShiftX?[position] ?? 0, sy = input.ShiftY?[position] ?? 0;
                for (int ch = 0; ch < c; ch++)
                {
                    float* dst = x + (ch * n + img) * plane;
                    for (int row = 0; row < h; row++)
                    for (int col = 0; col < w; col++)
                    {
                        int r = row - sy, q = col - sx;
                        dst[row * w + col] = r >= 0 && r < h && q >= 0 && q < w ? pixels[(r * w + q) * c + ch] : 0f;
                    }
                }
            }
        }
    }
}
