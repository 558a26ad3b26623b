namespace LeNetHls.Core.Plan;

/// <summary>
/// What both generators build from one qmodel: the total multiplier budget M, the clock period, each
/// layer's folding (PE output lanes x SIMD input lanes) and the derived widths of its arithmetic.
/// `codegen` computes it once and hands the same plan to the HLS and the RTL generator.
/// </summary>
public sealed record AcceleratorPlan
{
    /// <summary>
    /// Default budget: the largest tried whose full 10,000-image co-simulation, Verilator build
    /// included, stays within 5 minutes on 2 cores (bench/RESULTS.md).
    /// </summary>
    public const int DefaultMultiplierBudget = 128;
    public const double DefaultClockNs = 10;

    /// <summary>The total multiplier budget M the layers were folded into (at least <see cref="MultipliersUsed"/>).</summary>
    public required int MultiplierBudget { get; init; }

    /// <summary>Clock period in ns: Vitis' target clock and the clock of every images/s figure.</summary>
    public required double ClockNs { get; init; }

    /// <summary>One entry per qmodel layer, in order.</summary>
    public required IReadOnlyList<LayerPlan> Layers { get; init; }

    /// <summary>Cycles the pixel stream needs per image (one pixel per cycle).</summary>
    public required long InputCycles { get; init; }

    public int MultipliersUsed => Layers.Sum(l => l.Folding.Multipliers);

    /// <summary>The expected initiation interval: the slowest stage, input stream included.</summary>
    public long EstimatedII => Math.Max(InputCycles, Layers.Max(l => l.Folding.CyclesPerImage));

    public double ClockMhz => 1000 / ClockNs;

    public double ImagesPerSecond(double initiationInterval) => ClockMhz * 1e6 / initiationInterval;

    /// <summary>The clock period as the Vitis scripts print it ("10", "4.5").</summary>
    public string ClockNsText => ClockNs.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>"conv1 39, conv2 68, ...": each compute layer's share of the budget.</summary>
    public string Shares => string.Join(", ", Layers.Where(l => l.Folding.IsCompute).Select(l => $"{l.Folding.Name} {l.Folding.Multipliers}"));

    /// <summary>FINN-style folding of <paramref name="multiplierBudget"/> over the compute layers (FoldingPlanner).</summary>
    public static AcceleratorPlan Create(QModel model, int multiplierBudget = DefaultMultiplierBudget, double clockNs = DefaultClockNs)
    {
        if (multiplierBudget < 1) throw new LeNetHlsException($"--multipliers: {multiplierBudget} is not a positive number");
        ValidateClock(clockNs);
        return From(model, multiplierBudget, clockNs, FoldingPlanner.Plan(model, multiplierBudget));
    }

    /// <summary>
    /// Every compute layer gets the same <paramref name="multipliersPerLayer"/> output lanes (capped at its
    /// output channels, one input lane): the plan of a project generated for one layer configuration alone.
    /// </summary>
    public static AcceleratorPlan Uniform(QModel model, int multipliersPerLayer, double clockNs = DefaultClockNs)
    {
        if (multipliersPerLayer < 1) throw new LeNetHlsException($"--multipliers: {multipliersPerLayer} is not a positive number");
        ValidateClock(clockNs);
        var foldings = FoldingPlanner.Unfolded(model)
            .Select(f => f.IsCompute ? f with { Pe = Math.Min(multipliersPerLayer, f.Outs), Simd = 1 } : f).ToList();
        return From(model, foldings.Sum(f => f.Multipliers), clockNs, foldings);
    }

    public static void ValidateClock(double clockNs)
    {
        if (!(clockNs > 0 && clockNs < 1000)) throw new LeNetHlsException($"--clock-ns: {clockNs.ToString(CultureInfo.InvariantCulture)} is not a clock period in ns (0 < T < 1000)");
    }

    private static AcceleratorPlan From(QModel model, int budget, double clockNs, IReadOnlyList<LayerFolding> foldings) => new()
    {
        MultiplierBudget = budget, ClockNs = clockNs, InputCycles = FoldingPlanner.InputCycles(model),
        Layers = model.Layers.Select((l, i) => new LayerPlan(foldings[i],
            l.HasWeights ? DerivedWidths.ProductBits(model.InputOf(i), l.Weights!.Bits) : 0,
            l.Accumulator is null ? 0 : DerivedWidths.AccumulatorBits(l, model.InputOf(i)))).ToList(),
    };
}

/// <summary>
/// One layer of the plan: its folding, the signed width of one MAC product (0 for a pool) and the
/// width of its accumulator (0 for a maxpool), both as DerivedWidths fixes them.
/// </summary>
public sealed record LayerPlan(LayerFolding Folding, int ProductBits, int AccumulatorBits);
