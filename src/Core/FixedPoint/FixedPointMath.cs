using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;

namespace LeNetHls.Core.FixedPoint;

[JsonConverter(typeof(JsonStringEnumConverter<RoundingMode>))]
public enum RoundingMode
{
    /// <summary>Round half toward +∞; Vitis AP_RND.</summary>
    [JsonStringEnumMemberName("rnd")] Rnd,
    /// <summary>Floor; Vitis AP_TRN.</summary>
    [JsonStringEnumMemberName("trn")] Trn,
    /// <summary>Round half to even; Vitis AP_RND_CONV.</summary>
    [JsonStringEnumMemberName("rnd_conv")] RndConv,
}

[JsonConverter(typeof(JsonStringEnumConverter<OverflowMode>))]
public enum OverflowMode
{
    /// <summary>Clamp to the representable range; Vitis AP_SAT.</summary>
    [JsonStringEnumMemberName("sat")] Sat,
    /// <summary>Keep the low W bits; Vitis AP_WRAP.</summary>
    [JsonStringEnumMemberName("wrap")] Wrap,
}

/// <summary>
/// The integer rules of docs/fixed-point.md, section by section. The HLS kernels and the RTL
/// implement the same functions; tests pin each rule on its edge values.
/// </summary>
public static class FixedPointMath
{
    public static long MinOf(int bits) => -(1L << (bits - 1));
    public static long MaxOf(int bits) => (1L << (bits - 1)) - 1;

    /// <summary>§1: a 1-bit weight is bipolar, q ∈ {−1, +1}, stored as the bit s = (q + 1) / 2.</summary>
    public const int BipolarBits = 1;

    /// <summary>Smallest weight integer of a W-bit weight format (bipolar: −1).</summary>
    public static long WeightMinOf(int bits) => bits == BipolarBits ? -1 : MinOf(bits);

    /// <summary>Largest weight integer of a W-bit weight format (bipolar: +1).</summary>
    public static long WeightMaxOf(int bits) => bits == BipolarBits ? 1 : MaxOf(bits);

    /// <summary>
    /// The ROM code of weight q in a W-bit weight format: q itself (two's complement), or for a bipolar
    /// weight the one bit s = (q + 1) / 2 (§1), which HLS and RTL read back as s ? x : −x.
    /// </summary>
    public static long WeightCode(int bits, long q) => bits != BipolarBits ? q : q switch
    {
        1 => 1, -1 => 0, _ => throw new ArgumentOutOfRangeException(nameof(q), q, "a bipolar weight is -1 or +1"),
    };

    /// <summary>§4.1/4.2: shift by s = F_acc − F_out with the rounding mode (s ≤ 0 is an exact left shift).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Shift(long acc, int s, RoundingMode mode)
    {
        if (s <= 0) return acc << -s;
        switch (mode)
        {
            case RoundingMode.Rnd:
                return (acc + (1L << (s - 1))) >> s;
            case RoundingMode.Trn:
                return acc >> s;
            default:
                long t = acc >> s;
                long r = acc - (t << s);
                long half = 1L << (s - 1);
                return r > half || (r == half && (t & 1) != 0) ? t + 1 : t;
        }
    }

    /// <summary>§4.3: fit t into a signed W-bit integer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Overflow(long t, int bits, OverflowMode mode)
    {
        if (mode == OverflowMode.Sat)
        {
            long max = (1L << (bits - 1)) - 1;
            return t > max ? max : t < -max - 1 ? -max - 1 : t;
        }
        int drop = 64 - bits;
        return (t << drop) >> drop;
    }

    /// <summary>§4: the whole requantization, acc in fx&lt;·,F_acc&gt; to fx&lt;bits,F_out&gt;.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Requantize(long acc, int s, int bits, RoundingMode rounding, OverflowMode overflow) =>
        Overflow(Shift(acc, s, rounding), bits, overflow);

    /// <summary>§3: smallest signed width W with 2^(W−1) − 1 ≥ bound.</summary>
    public static int SignedBitsFor(long bound)
    {
        if (bound < 0) bound = -bound;
        int w = 1;
        while (MaxOf(w) < bound) w++;
        return Math.Max(w, 2);
    }

    /// <summary>Smallest signed width holding every value (both signs considered).</summary>
    public static int SignedBitsForRange(long min, long max)
    {
        int w = 2;
        while (MinOf(w) > min || MaxOf(w) < max) w++;
        return w;
    }

    /// <summary>
    /// Rounds a real value to the nearest q of fx&lt;bits,frac&gt; (half away from zero) and saturates; used for weights.
    /// One bit is bipolar (§1): the sign, +1 for value ≥ 0.
    /// </summary>
    public static long QuantizeReal(double value, int bits, int frac)
    {
        if (bits == BipolarBits) return value >= 0 ? 1 : -1;
        double scaled = Math.Round(value * Math.Pow(2, frac), MidpointRounding.AwayFromZero);
        double max = MaxOf(bits), min = MinOf(bits);
        return (long)Math.Clamp(scaled, min, max);
    }
}
