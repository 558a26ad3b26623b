namespace LeNetHls.RtlCodegen;

/// <summary>Options of the RTL generator used on its own; `codegen` hands it an AcceleratorPlan instead of a budget.</summary>
public sealed record RtlOptions
{
    public const int DefaultMultipliers = AcceleratorPlan.DefaultMultiplierBudget;
    public const string DefaultTopName = "lenet5";

    /// <summary>Total multiplier budget M, spread over the compute layers.</summary>
    public int Multipliers { get; init; } = DefaultMultipliers;

    /// <summary>Top-level module name (the HLS top function's name).</summary>
    public string TopName { get; init; } = DefaultTopName;
}
