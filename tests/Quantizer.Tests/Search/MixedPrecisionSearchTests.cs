using LeNetHls.Quantizer.Reporting;
using LeNetHls.Quantizer.Search;

namespace LeNetHls.Quantizer.Tests.Search;

public class MixedPrecisionSearchTests
{
    /// <summary>8×8 pixels → conv 3×3 (4, pad 1) → relu → max 2×2 → fc 12 → relu → fc 4.</summary>
    private static readonly FloatModel Model = CreateModel();
    private static readonly MnistSet LabelledByModel = Validation(randomLabels: false);
    private static readonly MnistSet RandomlyLabelled = Validation(randomLabels: true);
    private static readonly ActivationStatistics Statistics = ActivationStatistics.Collect(Model, LabelledByModel, 100);

    private static FloatModel CreateModel() => SmallNets.RandomWithBiases(SmallNets.OneConv("tiny", size: 8, convChannels: 4, hidden: 12, classes: 4), seed: 5);

    /// <summary>Random images labelled by the float model, so wide formats score 100 % and narrow ones lose some.</summary>
    private static MnistSet Validation(bool randomLabels)
    {
        var rng = new Random(9);
        var images = new byte[300 * 64];
        rng.NextBytes(images);
        var unlabelled = new MnistSet(images, new byte[300], 8, 8);
        var labels = randomLabels
            ? Enumerable.Range(0, 300).Select(_ => (byte)rng.Next(4)).ToArray()
            : FloatPredictions.Of(Model, unlabelled).Select(p => (byte)p).ToArray();
        return new MnistSet(images, labels, 8, 8);
    }

    /// <summary>Post-training quantization with the widths as per-layer overrides (the start weights never change here).</summary>
    private static BuiltCandidate PostTraining(SearchWidths widths, FloatModel start)
    {
        string[] names = ["conv1", "fc1", "fc2"];
        var overrides = names.Select((n, i) => (n, new LayerOverride(new FormatOverride(widths.WeightBits[i], null), new FormatOverride(widths.OutputBits[i], null))))
                             .ToDictionary(x => x.n, x => x.Item2);
        var options = new QuantizeOptions { Overrides = new FormatOverrides("search-test", overrides) };
        return new BuiltCandidate(ModelQuantizer.Quantize(start, Statistics, options, "tiny", "search-test"), start);
    }

    private static SearchResult RunSearch(double target, bool randomLabels = false) =>
        MixedPrecisionSearch.Run(SearchWidths.Uniform(3, 8, 8, 8), target, PostTraining, Model, randomLabels ? RandomlyLabelled : LabelledByModel, new SearchOptions());

    [Fact]
    public void The_chosen_configuration_meets_the_target_on_the_validation_set()
    {
        var result = RunSearch(0.95);
        var best = Assert.IsType<SearchCandidate>(result.Best);
        Assert.True(best.Correct >= 0.95 * best.Count, $"{best.Correct}/{best.Count}");
        Assert.True(best.Cost.Total < result.Path[0].Cost.Total, "the search found nothing cheaper than 8 bits");
    }

    [Fact]
    public void Every_accepted_step_is_cheaper_than_the_one_before_and_meets_the_target()
    {
        var path = RunSearch(0.9).Path;
        Assert.True(path.Count > 2);
        for (int i = 1; i < path.Count; i++)
        {
            Assert.True(path[i].Cost.Total < path[i - 1].Cost.Total);
            Assert.True(path[i].MeetsTarget);
        }
    }

    [Fact]
    public void A_lower_target_never_costs_more()
    {
        Assert.True(RunSearch(0.8).Best!.Cost.Total <= RunSearch(0.99).Best!.Cost.Total);
    }

    [Fact]
    public void A_start_that_misses_the_target_gives_no_configuration()
    {
        var result = RunSearch(0.99, randomLabels: true);
        Assert.Null(result.Best);
        Assert.Single(result.Evaluated);
    }

    [Fact]
    public void Moves_lower_exactly_one_tensor_by_one_rung_and_leave_the_scores_alone()
    {
        var start = new SearchWidths([8, 4, 2], [6, 2, 8]);
        var moves = MixedPrecisionSearch.Moves(start, [8, 6, 4, 3, 2]).Select(m => m.ToString()).ToList();
        Assert.Equal(["w 6,4,2 a 6,2 s 8", "w 8,3,2 a 6,2 s 8", "w 8,4,2 a 4,2 s 8"], moves);
    }

    [Fact]
    public void Weights_step_down_to_1_bit_bipolar_and_activations_stop_at_2_bits()
    {
        var start = new SearchWidths([2, 1], [2, 8]);
        var moves = MixedPrecisionSearch.Moves(start, new SearchOptions().Ladder).Select(m => m.ToString()).ToList();
        Assert.Equal(["w 1,1 a 2 s 8"], moves);
    }

    [Fact]
    public void A_minimum_weight_width_of_2_keeps_every_layer_a_signed_format()
    {
        var moves = MixedPrecisionSearch.Moves(new SearchWidths([2, 3], [4, 8]), new SearchOptions().Ladder, minWeightBits: 2);
        Assert.Equal(["w 2,2 a 4 s 8", "w 2,3 a 3 s 8"], moves.Select(m => m.ToString()));
    }

    [Fact]
    public void A_layer_with_a_connection_table_stops_at_2_bit_weights()
    {
        var floors = MixedPrecisionSearch.WeightFloors(Presets.LeNet5Classic(), minWeightBits: 1);
        Assert.Equal([1, 2, 1, 1, 1], floors); // c3 carries LeCun's table
        var moves = MixedPrecisionSearch.Moves(new SearchWidths([2, 2, 2, 2, 2], [8, 8, 8, 8, 8]), [8, 6, 4, 3, 2, 1], floors);
        Assert.DoesNotContain(moves, m => m.WeightBits[1] == 1);
        Assert.Contains(moves, m => m.WeightBits[0] == 1);
    }

    [Fact]
    public void Bipolar_weights_cost_one_rom_bit_and_a_one_bit_product_each()
    {
        var q = SyntheticQModel.Create(Presets.LeNet5(), weightBits: 1, actBits: 4);
        var cost = HardwareCost.Of(q);
        Assert.Equal(61470, cost.WeightRomBits);
        var compute = q.Layers.Select((l, i) => (l, i)).Where(x => x.l.HasWeights);
        Assert.Equal(compute.Sum(x => (long)x.l.OutShape.C * 1 * q.InputOf(x.i).Bits), cost.MultiplierBitProducts);
    }

    [Fact]
    public void Pareto_front_keeps_the_candidates_no_cheaper_one_beats()
    {
        SearchCandidate C(long cost, int correct) => new(SearchWidths.Uniform(1, 8, 8, 8), new HardwareCost(cost, cost, 0), correct, 100, false);
        var front = MixedPrecisionSearch.ParetoFront([C(300, 99), C(100, 90), C(200, 89), C(150, 95), C(400, 99)]);
        Assert.Equal([(100L, 90), (150L, 95), (300L, 99)], front.Select(c => (c.Cost.Total, c.Correct)));
    }

    [Fact]
    public void Target_must_be_a_fraction()
    {
        Assert.Throws<Core.IO.LeNetHlsException>(() => RunSearch(98.8));
    }

    [Fact]
    public void Hardware_cost_counts_every_stored_parameter_at_its_width_and_one_multiplier_per_output_channel()
    {
        var q = SyntheticQModel.Create(Presets.LeNet5(), weightBits: 4, actBits: 6);
        var cost = HardwareCost.Of(q);
        Assert.Equal((150 + 2400 + 48000 + 10080 + 840) * 4L, cost.WeightRomBits);
        long biasBits = q.Layers.Where(l => l.HasWeights).Sum(l => (long)l.Bias!.Bits * l.OutShape.C);
        Assert.Equal(cost.WeightRomBits + biasBits, cost.RomBits);
        // conv1 reads the 9-bit pixel; the others read 6-bit activations.
        Assert.Equal(6 * 4 * 9 + (16 + 120 + 84 + 10) * 4 * 6L, cost.MultiplierBitProducts);
    }

    [Fact]
    public void Hardware_cost_skips_weights_cut_by_a_connection_table()
    {
        var q = SyntheticQModel.Create(Presets.LeNet5Classic(), weightBits: 4, actBits: 6);
        var c3 = q.Layers.Single(l => l.Name == "c3");
        Assert.Equal(25L * 60, HardwareCost.ConnectedWeights(c3));
    }
}
