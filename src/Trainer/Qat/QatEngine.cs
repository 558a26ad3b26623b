using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LeNetHls.Trainer.Qat;

/// <summary>
/// Runs a <see cref="QatNetwork"/> over batches on several threads, like <see cref="BatchEngine"/>: one
/// fixed shard per thread, gradients summed in shard order. The input is the raw pixel value (the
/// first layer's weights carry the 1/255).
/// </summary>
internal sealed unsafe class QatEngine
{
    private readonly EngineShard[] _shards;
    private readonly ParallelOptions _parallel;

    public QatEngine(QatNetwork network, int threads, int maxBatch)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "need at least one thread");
        Network = network;
        MaxBatch = maxBatch;
        int maxShard = (maxBatch + threads - 1) / threads;
        _shards = Enumerable.Range(0, threads).Select(_ => new EngineShard(network, maxShard)).ToArray();
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        Gradient = new float[network.Effective.Length];
    }

    public QatNetwork Network { get; }
    public int MaxBatch { get; }
    /// <summary>Gradient of the mean batch loss with respect to the effective (quantized) parameters.</summary>
    public float[] Gradient { get; }

    public (double LossSum, int Correct) ComputeGradients(MnistSet data, int[] order, int start, int count, sbyte[]? shiftX, sbyte[]? shiftY)
    {
        var input = new InputSource(data, order, start, shiftX, shiftY);
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
        var input = new InputSource(data, null, start, null, null);
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

    private void Run(int count, Action<EngineShard, int, int> work)
    {
        if (count < 1 || count > MaxBatch) throw new ArgumentOutOfRangeException(nameof(count), $"batch of {count} images, engine holds 1..{MaxBatch}");
        EngineShard.Run(_shards, _parallel, count, work);
    }
}
