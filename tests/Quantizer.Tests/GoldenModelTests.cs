using LeNetHls.Quantizer;

namespace LeNetHls.Quantizer.Tests;

public class GoldenModelTests
{
    [Theory]
    [InlineData("lenet5")]
    [InlineData("lenet5-classic")]
    public void Synthetic_models_of_both_presets_are_valid_and_produce_scores_in_range(string preset)
    {
        var q = SyntheticQModel.Create(Presets.Get(preset));
        var golden = new GoldenModel(q);
        foreach (var img in SyntheticQModel.Images(5))
        {
            var scores = golden.Run(img).ToArray();
            Assert.Equal(10, scores.Length);
            Assert.All(scores, s => Assert.InRange(s, q.Scores.Min, q.Scores.Max));
        }
        Assert.Contains(q.Layers.Select((_, i) => golden.LayerOutput(i).ToArray()), o => o.Distinct().Count() > 3);
    }

    [Fact]
    public void Lenet5_counts_416520_macs_per_image() =>
        Assert.Equal(416_520, SyntheticQModel.Create(Presets.LeNet5()).MacsPerImage);
}
