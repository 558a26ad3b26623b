namespace LeNetHls.Core.Golden;

/// <summary>Predictions of the golden model on a set, with the per-layer saturation counts.</summary>
public sealed record GoldenResult(int[] Predictions, long[] Saturations)
{
    public int Correct(byte[] labels)
    {
        int correct = 0;
        for (int i = 0; i < Predictions.Length; i++) if (Predictions[i] == labels[i]) correct++;
        return correct;
    }
}

/// <summary>The golden model over a whole data set, in parallel: what the quantizer and QAT report as a qmodel's accuracy.</summary>
public static class GoldenEvaluation
{
    /// <summary>Runs the golden model on every image (one GoldenModel per worker thread).</summary>
    public static GoldenResult Run(QModel model, MnistSet set)
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

    /// <summary>The predicted class of every image.</summary>
    public static int[] Predict(QModel model, MnistSet set) => Run(model, set).Predictions;
}
