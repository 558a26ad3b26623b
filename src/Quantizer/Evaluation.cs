namespace LeNetHls.Quantizer;

/// <summary>Counting helpers shared by the accuracy comparisons (predictions come from GoldenEvaluation and the trainer's float inference).</summary>
public static class Evaluation
{
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
