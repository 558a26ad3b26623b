using LeNetHls.Core.Data;
using LeNetHls.Core.Model;
using LeNetHls.Core.Quantized;
using LeNetHls.TestSupport;
using LeNetHls.Trainer.Qat;

namespace LeNetHls.Trainer.Tests.Qat;

[Trait("Category", "Integration")]
public sealed class QatMnistIntegrationTests
{
    [Fact]
    public void W4A4_fine_tuning_of_a_two_epoch_lenet5_reaches_98_5_percent_and_agrees_with_the_integer_arithmetic_on_every_test_image()
    {
        var train = Mnist.Load(RepoPaths.MnistDir, MnistSplit.Train);
        var test = Mnist.Load(RepoPaths.MnistDir, MnistSplit.Test);
        var floatModel = TrainingLoop.Run(new TrainOptions { Spec = Presets.LeNet5(), Epochs = 2 }, train, null).Final.ToFloatModel();
        int[] Predict(QModel q, MnistSet set)
        {
            var predictions = new int[set.Count];
            Parallel.For(0, set.Count, i => predictions[i] = PlainIntegerModel.Predict(q, set.Image(i)));
            return predictions;
        }
        var result = QatTrainer.FineTune(floatModel, QatWidths.Uniform(floatModel.Spec, 4, 4), new QatOptions { Epochs = 1 }, train, test, "lenet5-w4a4");
        Assert.Equal(0, result.PredictionMismatches);
        Assert.Equal(Predict(result.Model, test).Where((p, i) => p == test.Labels[i]).Count(), result.Correct);
        Assert.True(result.Accuracy >= 0.985, $"W4A4 after one QAT epoch: {result.Accuracy:P2}");
    }
}
