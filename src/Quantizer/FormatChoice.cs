using LeNetHls.Core.FixedPoint;

namespace LeNetHls.Quantizer;

/// <summary>The rules of docs/fixed-point.md §8 that turn real values into a fractional-bit count F.</summary>
public static class FormatChoice
{
    /// <summary>How many finer F the MSE searches try beyond the largest F that does not saturate.</summary>
    public const int MseExtraFracBits = 4;

    /// <summary>
    /// The largest F for which round(maxAbs · 2^F) still fits a signed W-bit integer, so no value of
    /// magnitude ≤ maxAbs saturates. A tensor of zeros gets F = W − 1.
    /// </summary>
    public static int NoSaturationFrac(double maxAbs, int bits)
    {
        if (!(maxAbs > 0)) return bits - 1;
        long max = FixedPointMath.MaxOf(bits);
        int f = (int)Math.Floor(Math.Log2((max + 0.5) / maxAbs));
        // Log2 may be off by one ulp at exact powers of two; settle F on the rounding rule itself.
        while (RoundedMagnitude(maxAbs, f) > max) f--;
        while (RoundedMagnitude(maxAbs, f + 1) <= max) f++;
        return f;
    }

    /// <summary>
    /// The F among NoSaturationFrac … NoSaturationFrac + 4 with the least squared error after
    /// rounding and saturating every value; ties keep the smaller F (fewer clipped values).
    /// </summary>
    public static int MseFrac(ReadOnlySpan<double> values, int bits)
    {
        double maxAbs = 0;
        foreach (double v in values) maxAbs = Math.Max(maxAbs, Math.Abs(v));
        int first = NoSaturationFrac(maxAbs, bits);
        int best = first;
        double bestError = double.PositiveInfinity;
        for (int f = first; f <= first + MseExtraFracBits; f++)
        {
            double error = SquaredError(values, bits, f);
            if (error < bestError)
            {
                bestError = error;
                best = f;
            }
        }
        return best;
    }

    /// <summary>Σ (v − q·2^−F)² with q the rounded, saturated integer of v.</summary>
    public static double SquaredError(ReadOnlySpan<double> values, int bits, int frac)
    {
        double step = Math.Pow(2, -frac), error = 0;
        foreach (double v in values)
        {
            double d = v - FixedPointMath.QuantizeReal(v, bits, frac) * step;
            error += d * d;
        }
        return error;
    }

    private static double RoundedMagnitude(double maxAbs, int frac) =>
        Math.Round(maxAbs * Math.Pow(2, frac), MidpointRounding.AwayFromZero);
}
