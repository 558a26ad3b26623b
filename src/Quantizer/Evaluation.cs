using LeNetHls.Core.Data;
using LeNetHls.Core.Model;
using LeNetHls.Core.Quantized;
using LeNetHls.Trainer;

namespace LeNetHls.Quantizer;

/// <summary>Predictions of the golden model on a set, with the per-layer saturation counts.</summary>
public sealed record GoldenResult(int[] Predictions, long[] Saturations)
{
    public int Correct(byte[] labels) => Evaluation.CountCorrect(Predictions, labels);
}

/// <summary>Float and fixed-point accuracy over a data set, in parallel.</summary>
public static class Evaluation
{
    /// <summary>Runs the golden model on every image (one GoldenModel per worker thread).</summary>
    public static GoldenResult RunGolden(QModel model, MnistSet set)
    {
        var predictions = new int[set.Count];
        var saturations = new long[model.Layers.Count];
        var gate = new object();
        Parallel.For(0, set.Count,
            () => (Golden: new GoldenModel(model), Saturations: new long[model.Layers.Count]),
            (i, _, local) =>
            {
                predictions[i] = GoldenModel.Argmax(local.Golden.Run(set.Image(i), local.Saturations));
                return local;
            },
            local =>
            {
                lock (gate)
                    for (int l = 0; l < saturations.Length; l++) saturations[l] += local.Saturations[l];
            });
        return new GoldenResult(predictions, saturations);
    }

    /// <summary>Float predictions: the trainer's batched inference (FloatReference semantics, ties to the lowest index).</summary>
    public static int[] RunFloat(FloatModel model, MnistSet set) => new FloatInference(model).Predict(set);

    public static int Argmax(ReadOnlySpan<float> scores)
    {
        int best = 0;
        for (int i = 1; i < scores.Length; i++) if (scores[i] > scores[best]) best = i;
        return best;
    }

    public static int CountCorrect(int[] predictions, byte[] labels)
    {
        int correct = 0;
        for (int i = 0; i < predictions.Length; i++) if (predictions[i] == labels[i]) correct++;
        return correct;
    }

    public static int CountChanged(int[] a, int[] b)
    {
        int changed = 0;
        for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) changed++;
        return changed;
    }
}
