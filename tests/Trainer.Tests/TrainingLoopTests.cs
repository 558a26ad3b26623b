using LeNetHls.Core.IO;
using LeNetHls.Core.Model;
using LeNetHls.TestSupport;

namespace LeNetHls.Trainer.Tests;

public sealed class TrainingLoopTests
{
    private static readonly Core.Data.MnistSet Train = SyntheticData.Create(300, seed: 11);
    private static readonly Core.Data.MnistSet Test = SyntheticData.Create(100, seed: 12);

    private static TrainOptions Options(int epochs = 2, int threads = 2, string? outPath = null) => new()
    {
        Spec = Presets.LeNet5(), Epochs = epochs, BatchSize = 32, Threads = threads, Seed = 7, WarmupSteps = 5, OutPath = outPath,
    };

    [Fact]
    public void Same_seed_and_thread_count_give_bit_identical_weights()
    {
        var a = TrainingLoop.Run(Options(), Train, null).Final.Parameters;
        var b = TrainingLoop.Run(Options(), Train, null).Final.Parameters;
        Assert.Equal(a, b);
    }

    [Fact]
    public void Different_seeds_give_different_weights()
    {
        var a = TrainingLoop.Run(Options(epochs: 1), Train, null).Final.Parameters;
        var b = TrainingLoop.Run(Options(epochs: 1) with { Seed = 8 }, Train, null).Final.Parameters;
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Training_on_a_tiny_synthetic_problem_drives_the_loss_down_and_learns_it()
    {
        var result = TrainingLoop.Run(Options(epochs: 3), Train, Test);
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss / 2, $"loss {result.History[0].TrainLoss} -> {result.History[^1].TrainLoss}");
        Assert.True(result.BestTestAccuracy > 0.9, $"test accuracy {result.BestTestAccuracy}");
    }

    [Fact]
    public void Sgd_training_learns_lenet5_classic_and_keeps_cut_connections_at_zero()
    {
        var options = Options(epochs: 3) with { Spec = Presets.LeNet5Classic(), Optimizer = OptimizerKind.Sgd };
        var result = TrainingLoop.Run(options, Train, Test);
        Assert.True(result.BestTestAccuracy > 0.9, $"test accuracy {result.BestTestAccuracy}");
        var net = result.Final;
        for (int i = 0; i < net.Parameters.Length; i++)
            if (net.ConnectionMask[i] == 0f) Assert.Equal(0f, net.Parameters[i]);
    }

    [Fact]
    public void Resuming_after_an_epoch_gives_the_same_weights_as_training_straight_through()
    {
        string outPath = Path.Combine(RepoPaths.NewTempDir("trainer"), "m");
        var straight = TrainingLoop.Run(Options(epochs: 2), Train, Test).Final.Parameters;
        using var cancel = new CancellationTokenSource();
        var stopped = TrainingLoop.Run(Options(epochs: 2, outPath: outPath), Train, Test, onEpoch: _ => cancel.Cancel(), cancel: cancel.Token);
        Assert.True(stopped.Cancelled);
        Assert.Single(stopped.History);
        var resumed = TrainingLoop.Run(Options(epochs: 2) with { ResumePath = outPath + ".ckpt" }, Train, Test);
        Assert.Equal(straight, resumed.Final.Parameters);
        Assert.Equal(2, resumed.History.Count);
    }

    [Fact]
    public void Cancelling_mid_epoch_saves_a_checkpoint_that_resumes_to_the_same_weights()
    {
        // 700 images in batches of 32: progress is reported after batch 20 of 22, well inside the epoch.
        var train = SyntheticData.Create(700, seed: 13);
        string outPath = Path.Combine(RepoPaths.NewTempDir("trainer"), "m");
        var straight = TrainingLoop.Run(Options(epochs: 2), train, Test).Final.Parameters;
        using var cancel = new CancellationTokenSource();
        int stoppedAtBatch = 0;
        var stopped = TrainingLoop.Run(Options(epochs: 2, outPath: outPath), train, Test,
            onProgress: p => { if (p.Batch < p.BatchesPerEpoch) { stoppedAtBatch = p.Batch; cancel.Cancel(); } }, cancel: cancel.Token);
        Assert.True(stopped.Cancelled);
        Assert.Equal(20, stoppedAtBatch);
        Assert.Empty(stopped.History);
        var resumed = TrainingLoop.Run(Options(epochs: 2) with { ResumePath = outPath + ".modelstruct" }, train, Test);
        Assert.False(resumed.Cancelled);
        Assert.Equal(straight, resumed.Final.Parameters);
    }

    [Fact]
    public void The_best_model_file_holds_the_epoch_with_the_highest_test_accuracy()
    {
        string dir = RepoPaths.NewTempDir("trainer");
        string outPath = Path.Combine(dir, "best");
        var result = TrainingLoop.Run(Options(epochs: 2, outPath: outPath), Train, Test);
        var saved = ModelFile.Load(outPath);
        Assert.Equal(result.BestTestAccuracy, FloatInference.Evaluate(saved, Test).Accuracy);
        Assert.Equal(result.BestEpoch.ToString(), ModelFile.ReadTraining(outPath)["epoch"]);
        Assert.Contains("best", File.ReadAllText(outPath + ".log"));
    }

    [Fact]
    public void A_corrupted_checkpoint_is_rejected_with_a_one_line_error_naming_the_file()
    {
        string dir = RepoPaths.NewTempDir("trainer");
        string outPath = Path.Combine(dir, "m");
        TrainingLoop.Run(Options(epochs: 1, outPath: outPath), Train.Take(64), null);
        string ckpt = outPath + ".ckpt";
        var bytes = File.ReadAllBytes(ckpt);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(ckpt, bytes);
        var e = Assert.Throws<LeNetHlsException>(() => TrainingLoop.Run(Options() with { ResumePath = ckpt }, Train, null));
        Assert.StartsWith(ckpt, e.Message);
        Assert.Contains("SHA-256", e.Message);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 })]
    [InlineData(new byte[] { 0x4C, 0x4E, 0x48, 0x43, 0x4B, 0x50, 0x54, 0x31, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 })]
    public void A_file_that_is_not_a_whole_checkpoint_is_rejected(byte[] content)
    {
        string ckpt = Path.Combine(RepoPaths.NewTempDir("trainer"), "x.ckpt");
        File.WriteAllBytes(ckpt, content);
        var e = Assert.Throws<LeNetHlsException>(() => Checkpoint.Load(ckpt));
        Assert.StartsWith(ckpt + ": ", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void A_missing_checkpoint_is_reported_by_name()
    {
        var e = Assert.Throws<LeNetHlsException>(() => TrainingLoop.Run(Options() with { ResumePath = "/nonexistent/x.ckpt" }, Train, null));
        Assert.Equal("/nonexistent/x.ckpt: checkpoint not found", e.Message);
    }

    [Theory]
    [InlineData(0, 32, "--epochs")]
    [InlineData(1, 0, "--batch-size")]
    public void Invalid_options_are_rejected_before_training(int epochs, int batch, string option)
    {
        var e = Assert.Throws<LeNetHlsException>(() => TrainingLoop.Run(Options() with { Epochs = epochs, BatchSize = batch }, Train, null));
        Assert.Contains(option, e.Message);
    }
}
