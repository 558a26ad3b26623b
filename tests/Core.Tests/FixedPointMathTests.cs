namespace LeNetHls.Core.Tests;

/// <summary>docs/fixed-point.md §1, §3 and §4 on their edge values.</summary>
public class FixedPointMathTests
{
    // §1 formats

    [Theory]
    [InlineData(2, -2, 1)]
    [InlineData(8, -128, 127)]
    [InlineData(9, -256, 255)]
    [InlineData(32, int.MinValue, int.MaxValue)]
    [InlineData(48, -140737488355328L, 140737488355327L)]
    public void A_W_bit_format_holds_minus_2_pow_W_minus_1_to_2_pow_W_minus_1_minus_1(int bits, long min, long max)
    {
        Assert.Equal(min, FixedPointMath.MinOf(bits));
        Assert.Equal(max, FixedPointMath.MaxOf(bits));
    }

    // §4.1 round half up (rnd): (acc + 2^(s-1)) >> s

    [Theory]
    [InlineData(5, 1, 3)]      // 2.5 -> 3
    [InlineData(-5, 1, -2)]    // -2.5 -> -2 (half goes toward +inf)
    [InlineData(3, 1, 2)]      // 1.5 -> 2
    [InlineData(-3, 1, -1)]    // -1.5 -> -1
    [InlineData(-11, 2, -3)]   // -2.75 -> -3
    [InlineData(-9, 2, -2)]    // -2.25 -> -2
    [InlineData(9, 2, 2)]      // 2.25 -> 2
    [InlineData(-1, 1, 0)]     // -0.5 -> 0
    [InlineData(-1, 2, 0)]     // -0.25 -> 0
    [InlineData(-3, 2, -1)]    // -0.75 -> -1
    public void Rnd_rounds_half_toward_plus_infinity(long acc, int s, long expected) =>
        Assert.Equal(expected, FixedPointMath.Shift(acc, s, RoundingMode.Rnd));

    [Fact]
    public void Round_half_up_sends_minus_2_5_to_minus_2() =>
        Assert.Equal(-2, FixedPointMath.Shift(-5, 1, RoundingMode.Rnd));

    // §4.1 truncation (trn): floor

    [Theory]
    [InlineData(5, 1, 2)]      // 2.5 -> 2
    [InlineData(-5, 1, -3)]    // -2.5 -> -3 (floor, not toward zero)
    [InlineData(7, 2, 1)]      // 1.75 -> 1
    [InlineData(-1, 3, -1)]    // -0.125 -> -1
    [InlineData(8, 3, 1)]      // exact
    public void Trn_is_floor_also_for_negative_numbers(long acc, int s, long expected) =>
        Assert.Equal(expected, FixedPointMath.Shift(acc, s, RoundingMode.Trn));

    // §4.1 round half to even (rnd_conv)

    [Theory]
    [InlineData(5, 1, 2)]      // 2.5 -> 2
    [InlineData(7, 1, 4)]      // 3.5 -> 4
    [InlineData(-5, 1, -2)]    // -2.5 -> -2
    [InlineData(-7, 1, -4)]    // -3.5 -> -4
    [InlineData(1, 1, 0)]      // 0.5 -> 0
    [InlineData(-1, 1, 0)]     // -0.5 -> 0
    [InlineData(11, 2, 3)]     // 2.75 -> 3 (not a half: nearest)
    [InlineData(-9, 2, -2)]    // -2.25 -> -2
    [InlineData(-11, 2, -3)]   // -2.75 -> -3
    [InlineData(9, 2, 2)]      // 2.25 -> 2
    public void Rnd_conv_rounds_to_nearest_and_halves_to_even(long acc, int s, long expected) =>
        Assert.Equal(expected, FixedPointMath.Shift(acc, s, RoundingMode.RndConv));

    // §4.2 s = 0 and negative s

    [Theory]
    [InlineData(RoundingMode.Rnd)]
    [InlineData(RoundingMode.Trn)]
    [InlineData(RoundingMode.RndConv)]
    public void A_shift_of_zero_leaves_the_accumulator_unchanged_in_every_mode(RoundingMode mode)
    {
        foreach (long acc in new long[] { -7, -1, 0, 1, 7, long.MaxValue >> 2 })
            Assert.Equal(acc, FixedPointMath.Shift(acc, 0, mode));
    }

    [Theory]
    [InlineData(RoundingMode.Rnd)]
    [InlineData(RoundingMode.Trn)]
    [InlineData(RoundingMode.RndConv)]
    public void A_negative_shift_multiplies_exactly_by_2_pow_minus_s(RoundingMode mode)
    {
        Assert.Equal(-12, FixedPointMath.Shift(-3, -2, mode));
        Assert.Equal(40, FixedPointMath.Shift(5, -3, mode));
        Assert.Equal(1L << 61, FixedPointMath.Shift(1L << 47, -14, mode));
    }

    [Fact]
    public void Shifts_of_48_bit_accumulators_are_exact()
    {
        long acc = (1L << 47) - 1;
        Assert.Equal(1L << 27, FixedPointMath.Shift(acc, 20, RoundingMode.Rnd));
        Assert.Equal((1L << 27) - 1, FixedPointMath.Shift(acc, 20, RoundingMode.Trn));
        Assert.Equal(-(1L << 27), FixedPointMath.Shift(-acc - 1, 20, RoundingMode.RndConv));
    }

    // §4.3 saturation and wrap

    [Theory]
    [InlineData(127, 127)]     // max
    [InlineData(128, 127)]     // max + 1
    [InlineData(100000, 127)]
    [InlineData(-128, -128)]   // min
    [InlineData(-129, -128)]   // min - 1
    [InlineData(-100000, -128)]
    [InlineData(0, 0)]
    public void Sat_clamps_to_the_8_bit_range(long t, long expected) =>
        Assert.Equal(expected, FixedPointMath.Overflow(t, 8, OverflowMode.Sat));

    [Theory]
    [InlineData(127, 127)]     // max stays
    [InlineData(128, -128)]    // max + 1 wraps to min
    [InlineData(-128, -128)]   // min stays
    [InlineData(-129, 127)]    // min - 1 wraps to max
    [InlineData(255, -1)]
    [InlineData(256, 0)]
    [InlineData(300, 44)]
    [InlineData(-300, -44)]
    public void Wrap_keeps_the_low_8_bits_sign_extended(long t, long expected) =>
        Assert.Equal(expected, FixedPointMath.Overflow(t, 8, OverflowMode.Wrap));

    [Fact]
    public void Saturation_and_wrap_at_32_bits_edge()
    {
        Assert.Equal(int.MaxValue, FixedPointMath.Overflow(1L << 31, 32, OverflowMode.Sat));
        Assert.Equal(int.MinValue, FixedPointMath.Overflow((1L << 31) * -1 - 1, 32, OverflowMode.Sat));
        Assert.Equal(int.MinValue, FixedPointMath.Overflow(1L << 31, 32, OverflowMode.Wrap));
        Assert.Equal(int.MaxValue, FixedPointMath.Overflow(-(1L << 31) - 1, 32, OverflowMode.Wrap));
    }

    [Fact]
    public void Sat_and_wrap_at_2_bits_edge()
    {
        Assert.Equal(1, FixedPointMath.Overflow(2, 2, OverflowMode.Sat));
        Assert.Equal(-2, FixedPointMath.Overflow(-3, 2, OverflowMode.Sat));
        Assert.Equal(-2, FixedPointMath.Overflow(2, 2, OverflowMode.Wrap));
        Assert.Equal(1, FixedPointMath.Overflow(-3, 2, OverflowMode.Wrap));
    }

    // §4 rounding first, then overflow

    [Fact]
    public void Rounding_happens_before_saturation_so_127_5_saturates_to_127()
    {
        Assert.Equal(127, FixedPointMath.Requantize(255, 1, 8, RoundingMode.Rnd, OverflowMode.Sat));
        Assert.Equal(-128, FixedPointMath.Requantize(255, 1, 8, RoundingMode.Rnd, OverflowMode.Wrap));
        Assert.Equal(127, FixedPointMath.Requantize(255, 1, 8, RoundingMode.Trn, OverflowMode.Wrap));
    }

    [Fact]
    public void Minus_128_5_rounds_up_to_minus_128_and_does_not_saturate() =>
        Assert.Equal(-128, FixedPointMath.Requantize(-257, 1, 8, RoundingMode.Rnd, OverflowMode.Wrap));

    [Fact]
    public void A_left_shift_can_saturate() =>
        Assert.Equal(127, FixedPointMath.Requantize(40, -2, 8, RoundingMode.Rnd, OverflowMode.Sat));

    // §3 accumulator widths

    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    [InlineData(2, 3)]
    [InlineData(127, 8)]
    [InlineData(128, 9)]
    [InlineData(-128, 9)]        // a bound is a magnitude: ±128 needs 9 bits
    [InlineData(2147483647, 32)]
    [InlineData(2147483648, 33)]
    public void SignedBitsFor_is_the_smallest_W_with_2_pow_W_minus_1_minus_1_at_least_the_bound(long bound, int bits) =>
        Assert.Equal(bits, FixedPointMath.SignedBitsFor(bound));

    [Theory]
    [InlineData(-128, 127, 8)]
    [InlineData(-129, 0, 9)]
    [InlineData(0, 128, 9)]
    [InlineData(0, 0, 2)]
    [InlineData(-2, 1, 2)]
    public void SignedBitsForRange_holds_both_ends(long min, long max, int bits) =>
        Assert.Equal(bits, FixedPointMath.SignedBitsForRange(min, max));

    // Weights: real to integer

    [Theory]
    [InlineData(2.5, 0, 3)]        // half away from zero
    [InlineData(-2.5, 0, -3)]
    [InlineData(0.3, 4, 5)]        // 4.8 -> 5
    [InlineData(1000.0, 0, 127)]   // saturates
    [InlineData(-1000.0, 0, -128)]
    [InlineData(3.0, -1, 2)]       // negative F: 1.5 -> 2
    public void QuantizeReal_rounds_half_away_from_zero_and_saturates(double value, int frac, long expected) =>
        Assert.Equal(expected, FixedPointMath.QuantizeReal(value, 8, frac));

    [Fact]
    public void A_bipolar_weight_is_stored_as_the_bit_q_plus_1_over_2_and_a_wider_one_as_itself()
    {
        Assert.Equal((1L, 0L), (FixedPointMath.WeightCode(1, 1), FixedPointMath.WeightCode(1, -1)));
        Assert.Equal(-3L, FixedPointMath.WeightCode(4, -3));
        Assert.Throws<ArgumentOutOfRangeException>(() => FixedPointMath.WeightCode(1, 0));
    }
}
