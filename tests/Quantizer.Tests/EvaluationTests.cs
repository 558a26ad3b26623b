namespace LeNetHls.Quantizer.Tests;

public class EvaluationTests
{
    [Fact]
    public void Parallel_golden_evaluation_equals_running_the_images_one_by_one()
    {
        var q = SyntheticQModel.Create(Presets.LeNet5(), 6, 6, seed: 9);
        var images = SyntheticQModel.Images(64, seed: 21);
        var result = GoldenEvaluation.Run(q, TinyFloatModels.Set(images));
        var golden = new PlainIntegerModel(q);
        var saturations = new long[q.Layers.Count];
        var predictions = images.Select(i => GoldenModel.Argmax(golden.Run(i, saturations))).ToArray();
        Assert.Equal(predictions, result.Predictions);
        Assert.Equal(saturations, result.Saturations);
        Assert.True(saturations.Sum() > 0, "the synthetic model saturates somewhere, so the sums are checked");
    }

    [Fact]
    public void Accuracy_and_changed_predictions_are_counted_against_labels_and_float()
    {
        Assert.Equal(2, Evaluation.CountCorrect([1, 2, 3, 4], [1, 0, 3, 0]));
        Assert.Equal(3, Evaluation.CountChanged([1, 2, 3, 4], [1, 0, 0, 0]));
        var comparison = new AccuracyComparison(4, 3, 2, 1, []);
        Assert.Equal(75.0, comparison.FloatAccuracy);
        Assert.Equal(50.0, comparison.FixedAccuracy);
        Assert.Equal(75.0, comparison.Agreement);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void On_real_MNIST_a_quantized_model_runs_bit_exact_against_the_straightforward_golden_model()
    {
        var train = MnistFiles.Train.Take(200);
        var test = MnistFiles.Test.Take(300);
        foreach (var preset in Presets.Names)
        {
            var model = FloatModel.CreateRandom(Presets.Get(preset), seed: 2);
            var q = ModelQuantizer.Quantize(model, ActivationStatistics.Collect(model, train, train.Count), new QuantizeOptions(), preset, "random");
            var fast = new GoldenModel(q);
            var plain = new PlainIntegerModel(q);
            for (int i = 0; i < test.Count; i++)
                Assert.Equal(plain.Run(test.Image(i)).ToArray(), fast.Run(test.Image(i)).ToArray());
        }
    }
}

public class GoldenTraceTests
{
    [Fact]
    public void A_trace_holds_every_layer_output_and_the_prediction_of_each_chosen_image()
    {
        var q = SyntheticQModel.Create(Presets.LeNet5Classic(), seed: 4);
        var images = SyntheticQModel.Images(5, seed: 8);
        var traces = GoldenTrace.Collect(q, TinyFloatModels.Set(images), [3, 1]);
        Assert.Equal(new[] { 3, 1 }, traces.Select(t => t.Image));
        var expected = new PlainIntegerModel(q).Trace(images[1]);
        Assert.Equal(q.Layers.Select(l => l.Name), traces[1].Layers.Select(l => l.Name));
        for (int layer = 0; layer < expected.Length; layer++) Assert.Equal(expected[layer], traces[1].Layers[layer].Values);
        Assert.Equal(GoldenModel.Argmax(expected[^1]), traces[1].Prediction);
        Assert.Equal(new[] { 14, 14, 6 }, traces[0].Layers[1].Shape);
    }
}
