namespace LeNetHls.RtlCodegen;

/// <summary>What the generator built: the budget, the folding of each layer and the expected II.</summary>
public sealed record RtlPlan
{
    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public required string Model { get; init; }
    public required string Top { get; init; }
    public required int Multipliers { get; init; }
    /// <summary>The plan's clock period; plans written before it was recorded were planned at 10 ns.</summary>
    public double ClockNs { get; init; } = AcceleratorPlan.DefaultClockNs;
    public required int MultipliersUsed { get; init; }
    public required long MacsPerImage { get; init; }
    public required int ScoreWidth { get; init; }
    public required int Classes { get; init; }
    public required int Pixels { get; init; }
    public required long EstimatedII { get; init; }
    public required IReadOnlyList<RtlLayerPlan> Layers { get; init; }
}

/// <summary>One layer's folding; a Bipolar layer's Multipliers lanes are conditional negations (docs/fixed-point.md §1).</summary>
public sealed record RtlLayerPlan(string Name, string Kind, int Pe, int Simd, int Nf, int Sf, int Multipliers, long CyclesPerImage, bool Bipolar = false);
