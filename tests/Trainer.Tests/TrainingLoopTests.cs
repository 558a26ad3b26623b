namespace LeNetHls.Trainer.Tests;

public sealed class TrainingLoopTests
{
    /// <summary>300 images: the first 200 are trained on, the last 100 are the validation split.</summary>
    private static readonly Core.Data.MnistSet Train = SyntheticData.Create(300, seed: 11);
    private static readonly Core.Data.MnistSet Test = SyntheticData.Create(100, seed: 12);
    private const int ValidationImages = 100;

    private static TrainOptions Options(int epochs = 2, int threads = 2, string? outPath = null) => new()
    {
        Spec = Presets.LeNet5(), Epochs = epochs, BatchSize = 32, Threads = threads, Seed = 7, WarmupSteps = 5, OutPath = outPath,
        ValidationImages = ValidationImages,
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
        Assert.True(result.Test!.Accuracy > 0.9, $"test accuracy {result.Test.Accuracy}");
    }

    [Fact]
    public void Sgd_training_learns_lenet5_classic_and_keeps_cut_connections_at_zero()
    {
        var options = Options(epochs: 5) with { Spec = Presets.LeNet5Classic(), Optimizer = OptimizerKind.Sgd };
        var result = TrainingLoop.Run(options, Train, Test);
        Assert.True(result.Test!.Accuracy > 0.9, $"test accuracy {result.Test.Accuracy}");
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
        // 700 training images (after the 100 validation images) in batches of 32: progress is reported after batch 20 of 22, well inside the epoch.
        var train = SyntheticData.Create(800, seed: 13);
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
    public void Resuming_keeps_the_selection_state_so_the_kept_model_is_the_one_a_straight_run_keeps()
    {
        string straightPath = Path.Combine(RepoPaths.NewTempDir("trainer"), "m");
        string resumedPath = Path.Combine(RepoPaths.NewTempDir("trainer"), "m");
        var straight = TrainingLoop.Run(Options(epochs: 3, outPath: straightPath), Train, Test);
        using var cancel = new CancellationTokenSource();
        TrainingLoop.Run(Options(epochs: 3, outPath: resumedPath), Train, Test, onEpoch: e => { if (e.Epoch == 2) cancel.Cancel(); }, cancel: cancel.Token);
        var resumed = TrainingLoop.Run(Options(epochs: 3) with { ResumePath = resumedPath + ".ckpt" }, Train, Test);
        Assert.Equal(straight.SelectedEpoch, resumed.SelectedEpoch);
        Assert.Equal(straight.SelectedValidationAccuracy, resumed.SelectedValidationAccuracy);
        Assert.Equal(straight.Selected.Parameters, resumed.Selected.Parameters);
        Assert.Equal(straight.Test!.Correct, resumed.Test!.Correct);
        Assert.Equal(File.ReadAllBytes(straightPath + ".bin"), File.ReadAllBytes(resumedPath + ".bin"));
    }

    [Fact]
    public void The_kept_model_file_holds_the_epoch_with_the_best_validation_accuracy()
    {
        string outPath = Path.Combine(RepoPaths.NewTempDir("trainer"), "kept");
        var result = TrainingLoop.Run(Options(epochs: 4, outPath: outPath), Train, Test);
        var validation = ValidationSplit.Of(Train, ValidationImages).Validation;
        double best = result.History.Max(e => e.ValidationAccuracy!.Value);
        Assert.Equal(EpochSelection.BestValidation, result.Selection);
        Assert.Equal(result.History.First(e => e.ValidationAccuracy == best).Epoch, result.SelectedEpoch);
        Assert.Equal(best, result.SelectedValidationAccuracy);
        var saved = ModelFile.Load(outPath);
        Assert.Equal(best, FloatInference.Evaluate(saved, validation).Accuracy);
        Assert.Equal(result.SelectedEpoch.ToString(), ModelFile.ReadTraining(outPath)["epoch"]);
        Assert.Equal("best validation accuracy", ModelFile.ReadTraining(outPath)["selection"]);
        Assert.False(ModelFile.ReadTraining(outPath).ContainsKey("test_accuracy"));
    }

    [Fact]
    public void The_reported_test_accuracy_is_the_kept_model_files_on_the_test_set()
    {
        string outPath = Path.Combine(RepoPaths.NewTempDir("trainer"), "kept");
        var result = TrainingLoop.Run(Options(epochs: 3, outPath: outPath), Train, Test);
        Assert.Equal(FloatInference.Evaluate(ModelFile.Load(outPath), Test).Correct, result.Test!.Correct);
        Assert.EndsWith($"measured once after training: {result.Test.Accuracy.ToString("P2", System.Globalization.CultureInfo.InvariantCulture)} ({result.Test.Correct}/{Test.Count})",
                        File.ReadAllLines(outPath + ".log")[^1]);
    }

    [Fact]
    public void Replacing_the_test_labels_by_random_ones_changes_no_choice_and_no_byte_written_before_the_report()
    {
        var random = new Random(5);
        var noise = new Core.Data.MnistSet(Test.Images, Test.Labels.Select(_ => (byte)random.Next(10)).ToArray(), Test.Rows, Test.Cols);
        string realPath = Path.Combine(RepoPaths.NewTempDir("trainer"), "m");
        string noisePath = Path.Combine(RepoPaths.NewTempDir("trainer"), "m");
        var real = TrainingLoop.Run(Options(epochs: 4, outPath: realPath), Train, Test);
        var withNoise = TrainingLoop.Run(Options(epochs: 4, outPath: noisePath), Train, noise);

        Assert.True(real.Test!.Correct > 2 * withNoise.Test!.Correct, $"the two test sets must score differently: {real.Test.Correct} and {withNoise.Test.Correct}");
        Assert.Equal(real.SelectedEpoch, withNoise.SelectedEpoch);
        Assert.Equal(File.ReadAllBytes(realPath + ".modelstruct"), File.ReadAllBytes(noisePath + ".modelstruct"));
        Assert.Equal(File.ReadAllBytes(realPath + ".bin"), File.ReadAllBytes(noisePath + ".bin"));
        // The checkpoint also records seconds per epoch, so it is compared field by field, not byte for byte.
        var (a, b) = (Checkpoint.Load(realPath + ".ckpt"), Checkpoint.Load(noisePath + ".ckpt"));
        Assert.Equal(a.SelectedEpoch, b.SelectedEpoch);
        Assert.Equal(a.SelectedValidationAccuracy, b.SelectedValidationAccuracy);
        Assert.Equal(a.SelectedParameters, b.SelectedParameters);
        Assert.Equal(a.Parameters, b.Parameters);
    }

    [Fact]
    public void The_validation_images_are_never_trained_on()
    {
        var relabelled = new byte[Train.Count];
        Train.Labels.CopyTo(relabelled, 0);
        for (int i = Train.Count - ValidationImages; i < Train.Count; i++) relabelled[i] = (byte)((relabelled[i] + 1) % 10);
        var changedValidation = new Core.Data.MnistSet(Train.Images, relabelled, Train.Rows, Train.Cols);
        var a = TrainingLoop.Run(Options(epochs: 2) with { KeepLast = true }, Train, null);
        var b = TrainingLoop.Run(Options(epochs: 2) with { KeepLast = true }, changedValidation, null);
        Assert.Equal(a.Final.Parameters, b.Final.Parameters);
        Assert.NotEqual(a.History[^1].ValidationAccuracy, b.History[^1].ValidationAccuracy);
    }

    [Fact]
    public void Keep_last_keeps_the_last_epoch_and_still_reports_validation_accuracy()
    {
        string outPath = Path.Combine(RepoPaths.NewTempDir("trainer"), "last");
        var result = TrainingLoop.Run(Options(epochs: 3, outPath: outPath) with { KeepLast = true }, Train, null);
        Assert.Equal(EpochSelection.Last, result.Selection);
        Assert.Equal(3, result.SelectedEpoch);
        Assert.All(result.History, e => Assert.NotNull(e.ValidationAccuracy));
        Assert.Equal(result.Final.Parameters, result.Selected.Parameters);
        Assert.Equal("last epoch", ModelFile.ReadTraining(outPath)["selection"]);
        Assert.Null(result.Test);
    }

    [Fact]
    public void Without_a_validation_split_every_image_is_trained_on_and_the_last_epoch_is_kept()
    {
        var result = TrainingLoop.Run(Options(epochs: 2) with { ValidationImages = 0 }, Train, Test);
        Assert.Equal(EpochSelection.Last, result.Selection);
        Assert.Equal(2, result.SelectedEpoch);
        Assert.All(result.History, e => Assert.Null(e.ValidationAccuracy));
        Assert.Equal(result.Final.Parameters, result.Selected.Parameters);
    }

    [Fact]
    public void A_validation_split_that_leaves_nothing_to_train_on_is_rejected()
    {
        var e = Assert.Throws<LeNetHlsException>(() => TrainingLoop.Run(Options() with { ValidationImages = 300 }, Train, null));
        Assert.Contains("--val-images 300", e.Message);
        Assert.Contains("300", e.Message);
    }

    [Fact]
    public void A_corrupted_checkpoint_is_rejected_with_a_one_line_error_naming_the_file()
    {
        string dir = RepoPaths.NewTempDir("trainer");
        string outPath = Path.Combine(dir, "m");
        TrainingLoop.Run(Options(epochs: 1, outPath: outPath) with { ValidationImages = 0 }, Train.Take(64), null);
        string ckpt = outPath + ".ckpt";
        Damage.FlipBits(ckpt, (int)(new FileInfo(ckpt).Length / 2), 0x40);
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
