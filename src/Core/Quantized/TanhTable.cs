namespace LeNetHls.Core.Quantized;

/// <summary>Builds the tanh lookup table of docs/fixed-point.md §5 and chooses its index range.</summary>
public static class TanhTable
{
    /// <summary>Default cap on the index width: 4,096 entries keep the ROM small in HLS and RTL.</summary>
    public const int DefaultMaxIndexBits = 12;

    /// <summary>table[k] = sat_W(⌊tanh((k − 2^(B−1)) · 2^−F_idx) · 2^F_out + 0.5⌋).</summary>
    public static QTanhTable Build(int indexBits, int indexFrac, QFormat output)
    {
        int half = 1 << (indexBits - 1);
        var table = new int[1 << indexBits];
        double outScale = Math.Pow(2, output.Frac), inStep = Math.Pow(2, -indexFrac);
        for (int k = 0; k < table.Length; k++)
        {
            double scaled = Math.Floor(Math.Tanh((k - half) * inStep) * outScale + 0.5);
            table[k] = (int)Math.Clamp(scaled, output.Min, output.Max);
        }
        return new QTanhTable(indexBits, indexFrac, table);
    }

    /// <summary>
    /// The input magnitude beyond which the table's output is constant: the smallest x with
    /// round(tanh(x) · 2^F_out) reaching the format's maximum (+∞ when the format cannot reach it).
    /// </summary>
    public static double SaturationInput(QFormat output)
    {
        double target = (output.Max - 0.5) * Math.Pow(2, -output.Frac);
        return target >= 1 ? double.PositiveInfinity : Math.Atanh(target);
    }

    /// <summary>
    /// The index range R to cover: the calibrated pre-activation magnitude, but no further than where
    /// tanh saturates in the output format (inputs beyond R clamp to the table's ends).
    /// </summary>
    public static double IndexRange(double calibratedMagnitude, QFormat output)
    {
        double range = Math.Min(calibratedMagnitude, SaturationInput(output));
        if (range > 0 && double.IsFinite(range)) return range;
        double saturation = SaturationInput(output);
        return double.IsFinite(saturation) ? saturation : 1.0;
    }

    /// <summary>Index width whose step is no coarser than the output step (tanh' ≤ 1), capped at 12 bits.</summary>
    public static int DefaultIndexBits(double range, QFormat output) =>
        Math.Clamp(output.Frac + 1 + RangeExponent(range), 2, DefaultMaxIndexBits);

    /// <summary>F_idx such that [−2^(B−1), 2^(B−1)) · 2^−F_idx covers [−R, R).</summary>
    public static int IndexFrac(int indexBits, double range) => indexBits - 1 - RangeExponent(range);

    /// <summary>⌈log2 R⌉, the power of two the table must reach.</summary>
    private static int RangeExponent(double range)
    {
        int e = (int)Math.Ceiling(Math.Log2(range));
        while (Math.Pow(2, e) < range) e++;
        return e;
    }
}
