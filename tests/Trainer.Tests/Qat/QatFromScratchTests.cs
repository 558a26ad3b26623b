using LeNetHls.Trainer.Qat;

namespace LeNetHls.Trainer.Tests.Qat;

public class QatFromScratchTests
{
    /// <summary>12×12 pixels → conv 3×3 (4, pad 1) → relu → max 2×2 → flatten → fc 16 → relu → fc 10.</summary>
    private static readonly ModelSpec Small = SmallNets.OneConv("small", size: 12, convChannels: 4, hidden: 16, classes: 10);

    private static QatOptions Options(int epochs, int seed = 3) =>
        QatFromScratch.Options(new TrainOptions { Spec = Small, Epochs = Math.Max(1, epochs), Seed = seed, Threads = 2, BatchSize = 16, WarmupSteps = 10 })
            with { Epochs = epochs, CalibrationImages = 64 };

    [Fact]
    public void Training_starts_from_the_float_trainers_seeded_initialization()
    {
        var train = SyntheticData.Create(64, 1, size: 12);
        var result = QatFromScratch.Train(Small, QatWidths.Uniform(Small, 4, 4), Options(epochs: 0, seed: 3), train, train, "small");
        var init = Network.CreateRandom(Small, 3).ToFloatModel();
        Assert.Equal(init.Parameters.SelectMany(p => p.Weights), result.Weights.Parameters.SelectMany(p => p.Weights));
        Assert.NotEqual(init.Parameters.SelectMany(p => p.Weights), QatFromScratch.InitialWeights(Small, 4).Parameters.SelectMany(p => p.Weights));
    }

    [Fact]
    public void The_schedule_is_the_float_trainers_not_the_fine_tuning_one()
    {
        var options = QatFromScratch.Options(new TrainOptions { Spec = Small, Epochs = 7, Seed = 9 });
        var train = new TrainOptions { Spec = Small };
        Assert.Equal((7, 9, train.PeakLearningRate, train.WarmupSteps, train.WeightDecay, train.MaxShift),
                     (options.Epochs, options.Seed, options.LearningRate, options.WarmupSteps, options.WeightDecay, options.MaxShift));
        Assert.True(options.LearningRate > new QatOptions().LearningRate);
    }

    [Fact]
    public void Sgd_is_rejected_because_qat_steps_with_adamw()
    {
        var e = Assert.Throws<LeNetHlsException>(() => QatFromScratch.Options(new TrainOptions { Spec = Small, Optimizer = OptimizerKind.Sgd }));
        Assert.Contains("--optimizer", e.Message);
    }

    [Fact]
    public void A_random_network_learns_at_four_bits_and_reports_the_golden_accuracy_of_its_export()
    {
        var train = SyntheticData.Create(512, 1, size: 12);
        var evaluation = SyntheticData.Create(200, 2, size: 12);
        var widths = QatWidths.Uniform(Small, 4, 4);
        var untrained = QatFromScratch.Train(Small, widths, Options(epochs: 0), train, evaluation, "small");
        var trained = QatFromScratch.Train(Small, widths, Options(epochs: 8), train, evaluation, "small");
        Assert.True(trained.Correct > untrained.Correct + 50, $"{untrained.Correct} → {trained.Correct} of 200");
        Assert.Equal(PlainIntegerModel.Correct(trained.Model, evaluation), trained.Correct);
        Assert.Equal(0, trained.PredictionMismatches);
    }

    [Fact]
    public void An_architecture_qat_cannot_train_is_rejected_before_any_work()
    {
        // A tanh after a pool has no accumulator to be fused into (docs/fixed-point.md §5).
        var classic = Presets.LeNet5Classic();
        var spec = classic with { Layers = [.. classic.Layers.Take(3), new() { Kind = LayerKind.Tanh, Name = "stray" }, .. classic.Layers.Skip(3)] };
        var e = Assert.Throws<LeNetHlsException>(() => QatFromScratch.Train(spec, QatWidths.Uniform(spec, 4, 4),
            new QatOptions(), SyntheticData.Create(4, 1), SyntheticData.Create(4, 2), "classic"));
        Assert.Contains("tanh 'stray' must directly follow a conv2d or dense layer", e.Message);
    }

    [Theory]
    [Trait("Category", "Integration")]
    // lenet5 measured 94+ %; classic (tanh tables, avgpools, C3 table) 91.0 %: tanh nets start slower.
    [InlineData("lenet5", 0.94)]
    [InlineData("lenet5-classic", 0.88)]
    public void Three_short_epochs_of_real_mnist_from_scratch_learn_at_w4a4_with_golden_and_qat_agreeing(string preset, double minimum)
    {
        var train = MnistFiles.Train.Take(6000);
        var test = MnistFiles.Test.Take(1000);
        var spec = Presets.Get(preset);
        // Scales are re-chosen at every epoch start; the first epoch trains on the random init's scales, so a run needs more than one.
        var options = QatFromScratch.Options(new TrainOptions { Spec = spec, Epochs = 3, Threads = 2 });
        var result = QatFromScratch.Train(spec, QatWidths.Uniform(spec, 4, 4), options, train, test, $"{preset}-scratch-w4a4");
        Assert.Equal(0, result.PredictionMismatches);
        Assert.True(result.Accuracy >= minimum, $"{preset} W4A4 from scratch, three epochs of 6,000 images: {result.Accuracy:P2}");
    }
}
