using LeNetHls.Core.Plan;

namespace LeNetHls.Core.Tests;

public class AcceleratorPlanTests
{
    private static readonly QModel Lenet5 = SyntheticQModel.Create(Presets.LeNet5(), weightBits: 8, actBits: 8);

    [Fact]
    public void The_budget_is_spread_over_the_compute_layers_within_its_total()
    {
        var plan = AcceleratorPlan.Create(Lenet5, 128);
        Assert.Equal(128, plan.MultiplierBudget);
        Assert.InRange(plan.MultipliersUsed, 5, 128);
        Assert.Equal(Lenet5.Layers.Count, plan.Layers.Count);
        Assert.All(plan.Layers.Where(l => !l.Folding.IsCompute), l => Assert.Equal(0, l.Folding.Multipliers));
        Assert.Equal("conv1 39, conv2 68, fc1 14, fc2 3, fc3 1", plan.Shares);
    }

    [Fact]
    public void The_estimated_II_is_the_slowest_stage()
    {
        var plan = AcceleratorPlan.Create(Lenet5, 128);
        Assert.Equal(Math.Max(28 * 28, plan.Layers.Max(l => l.Folding.CyclesPerImage)), plan.EstimatedII);
    }

    [Fact]
    public void The_clock_sets_the_images_per_second()
    {
        var plan = AcceleratorPlan.Create(Lenet5, 128, clockNs: 4);
        Assert.Equal(250, plan.ClockMhz);
        Assert.Equal(250e6 / 1000, plan.ImagesPerSecond(1000));
        Assert.Equal("4", plan.ClockNsText);
        Assert.Equal("4.5", AcceleratorPlan.Create(Lenet5, 128, clockNs: 4.5).ClockNsText);
    }

    [Fact]
    public void Derived_widths_come_with_each_layer()
    {
        var plan = AcceleratorPlan.Create(Lenet5, 128);
        // conv1 reads the raw pixel as fx<9,0>: 9 + 8 bits per product.
        Assert.Equal(17, plan.Layers[0].ProductBits);
        Assert.Equal(Lenet5.Layers[0].Accumulator!.Bits, plan.Layers[0].AccumulatorBits);
        Assert.Equal(0, plan.Layers[1].ProductBits);  // maxpool
        Assert.Equal(0, plan.Layers[1].AccumulatorBits);
    }

    [Fact]
    public void A_uniform_plan_gives_every_compute_layer_the_same_lanes_up_to_its_outputs()
    {
        var plan = AcceleratorPlan.Uniform(Lenet5, 8);
        var compute = plan.Layers.Where(l => l.Folding.IsCompute).Select(l => (l.Folding.Pe, l.Folding.Simd)).ToArray();
        Assert.Equal([(6, 1), (8, 1), (8, 1), (8, 1), (8, 1)], compute);
        Assert.Equal(38, plan.MultiplierBudget);
    }

    [Theory]
    [InlineData(0, 10.0, "--multipliers: 0 is not a positive number")]
    [InlineData(4, 10.0, "--multipliers 4: the model has 5 compute layers and each needs at least one multiplier")]
    [InlineData(128, 0.0, "--clock-ns: 0 is not a clock period in ns (0 < T < 1000)")]
    [InlineData(128, 1000.0, "--clock-ns: 1000 is not a clock period in ns (0 < T < 1000)")]
    public void Impossible_budgets_and_clocks_are_rejected(int budget, double clockNs, string message)
    {
        var e = Assert.Throws<LeNetHlsException>(() => AcceleratorPlan.Create(Lenet5, budget, clockNs));
        Assert.Equal(message, e.Message);
    }
}
