namespace LeNetHls.Trainer.Tests;

[Trait("Category", "Integration")]
public sealed class MnistIntegrationTests
{
    [Fact]
    public void One_default_epoch_of_lenet5_on_MNIST_reaches_98_percent_and_matches_FloatReference()
    {
        var test = MnistFiles.Test;
        var result = TrainingLoop.Run(new TrainOptions { Spec = Presets.LeNet5(), Epochs = 1 }, MnistFiles.Train, test);
        Assert.True(result.Test!.Accuracy >= 0.98, $"test accuracy after one epoch: {result.Test.Accuracy:P2}");

        var model = result.Final.ToFloatModel();
        var logits = new FloatInference(model).Logits(test.Take(200));
        for (int i = 0; i < 200; i++)
        {
            var expected = FloatReference.Forward(model, test.Image(i));
            for (int c = 0; c < 10; c++) Assert.True(Math.Abs(expected[c] - logits[i * 10 + c]) <= 1e-4f, $"image {i} class {c}");
        }
    }
}
