namespace LeNetHls.Cli.Report;

/// <summary>Everything report.html shows, gathered from the flow's output folder.</summary>
public sealed class ReportModel
{
    public required string Title { get; init; }
    public required string QModelName { get; init; }
    public DateTime Generated { get; init; } = DateTime.UtcNow;
    public int TestImages { get; init; }
    /// <summary>Test-set accuracy, like FixedAccuracy and every sweep figure; the test set chooses nothing.</summary>
    public double FloatAccuracy { get; init; }
    /// <summary>The float model's accuracy on the validation split its epoch was chosen on (null: not recorded, e.g. a model trained before validation).</summary>
    public double? FloatValidationAccuracy { get; init; }
    /// <summary>How the float model's epoch was chosen, from its training record ("best validation accuracy", "last epoch", "best test accuracy" for older models), or empty.</summary>
    public string EpochSelection { get; init; } = "";
    public double FixedAccuracy { get; init; }
    public int ChangedPredictions { get; init; }
    public IReadOnlyList<SweepPoint> Sweep { get; init; } = [];
    /// <summary>The sweep's accuracy.svg, inlined.</summary>
    public string AccuracySvg { get; init; } = "";
    public IReadOnlyList<LayerRow> Layers { get; init; } = [];
    public IReadOnlyList<VerificationRow> Verification { get; init; } = [];
    public PerformanceSummary? Performance { get; init; }
    public IReadOnlyList<(string Resource, string Value)> Resources { get; init; } = [];
    /// <summary>The same resources per layer (synth-estimate's per-module sums).</summary>
    public IReadOnlyList<LeNetHls.RtlCodegen.LayerResources> LayerResources { get; init; } = [];
    /// <summary>Worst register-to-register logic depth, per layer; null when synth-estimate did not measure it.</summary>
    public LeNetHls.RtlCodegen.LogicDepthReport? Depth { get; init; }
    public required int[,] Confusion { get; init; }
    public IReadOnlyList<Misclassified> Misclassified { get; init; } = [];
    public IReadOnlyList<(string Stage, double Seconds, bool Skipped)> Timings { get; init; } = [];
}

/// <summary>
/// Accuracy (0..1) at one width, quantizing weights only, activations only, or both; Qat is a
/// quantization-aware trained qmodel of that uniform width (scores 8 bits), NaN where there is none.
/// </summary>
public sealed record SweepPoint(int Bits, double WeightsOnly, double ActivationsOnly, double Both, double Qat = double.NaN);

public sealed record LayerRow(string Name, string Kind, string Shape, string Weights, string Accumulator, string Output, long Macs, long Saturations);

/// <summary>One backend compared with the golden model; FirstDivergence is empty when all matched.</summary>
public sealed record VerificationRow(string Backend, int Images, int Mismatches, string FirstDivergence);

public sealed record PerformanceSummary(int Multipliers, long InitiationInterval, long Latency, double MacUtilization, double ClockMhz)
{
    public double ImagesPerSecond => ClockMhz * 1e6 / InitiationInterval;
}

public sealed record Misclassified(int Index, byte[] Pixels, int Label, int Predicted);
