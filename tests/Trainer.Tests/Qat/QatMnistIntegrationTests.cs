using LeNetHls.Trainer.Qat;

namespace LeNetHls.Trainer.Tests.Qat;

[Trait("Category", "Integration")]
public sealed class QatMnistIntegrationTests
{
    [Fact]
    public void W4A4_fine_tuning_of_a_two_epoch_lenet5_reaches_98_5_percent_and_agrees_with_the_integer_arithmetic_on_every_test_image()
    {
        var (train, test) = (MnistFiles.Train, MnistFiles.Test);
        var floatModel = TrainingLoop.Run(new TrainOptions { Spec = Presets.LeNet5(), Epochs = 2 }, train, null).Final.ToFloatModel();
        var result = QatTrainer.FineTune(floatModel, QatWidths.Uniform(floatModel.Spec, 4, 4), new QatOptions { Epochs = 1 }, train, test, "lenet5-w4a4");
        Assert.Equal(0, result.PredictionMismatches);
        Assert.Equal(PlainIntegerModel.Correct(result.Model, test), result.Correct);
        Assert.True(result.Accuracy >= 0.985, $"W4A4 after one QAT epoch: {result.Accuracy:P2}");
    }
}
