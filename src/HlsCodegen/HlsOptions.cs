using System.Text.RegularExpressions;

namespace LeNetHls.HlsCodegen;

/// <summary>What the user chooses about an HLS project generated on its own; the qmodel fixes everything else.</summary>
public sealed partial record HlsOptions
{
    public const int DefaultMultipliersPerLayer = 8;
    public const string DefaultPart = "xc7z020clg400-1";

    /// <summary>
    /// Parallel multipliers of every Conv2D/Dense layer (AcceleratorPlan.Uniform) when no plan is given;
    /// each layer unrolls the largest divisor of its output channel count not above this. `codegen`
    /// passes an AcceleratorPlan instead, which spreads a total budget over the layers.
    /// </summary>
    public int MultipliersPerLayer { get; init; } = DefaultMultipliersPerLayer;

    public string Part { get; init; } = DefaultPart;

    /// <summary>Clock period in ns when no plan is given (a plan carries its own).</summary>
    public double ClockNs { get; init; } = AcceleratorPlan.DefaultClockNs;

    public void Validate()
    {
        if (MultipliersPerLayer < 1) throw new LeNetHlsException($"--multipliers: {MultipliersPerLayer} is not a positive number");
        ValidatePart(Part);
        AcceleratorPlan.ValidateClock(ClockNs);
    }

    public static void ValidatePart(string part)
    {
        if (!PartPattern().IsMatch(part)) throw new LeNetHlsException($"--part: '{part}' is not an FPGA part name (letters, digits and '-')");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]*$")]
    private static partial Regex PartPattern();
}
