using System.Numerics;
using CsCheck;

namespace LeNetHls.Core.Tests.Fuzz;

/// <summary>
/// Each rule of docs/fixed-point.md, implemented in FixedPointMath with 64-bit shifts, against a plain
/// BigInteger reference written from the text of the spec, on a few thousand random widths, shifts and values.
/// </summary>
public class FixedPointRuleTests
{
    private const int Cases = 4000;

    private static BigInteger Pow2(int e) => BigInteger.One << e;

    /// <summary>⌊n / d⌋ for d &gt; 0 (BigInteger division truncates toward zero).</summary>
    private static BigInteger FloorDiv(BigInteger n, BigInteger d)
    {
        var q = BigInteger.DivRem(n, d, out var r);
        return r.Sign < 0 ? q - 1 : q;
    }

    /// <summary>§4.1 and §4.2, from the table: the exact rational acc / 2^s rounded by the mode.</summary>
    private static BigInteger ReferenceShift(BigInteger acc, int s, RoundingMode mode)
    {
        if (s <= 0) return acc * Pow2(-s);
        var den = Pow2(s);
        var floor = FloorDiv(acc, den);
        var twiceRemainder = 2 * (acc - floor * den);
        return mode switch
        {
            RoundingMode.Trn => floor,
            RoundingMode.Rnd => twiceRemainder >= den ? floor + 1 : floor,                 // half toward +∞
            _ => twiceRemainder > den || (twiceRemainder == den && !floor.IsEven) ? floor + 1 : floor, // half to even
        };
    }

    /// <summary>§4.3: clamp, or the low W bits sign-extended.</summary>
    private static BigInteger ReferenceOverflow(BigInteger t, int bits, OverflowMode mode)
    {
        BigInteger min = -Pow2(bits - 1), max = Pow2(bits - 1) - 1;
        if (mode == OverflowMode.Sat) return BigInteger.Min(max, BigInteger.Max(min, t));
        var low = ((t % Pow2(bits)) + Pow2(bits)) % Pow2(bits);
        return low > max ? low - Pow2(bits) : low;
    }

    /// <summary>An accumulator width, a value in it and a shift with W_acc + max(0, −s) ≤ 62 (the spec's guarantee).</summary>
    private static readonly Gen<(int Wacc, long Acc, int S)> Accumulators =
        from wacc in Gen.Int[2, 62]
        from s in Gen.Int[-(62 - wacc), 62]
        from acc in Gen.Long[FixedPointMath.MinOf(wacc), FixedPointMath.MaxOf(wacc)]
        select (wacc, acc, s);

    private static readonly Gen<RoundingMode> Roundings = Gen.Enum<RoundingMode>();

    [Fact]
    public void Shift_rounds_half_up_as_the_exact_reference() =>
        Accumulators.Sample(c => FixedPointMath.Shift(c.Acc, c.S, RoundingMode.Rnd) == ReferenceShift(c.Acc, c.S, RoundingMode.Rnd), iter: Cases);

    [Fact]
    public void Shift_truncates_as_the_exact_reference() =>
        Accumulators.Sample(c => FixedPointMath.Shift(c.Acc, c.S, RoundingMode.Trn) == ReferenceShift(c.Acc, c.S, RoundingMode.Trn), iter: Cases);

    [Fact]
    public void Shift_rounds_half_to_even_as_the_exact_reference() =>
        Accumulators.Sample(c => FixedPointMath.Shift(c.Acc, c.S, RoundingMode.RndConv) == ReferenceShift(c.Acc, c.S, RoundingMode.RndConv), iter: Cases);

    [Fact]
    public void Exact_ties_round_as_the_spec_says()
    {
        // Values with a remainder of exactly one half: the three modes differ here.
        Gen.Select(Gen.Int[1, 40], Gen.Long[-(1L << 20), 1L << 20], Roundings)
            .Sample((s, t, mode) =>
            {
                long acc = (t << s) + (1L << (s - 1));
                return FixedPointMath.Shift(acc, s, mode) == ReferenceShift(acc, s, mode);
            }, iter: Cases);
    }

    [Fact]
    public void Saturation_clamps_as_the_reference() =>
        Gen.Select(Gen.Int[2, 62], Gen.Long).Sample((bits, t) =>
            FixedPointMath.Overflow(t, bits, OverflowMode.Sat) == ReferenceOverflow(t, bits, OverflowMode.Sat), iter: Cases);

    [Fact]
    public void Wrap_keeps_the_low_bits_sign_extended_as_the_reference() =>
        Gen.Select(Gen.Int[2, 62], Gen.Long).Sample((bits, t) =>
            FixedPointMath.Overflow(t, bits, OverflowMode.Wrap) == ReferenceOverflow(t, bits, OverflowMode.Wrap), iter: Cases);

    [Fact]
    public void Requantization_is_the_shift_then_the_overflow_rule() =>
        Gen.Select(Accumulators, Gen.Int[2, 32], Roundings, Gen.Enum<OverflowMode>())
            .Sample((c, bits, rounding, overflow) =>
                FixedPointMath.Requantize(c.Acc, c.S, bits, rounding, overflow) == ReferenceOverflow(ReferenceShift(c.Acc, c.S, rounding), bits, overflow),
                iter: Cases);

    [Fact]
    public void An_unsigned_relu_output_is_the_shift_clamped_to_0_and_2_to_the_W_minus_1() =>
        // §4.3/§5: ufx<W,F> computes at W + 1 signed bits, saturating, then the relu.
        Gen.Select(Accumulators, Gen.Int[1, 31], Roundings).Sample((c, w, rounding) =>
        {
            long q = Math.Max(0, FixedPointMath.Requantize(c.Acc, c.S, w + 1, rounding, OverflowMode.Sat));
            return q == BigInteger.Min(Pow2(w) - 1, BigInteger.Max(0, ReferenceShift(c.Acc, c.S, rounding)));
        }, iter: Cases);

    [Fact]
    public void The_accumulator_width_is_the_smallest_that_holds_the_bound() =>
        // §3: the smallest W with 2^(W−1) − 1 ≥ bound (at least 2).
        Gen.Long[-(1L << 61), 1L << 61].Sample(bound =>
        {
            int w = FixedPointMath.SignedBitsFor(bound);
            var b = BigInteger.Abs(bound);
            return Pow2(w - 1) - 1 >= b && (w == 2 || Pow2(w - 2) - 1 < b);
        }, iter: Cases);

    [Fact]
    public void A_range_width_holds_both_ends_and_no_smaller_width_does() =>
        Gen.Select(Gen.Long[-(1L << 60), 1L << 60], Gen.Long[-(1L << 60), 1L << 60]).Sample((a, b) =>
        {
            long min = Math.Min(a, b), max = Math.Max(a, b);
            int w = FixedPointMath.SignedBitsForRange(min, max);
            bool fits(int width) => -Pow2(width - 1) <= min && max <= Pow2(width - 1) - 1;
            return fits(w) && (w == 2 || !fits(w - 1));
        }, iter: Cases);

    [Fact]
    public void No_input_in_range_overflows_the_derived_accumulator()
    {
        // §3: bound_o = Σ|w|·maxabs(x) + |b|; the exact sum of any in-range input stays inside fx<W_acc>.
        var layers =
            from inputs in Gen.Int[1, 40]
            from wBits in Gen.Int[2, 16]
            from xBits in Gen.Int[2, 16]
            from weights in Gen.Long[FixedPointMath.MinOf(wBits), FixedPointMath.MaxOf(wBits)].Array[inputs]
            from bias in Gen.Long[-(1L << 20), 1L << 20]
            from x in Gen.Long[FixedPointMath.MinOf(xBits), FixedPointMath.MaxOf(xBits)].Array[inputs]
            select (weights, bias, xBits, x);
        layers.Sample(l =>
        {
            var layer = new QLayer
            {
                Name = "fc", Kind = QLayerKind.Dense, InShape = new Shape3(1, 1, l.weights.Length), OutShape = new Shape3(1, 1, 1),
                Weights = new QTensor(32, 0, [l.weights.Length, 1], l.weights.Select(w => (int)w).ToArray()),
                Bias = new QTensor(32, 0, [1], [(int)l.bias]),
                Accumulator = new QFormat(62, 0),
                Output = new QActivation(8, 0, -128, 127),
            };
            var input = new QActivation(l.xBits, 0, FixedPointMath.MinOf(l.xBits), FixedPointMath.MaxOf(l.xBits));
            int wAcc = FixedPointMath.SignedBitsFor(QModelFile.AccumulatorBound(layer, input));
            BigInteger acc = l.bias;
            for (int j = 0; j < l.x.Length; j++) acc += (BigInteger)l.weights[j] * l.x[j];
            return -Pow2(wAcc - 1) <= acc && acc <= Pow2(wAcc - 1) - 1;
        }, iter: Cases);
    }

    [Fact]
    public void The_avgpool_accumulator_holds_every_window_sum_at_the_input_frac_plus_log2_of_the_area() =>
        // §6: acc = Σ window, exact; F_acc = F_in + log2(k²).
        Gen.Select(Gen.Int[2, 24], Gen.Int[-8, 8], Gen.Int[0, 4].Select(e => 1 << e)).Sample((bits, frac, k) =>
        {
            var input = new QActivation(bits, frac, FixedPointMath.MinOf(bits), FixedPointMath.MaxOf(bits));
            var acc = QModelFile.AvgPoolAccumulator(input, k);
            BigInteger lo = (BigInteger)input.Min * k * k, hi = (BigInteger)input.Max * k * k;
            return acc.Frac == frac + BitOperations.Log2((uint)(k * k)) &&
                   -Pow2(acc.Bits - 1) <= lo && hi <= Pow2(acc.Bits - 1) - 1;
        }, iter: Cases);
}
