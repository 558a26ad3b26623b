using LeNetHls.RtlCodegen;

namespace LeNetHls.RtlCodegen.Tests;

[Trait("Category", "Integration")]
public class Lenet5CosimTests(Lenet5M128Build build) : IClassFixture<Lenet5M128Build>
{
    [Fact]
    public void Lenet5_at_8_bits_is_bit_exact_under_30_percent_random_stalls_on_both_streams()
    {
        var result = build.Design.Cosim(RtlFixture.Images(12), new CosimOptions { StallProbability = 0.3, Seed = 11 });
        Assert.Equal(12, result.Images);
        Assert.Equal(0, result.Mismatches);
    }

    [Fact]
    public void Pipelined_images_finish_one_initiation_interval_apart_near_the_planned_II()
    {
        var result = build.Design.Cosim(RtlFixture.Images(6), new CosimOptions());
        var plan = CosimRunner.ReadPlan(build.Design.RtlDir);
        Assert.Equal(0, result.Mismatches);
        Assert.InRange(result.Cycles.II, plan.EstimatedII * 0.95, plan.EstimatedII * 1.1);
        Assert.True(result.Cycles.FirstLatency > result.Cycles.II, "layers overlap across images, so latency exceeds II");
    }

    [Fact]
    public void A_wrong_weight_in_a_mem_file_is_caught_and_blamed_on_its_layer()
    {
        var result = RtlFixture.CosimWithCorruptConv2Weights(build.Design);
        Assert.True(result.Mismatches > 0);
        Assert.NotNull(result.Blame);
        Assert.Equal("conv2", result.Blame!.LayerName);
        Assert.Equal(2, result.Blame.Layer);
    }
}

[Trait("Category", "Integration")]
public class ClassicCosimTests
{
    [Fact]
    public void Lenet5_classic_with_tanh_avgpool_and_connection_table_is_bit_exact_with_rnd_conv_and_wrap()
    {
        var model = RtlFixture.Model("lenet5-classic", rounding: RoundingMode.RndConv, overflow: OverflowMode.Wrap);
        var result = RtlFixture.Cosim(model, multipliers: 16, images: 8, stall: 0.2);
        Assert.Equal(0, result.Mismatches);
    }
}

[Trait("Category", "Integration")]
public class MixedWidthCosimTests
{
    [Fact]
    public void Lenet5_with_per_layer_widths_and_a_left_shift_is_bit_exact_with_trn_and_wrap()
    {
        var model = MixedWidths.Create(RtlFixture.Model("lenet5", weightBits: 6, actBits: 10, seed: 5,
                                                        rounding: RoundingMode.Trn, overflow: OverflowMode.Wrap));
        Assert.Contains(model.Layers, l => l.Weights?.Bits == 4);
        Assert.True(model.Layers[^1].Shift < 0);
        var result = RtlFixture.Cosim(model, multipliers: 20, images: 8);
        Assert.Equal(0, result.Mismatches);
    }
}

[Trait("Category", "Integration")]
public class WideCosimTests
{
    [Fact]
    public void Lenet5_at_16_bits_is_bit_exact()
    {
        var model = RtlFixture.Model("lenet5", weightBits: 16, actBits: 16, seed: 3);
        var result = RtlFixture.Cosim(model, multipliers: 16, images: 6, stall: 0.1);
        Assert.Equal(0, result.Mismatches);
    }
}

[Trait("Category", "Integration")]
public class BipolarCosimTests
{
    [Fact]
    public void Lenet5_with_bipolar_weights_in_every_layer_is_bit_exact_under_random_stalls()
    {
        var model = RtlFixture.Model("lenet5", weightBits: 1, seed: 9);
        Assert.All(model.Layers.Where(l => l.HasWeights), l => Assert.Equal(FixedPointMath.BipolarBits, l.Weights!.Bits));
        var result = RtlFixture.Cosim(model, multipliers: 16, images: 6, stall: 0.2);
        Assert.Equal(0, result.Mismatches);
    }

    [Fact]
    public void Lenet5_classic_with_bipolar_layers_beside_a_2_bit_connection_table_layer_is_bit_exact()
    {
        // Tanh outputs are signed, so bipolar lanes negate negative inputs too; C3 keeps 2-bit weights for its cut zeros.
        var model = RtlFixture.Model("lenet5-classic", weightBits: 1, seed: 4, rounding: RoundingMode.RndConv);
        Assert.Equal(2, model.Layers.Single(l => l.Name == "c3").Weights!.Bits);
        Assert.Contains(model.Layers, l => l.Weights?.Bits == FixedPointMath.BipolarBits);
        var result = RtlFixture.Cosim(model, multipliers: 12, images: 6);
        Assert.Equal(0, result.Mismatches);
    }
}
