using LeNetHls.Core.Golden;

namespace LeNetHls.Quantizer;

/// <summary>How a qmodel does on the test set against its float model.</summary>
public sealed record AccuracyComparison(int Images, int FloatCorrect, int FixedCorrect, int Changed, long[] Saturations)
{
    public double FloatAccuracy => 100.0 * FloatCorrect / Images;
    public double FixedAccuracy => 100.0 * FixedCorrect / Images;
    /// <summary>Percentage of images whose fixed-point prediction equals the float prediction.</summary>
    public double Agreement => 100.0 * (Images - Changed) / Images;

    public static AccuracyComparison Measure(QModel model, MnistSet test, int[] floatPredictions)
    {
        var golden = GoldenEvaluation.Run(model, test);
        return new AccuracyComparison(test.Count, Evaluation.CountCorrect(floatPredictions, test.Labels), golden.Correct(test.Labels),
                                      Evaluation.CountChanged(golden.Predictions, floatPredictions), golden.Saturations);
    }
}

/// <summary>Loading a float model and quantizing it the way the CLI does.</summary>
public static class QuantizationRun
{
    /// <summary>The qmodel name the CLI uses by default: the model file's name plus the widths, e.g. lenet5-w8a8.</summary>
    public static string DefaultName(string modelPath, QuantizeOptions options) =>
        $"{Path.GetFileName(ModelFile.BasePath(modelPath))}-w{options.WeightBits}a{options.ActivationBits}{(options.UnsignedRelu ? "u" : "")}";

    public static string SourceSha256(string modelPath)
    {
        string bin = ModelFile.BinPath(modelPath);
        return File.Exists(bin) ? Hashing.Sha256OfFile(bin) : "";
    }

    public static MnistSet LoadSplit(string dataDir, MnistSplit split, int limit)
    {
        var set = Mnist.Load(dataDir, split);
        return limit > 0 && limit < set.Count ? set.Take(limit) : set;
    }
}
