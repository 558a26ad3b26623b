using System.Text.RegularExpressions;
using LeNetHls.Core.IO;

namespace LeNetHls.HlsCodegen;

/// <summary>What the user chooses about the generated HLS project; the qmodel fixes everything else.</summary>
public sealed partial record HlsOptions
{
    public const int DefaultMultipliers = 8;
    public const string DefaultPart = "xc7z020clg400-1";
    public const double DefaultClockNs = 10;

    /// <summary>
    /// Parallel multipliers per Conv2D/Dense layer. Each layer uses the largest divisor of its output
    /// channel count that is not above this, so weight banks split evenly.
    /// </summary>
    public int Multipliers { get; init; } = DefaultMultipliers;

    /// <summary>
    /// Per-layer multiplier budgets (by qmodel layer index) that replace <see cref="Multipliers"/>;
    /// codegen fills them from the RTL folding plan so HLS and RTL spread the same total M alike.
    /// </summary>
    public IReadOnlyDictionary<int, int>? LayerMultipliers { get; init; }

    public int MultipliersFor(int layer) => LayerMultipliers is { } m && m.TryGetValue(layer, out int n) ? n : Multipliers;
    public string Part { get; init; } = DefaultPart;
    public double ClockNs { get; init; } = DefaultClockNs;

    public void Validate()
    {
        if (Multipliers < 1) throw new LeNetHlsException($"--multipliers: {Multipliers} is not a positive number");
        if (!PartPattern().IsMatch(Part)) throw new LeNetHlsException($"--part: '{Part}' is not an FPGA part name (letters, digits and '-')");
        if (!(ClockNs > 0 && ClockNs < 1000)) throw new LeNetHlsException($"--clock-ns: {ClockNs} is not a clock period in ns (0 < T < 1000)");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]*$")]
    private static partial Regex PartPattern();
}
