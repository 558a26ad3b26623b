using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LeNetHls.Trainer;

/// <summary>
/// Runs a Network over batches on several threads. A batch is cut into one fixed shard per thread
/// (shard t gets images [count·t/T, count·(t+1)/T)), each shard has its own buffers and gradient, and
/// the gradients are summed in shard order: the same thread count always gives the same bits.
/// </summary>
public sealed unsafe class BatchEngine
{
    private readonly EngineShard[] _shards;
    private readonly ParallelOptions _parallel;

    public BatchEngine(Network network, int threads, int maxBatch)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "need at least one thread");
        Network = network;
        Threads = threads;
        MaxBatch = maxBatch;
        int maxShard = (maxBatch + threads - 1) / threads;
        _shards = Enumerable.Range(0, threads).Select(_ => new EngineShard(network, maxShard)).ToArray();
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
        EngineShard.Run(_shards, _parallel, count, (shard, from, n) => shard.TrainStep(Network, input, from, n, count));
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
            EngineShard.Run(_shards, _parallel, count, (shard, from, n) =>
            {
                float* y = shard.Forward(Network, input, from, n, Network.Layers.Length);
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
}
