namespace LeNetHls.TestSupport;

/// <summary>The MNIST files under data/mnist, each read once per test process: loading the training set takes seconds.</summary>
public static class MnistFiles
{
    private static readonly Lazy<MnistSet> TrainSet = new(() => Mnist.Load(RepoPaths.MnistDir, MnistSplit.Train));
    private static readonly Lazy<MnistSet> TestSet = new(() => Mnist.Load(RepoPaths.MnistDir, MnistSplit.Test));

    /// <summary>The 60,000 training images; shared, so callers must not write into its arrays.</summary>
    public static MnistSet Train => TrainSet.Value;

    /// <summary>The 10,000 test images; shared, so callers must not write into its arrays.</summary>
    public static MnistSet Test => TestSet.Value;
}
