using LeNetHls.Core.Golden;

namespace LeNetHls.Core.Verification;

/// <summary>The golden model's scores of a batch of raw images: what every simulated implementation must equal.</summary>
public static class GoldenScores
{
    /// <summary>Scores of every image (N × classes), computed on all cores. <paramref name="images"/> holds N × pixels bytes.</summary>
    public static int[] Compute(QModel model, byte[] images)
    {
        int pixels = model.InputShape.Size, classes = model.Classes;
        if (images.Length == 0 || images.Length % pixels != 0)
            throw new LeNetHlsException($"expected a whole number of {pixels}-pixel images, got {images.Length} bytes");
        int count = images.Length / pixels;
        var scores = new int[count * classes];
        Parallel.For(0, Environment.ProcessorCount, () => new GoldenModel(model), (worker, _, golden) =>
        {
            for (int n = worker; n < count; n += Environment.ProcessorCount)
                golden.Run(images.AsSpan(n * pixels, pixels)).CopyTo(scores.AsSpan(n * classes, classes));
            return golden;
        }, _ => { });
        return scores;
    }
}

/// <summary>How an implementation's scores compare with the golden scores, image by image (==, never a tolerance).</summary>
public sealed record ScoreComparison(int Images, int MismatchedImages, int? FirstMismatchedImage)
{
    public bool Passed => MismatchedImages == 0;

    /// <param name="actualPath">The file the actual scores came from, named when their count is wrong.</param>
    public static ScoreComparison Compare(int[] golden, int[] actual, int classes, string actualPath)
    {
        int count = golden.Length / classes;
        if (actual.Length != golden.Length)
            throw LeNetHlsException.InFile(actualPath, $"{actual.Length / classes} images scored, expected {count}");
        int mismatched = 0;
        int? first = null;
        for (int n = 0; n < count; n++)
        {
            if (actual.AsSpan(n * classes, classes).SequenceEqual(golden.AsSpan(n * classes, classes))) continue;
            mismatched++;
            first ??= n;
        }
        return new ScoreComparison(count, mismatched, first);
    }
}
