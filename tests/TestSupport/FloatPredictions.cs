namespace LeNetHls.TestSupport;

/// <summary>The float model's predicted class of every image, by the plain reference (ties to the lowest index, as every float path).</summary>
public static class FloatPredictions
{
    public static int[] Of(FloatModel model, MnistSet set) =>
        [.. Enumerable.Range(0, set.Count).Select(i =>
        {
            var scores = FloatReference.Forward(model, set.Image(i));
            int best = 0;
            for (int c = 1; c < scores.Length; c++) if (scores[c] > scores[best]) best = c;
            return best;
        })];
}
