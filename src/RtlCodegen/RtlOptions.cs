namespace LeNetHls.RtlCodegen;

/// <summary>Options of the RTL generator.</summary>
public sealed record RtlOptions
{
    /// <summary>
    /// Default budget: the largest tried whose full 10,000-image co-simulation, Verilator build
    /// included, stays within 5 minutes on 2 cores (bench/RESULTS.md).
    /// </summary>
    public const int DefaultMultipliers = 128;

    /// <summary>Total multiplier budget M, spread over the compute layers.</summary>
    public int Multipliers { get; init; } = DefaultMultipliers;

    /// <summary>Top-level module name (the HLS top function's name).</summary>
    public string TopName { get; init; } = "lenet5";
}
