namespace LeNetHls.Trainer;

/// <summary>Accuracy and confusion matrix (rows: true label, columns: predicted) of a classifier on a set.</summary>
public sealed record EvalResult(int Count, int Correct, int[,] Confusion)
{
    public double Accuracy => Count == 0 ? 0 : (double)Correct / Count;
}

/// <summary>Fast batched, multi-threaded float inference with the training engine's layers.</summary>
public sealed class FloatInference
{
    /// <summary>Images per thread and batch: small shards keep each layer's working set in the L2 cache.</summary>
    public const int ImagesPerThread = 32;
    private readonly BatchEngine _engine;
    private readonly float[] _logits;

    /// <param name="threads">Worker threads, 0 for one per logical CPU.</param>
    /// <param name="batch">Images per batch, 0 for ImagesPerThread per thread.</param>
    public FloatInference(Network network, int threads = 0, int batch = 0)
    {
        threads = threads > 0 ? threads : Environment.ProcessorCount;
        batch = batch > 0 ? batch : ImagesPerThread * threads;
        _engine = new BatchEngine(network, threads, batch);
        _logits = new float[batch * network.Classes];
    }

    public FloatInference(FloatModel model, int threads = 0, int batch = 0)
        : this(Network.FromFloatModel(model), threads, batch) { }

    public Network Network => _engine.Network;

    /// <summary>Logits of every image of data, [image][class].</summary>
    public float[] Logits(MnistSet data)
    {
        int classes = Network.Classes;
        var all = new float[data.Count * classes];
        for (int start = 0; start < data.Count; start += _engine.MaxBatch)
        {
            int count = Math.Min(_engine.MaxBatch, data.Count - start);
            _engine.Logits(data, start, count, all.AsSpan(start * classes, count * classes));
        }
        return all;
    }

    /// <summary>Predicted class (first maximal logit) of every image.</summary>
    public int[] Predict(MnistSet data)
    {
        int classes = Network.Classes;
        var predictions = new int[data.Count];
        for (int start = 0; start < data.Count; start += _engine.MaxBatch)
        {
            int count = Math.Min(_engine.MaxBatch, data.Count - start);
            _engine.Logits(data, start, count, _logits);
            for (int i = 0; i < count; i++)
            {
                var row = _logits.AsSpan(i * classes, classes);
                int best = 0;
                for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
                predictions[start + i] = best;
            }
        }
        return predictions;
    }

    public EvalResult Evaluate(MnistSet data)
    {
        var predictions = Predict(data);
        int classes = Network.Classes;
        var confusion = new int[classes, classes];
        int correct = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            int label = data.Labels[i];
            if (label >= classes) throw new Core.IO.LeNetHlsException($"label {label} of image {i} is outside the model's {classes} classes");
            confusion[label, predictions[i]]++;
            if (label == predictions[i]) correct++;
        }
        return new EvalResult(predictions.Length, correct, confusion);
    }

    public static EvalResult Evaluate(FloatModel model, MnistSet data, int threads = 0) => new FloatInference(model, threads).Evaluate(data);
}
