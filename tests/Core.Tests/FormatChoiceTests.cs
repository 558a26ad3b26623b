namespace LeNetHls.Core.Tests;

public class FormatChoiceTests
{
    [Theory]
    [InlineData(1.0, 8, 6)]          // 1 · 2^6 = 64 fits, 128 does not
    [InlineData(0.99, 8, 7)]         // 0.99 · 2^7 = 126.7 rounds to 127
    [InlineData(0.99609375, 8, 6)]   // 127.5 / 128: rounds to 128 at F = 7, so F = 6
    [InlineData(300.0, 8, -2)]       // negative F: 300 / 4 = 75
    [InlineData(1e-6, 4, 22)]        // F larger than W
    public void NoSaturationFrac_is_the_largest_F_whose_rounded_maximum_fits(double maxAbs, int bits, int frac) =>
        Assert.Equal(frac, FormatChoice.NoSaturationFrac(maxAbs, bits));

    [Fact]
    public void An_all_zero_tensor_gets_F_of_W_minus_1() =>
        Assert.Equal(7, FormatChoice.NoSaturationFrac(0, 8));

    [Fact]
    public void Mse_clips_a_lone_outlier_when_that_resolves_the_bulk_better()
    {
        // 1,000 values of 0.3 and one of 1.0 at 4 bits: F = 2 keeps 1.0 but rounds 0.3 to 0.25;
        // F = 4 clips 1.0 to 0.4375 but represents 0.3 as 0.3125, a smaller total error.
        var values = Enumerable.Repeat(0.3, 1000).Append(1.0).ToArray();
        Assert.Equal(2, FormatChoice.NoSaturationFrac(1.0, 4));
        Assert.Equal(4, FormatChoice.MseFrac(values, 4));
    }

    [Fact]
    public void Mse_keeps_the_no_saturation_F_when_clipping_does_not_pay()
    {
        double[] values = [0.5, -0.5, 1.0, 0.25];
        Assert.Equal(FormatChoice.NoSaturationFrac(1.0, 4), FormatChoice.MseFrac(values, 4));
    }

    [Fact]
    public void A_bipolar_tensor_starts_at_the_largest_power_of_two_not_above_its_maximum() =>
        Assert.Equal(2, FormatChoice.NoSaturationFrac(0.3, FixedPointMath.BipolarBits)); // 2^-2 = 0.25 <= 0.3 < 0.5

    [Fact]
    public void A_bipolar_tensor_takes_the_magnitude_nearest_its_mean_absolute_value()
    {
        // Mostly ±0.06 with one 0.9 outlier: the best ±2^-F is 2^-4 = 0.0625, four steps below 2^-0 (max 0.9 -> F_0 = 1).
        var values = Enumerable.Range(0, 1000).Select(i => i % 2 == 0 ? 0.06 : -0.06).Append(0.9).ToArray();
        Assert.Equal(4, FormatChoice.MseFrac(values, FixedPointMath.BipolarBits));
    }

    [Fact]
    public void The_bipolar_search_reaches_eight_steps_below_the_maximum()
    {
        var values = Enumerable.Repeat(0.004, 1000).Append(1.0).ToArray(); // mean ≈ 2^-8
        Assert.Equal(8, FormatChoice.MseFrac(values, FixedPointMath.BipolarBits));
    }
}
