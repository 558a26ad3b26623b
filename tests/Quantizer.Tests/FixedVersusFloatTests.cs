namespace LeNetHls.Quantizer.Tests;

/// <summary>At 16 bits the golden model tracks the float model closely on a random (untrained) LeNet.</summary>
public class FixedVersusFloatTests
{
    [Theory]
    [InlineData("lenet5", 0.01)]
    [InlineData("lenet5-classic", 0.02)]
    public void At_16_bits_the_scores_follow_the_float_logits_and_the_predictions_agree(string preset, double relativeError)
    {
        var model = FloatModel.CreateRandom(Presets.Get(preset), seed: 3);
        var calibration = TinyFloatModels.Set(SyntheticQModel.Images(150, seed: 11));
        var test = SyntheticQModel.Images(60, seed: 12);
        var statistics = ActivationStatistics.Collect(model, calibration, calibration.Count);
        var q = ModelQuantizer.Quantize(model, statistics, new QuantizeOptions { WeightBits = 16, ActivationBits = 16 }, preset, "random");
        var golden = new GoldenModel(q);
        double scale = Math.Pow(2, -q.Scores.Frac);
        int agree = 0;
        foreach (var image in test)
        {
            var logits = FloatReference.Forward(model, image);
            var scores = golden.Run(image).ToArray();
            double spread = logits.Max() - logits.Min();
            for (int c = 0; c < logits.Length; c++)
                Assert.True(Math.Abs(scores[c] * scale - logits[c]) <= relativeError * spread,
                            $"class {c}: fixed {scores[c] * scale} vs float {logits[c]} (spread {spread})");
            if (GoldenModel.Argmax(scores) == Evaluation.Argmax(logits)) agree++;
        }
        Assert.True(agree >= test.Length - 1, $"{agree} of {test.Length} predictions agree");
    }
}
