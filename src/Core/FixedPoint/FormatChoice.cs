namespace LeNetHls.Core.FixedPoint;

/// <summary>The rules of docs/fixed-point.md §8 that turn real values into a fractional-bit count F.</summary>
public static class FormatChoice
{
    /// <summary>How many finer F the MSE searches try beyond the largest F that does not saturate.</summary>
    public const int MseExtraFracBits = 4;
    /// <summary>A bipolar tensor's best magnitude is near mean |w|, often 10 to 50 times below max |w| (§8).</summary>
    public const int BipolarExtraFracBits = 8;

    /// <summary>
    /// The largest F for which round(maxAbs · 2^F) still fits a signed W-bit integer, so no value of
    /// magnitude ≤ maxAbs saturates. A tensor of zeros gets F = W − 1.
    /// </summary>
    public static int NoSaturationFrac(double maxAbs, int bits)
    {
        if (!(maxAbs > 0)) return Math.Max(bits - 1, 0);
        // Bipolar (§1): the magnitude 2^−F is the largest power of two not above maxAbs.
        if (bits == FixedPointMath.BipolarBits) return (int)Math.Ceiling(-Math.Log2(maxAbs));
        long max = FixedPointMath.MaxOf(bits);
        int f = (int)Math.Floor(Math.Log2((max + 0.5) / maxAbs));
        // Log2 may be off by one ulp at exact powers of two; settle F on the rounding rule itself.
        while (RoundedMagnitude(maxAbs, f) > max) f--;
        while (RoundedMagnitude(maxAbs, f + 1) <= max) f++;
        return f;
    }

    /// <summary>
    /// The F among NoSaturationFrac … NoSaturationFrac + 4 (bipolar: + 8) with the least squared error after
    /// rounding and saturating every value; ties keep the smaller F (fewer clipped values). With relu the
    /// value is a pre-activation: the target is max(0, v) and the quantized value is clamped at 0 from below,
    /// as a fused relu does after requantization (docs/fixed-point.md §5).
    /// </summary>
    public static int MseFrac(ReadOnlySpan<double> values, int bits, bool relu = false)
    {
        double maxAbs = 0;
        foreach (double v in values) maxAbs = Math.Max(maxAbs, Math.Abs(relu ? Math.Max(v, 0) : v));
        int first = NoSaturationFrac(maxAbs, bits);
        int last = first + (bits == FixedPointMath.BipolarBits ? BipolarExtraFracBits : MseExtraFracBits);
        int best = first;
        double bestError = double.PositiveInfinity;
        for (int f = first; f <= last; f++)
        {
            double error = SquaredError(values, bits, f, relu);
            if (error < bestError)
            {
                bestError = error;
                best = f;
            }
        }
        return best;
    }

    /// <summary>Σ (v − q·2^−F)² with q the rounded, saturated integer of v.</summary>
    public static double SquaredError(ReadOnlySpan<double> values, int bits, int frac, bool relu = false)
    {
        double step = Math.Pow(2, -frac), error = 0;
        foreach (double v in values)
        {
            double d = relu
                ? Math.Max(v, 0) - Math.Max(FixedPointMath.QuantizeReal(v, bits, frac), 0) * step
                : v - FixedPointMath.QuantizeReal(v, bits, frac) * step;
            error += d * d;
        }
        return error;
    }

    private static double RoundedMagnitude(double maxAbs, int frac) =>
        Math.Round(maxAbs * Math.Pow(2, frac), MidpointRounding.AwayFromZero);
}
