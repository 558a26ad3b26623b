namespace LeNetHls.Core.Tests.Verification;

public class ScoreCheckTests
{
    private static readonly Quantized.QModel Model = SyntheticQModel.Create(Presets.LeNet5(), 8, 8, seed: 3);
    private static readonly byte[][] Images = SyntheticQModel.Images(5, seed: 4);

    [Fact]
    public void Golden_scores_of_a_batch_are_each_images_golden_model_scores_in_order()
    {
        var scores = GoldenScores.Compute(Model, [.. Images.SelectMany(i => i)]);
        var golden = new GoldenModel(Model);
        Assert.Equal(Images.SelectMany(i => golden.Run(i).ToArray()), scores);
    }

    [Fact]
    public void A_partial_image_is_a_one_line_error()
    {
        var e = Assert.Throws<LeNetHlsException>(() => GoldenScores.Compute(Model, new byte[785]));
        Assert.Contains("784-pixel images", e.Message);
    }

    [Fact]
    public void Comparison_counts_the_images_with_any_differing_score_and_finds_the_first()
    {
        int[] golden = [1, 2, 3, 4, 5, 6, 7, 8];
        int[] actual = [1, 2, 3, 5, 5, 6, 0, 0];
        var comparison = ScoreComparison.Compare(golden, actual, classes: 2, "csim_scores.bin");
        Assert.Equal(new ScoreComparison(4, 2, 1), comparison);
        Assert.False(comparison.Passed);
        Assert.True(ScoreComparison.Compare(golden, [.. golden], 2, "same.bin").Passed);
    }

    [Fact]
    public void Scores_for_the_wrong_number_of_images_name_their_file()
    {
        var e = Assert.Throws<LeNetHlsException>(() => ScoreComparison.Compare([1, 2, 3, 4], [1, 2], classes: 2, "tb_data/cosim_scores.bin"));
        Assert.Contains("tb_data/cosim_scores.bin", e.Message);
        Assert.Contains("1 images scored, expected 2", e.Message);
    }

    [Fact]
    public void The_first_differing_element_is_located_with_its_layer_channel_row_and_column()
    {
        var trace = new GoldenModel(Model).Trace(Images[2]);
        var actual = trace.Select(layer => layer.Select(v => (long)v).ToArray()).ToArray();
        var conv2 = Model.Layers[2].OutShape;
        int element = (3 * conv2.W + 4) * conv2.C + 5;
        actual[2][element] += 1;
        actual[2][element + 1] += 1;
        var d = LayerDivergence.Locate(Model, image: 2, Images[2], layer => actual[layer]);
        Assert.Equal(new LayerDivergence(2, 2, "conv2", element, Channel: 5, Row: 3, Col: 4, trace[2][element], trace[2][element] + 1L), d);
        Assert.Equal($"image 2: first difference at layer 2 (conv2), channel 5, row 3, col 4: RTL {trace[2][element] + 1}, golden {trace[2][element]}", d!.Describe("RTL"));
    }

    [Fact]
    public void An_output_that_ends_early_diverges_where_it_ends_with_no_value()
    {
        var trace = new GoldenModel(Model).Trace(Images[0]);
        var d = LayerDivergence.Locate(Model, 0, Images[0], layer => layer == 0 ? [.. trace[0].Take(10).Select(v => (long)v)] : []);
        Assert.NotNull(d);
        Assert.Equal((0, 10, (long?)null), (d.Layer, d.Element, d.Actual));
        Assert.EndsWith("no value, golden " + trace[0][10], d.Describe("RTL"));
    }

    [Fact]
    public void Equal_layer_outputs_locate_nothing()
    {
        var trace = new GoldenModel(Model).Trace(Images[1]);
        Assert.Null(LayerDivergence.Locate(Model, 1, Images[1], layer => [.. trace[layer].Select(v => (long)v)]));
    }
}
