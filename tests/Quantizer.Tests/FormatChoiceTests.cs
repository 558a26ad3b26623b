using LeNetHls.Core.Quantized;

namespace LeNetHls.Quantizer.Tests;

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
}

public class TanhTableTests
{
    [Fact]
    public void Entries_are_tanh_of_the_index_rounded_half_up_and_saturated()
    {
        // B = 4, F_idx = 1: k covers x = (k − 8) / 2; output fx<4,3> (step 1/8, range −8..7).
        var t = TanhTable.Build(4, 1, new QFormat(4, 3));
        Assert.Equal(16, t.Table.Length);
        Assert.Equal(0, t.Table[8]);     // tanh(0) = 0
        Assert.Equal(4, t.Table[9]);     // tanh(0.5) · 8 = 3.70 -> 4
        Assert.Equal(-4, t.Table[7]);    // −3.70 -> −4
        Assert.Equal(6, t.Table[10]);    // tanh(1) · 8 = 6.09 -> 6
        Assert.Equal(-6, t.Table[6]);
        Assert.Equal(7, t.Table[15]);    // tanh(3.5) · 8 = 7.99 -> 8, saturated to 7
        Assert.Equal(-8, t.Table[0]);    // tanh(−4) · 8 = −7.995 -> −8 (the minimum fits)
        Assert.Equal(1, t.IndexFrac);
    }

    [Fact]
    public void The_table_is_monotonic()
    {
        var t = TanhTable.Build(10, 7, new QFormat(8, 7)).Table;
        Assert.All(Enumerable.Range(1, t.Length - 1), k => Assert.True(t[k] >= t[k - 1]));
    }

    [Fact]
    public void The_index_range_stops_where_tanh_saturates_in_the_output_format()
    {
        var output = new QFormat(8, 7);
        double saturation = Math.Atanh(126.5 / 128);
        Assert.Equal(saturation, TanhTable.SaturationInput(output), 12);
        Assert.Equal(saturation, TanhTable.IndexRange(40.0, output), 12);
        Assert.Equal(1.5, TanhTable.IndexRange(1.5, output));
    }

    [Fact]
    public void A_format_that_never_saturates_covers_the_calibrated_range() =>
        Assert.Equal(double.PositiveInfinity, TanhTable.SaturationInput(new QFormat(8, 0)));

    [Fact]
    public void The_default_index_step_is_no_coarser_than_the_output_step()
    {
        // fx<8,7> and R = 2.57 (tanh saturation): the table must reach 4 = 2^2, so B = 7 + 1 + 2 = 10 and F_idx = 7.
        var output = new QFormat(8, 7);
        double range = TanhTable.IndexRange(100, output);
        Assert.Equal(10, TanhTable.DefaultIndexBits(range, output));
        Assert.Equal(7, TanhTable.IndexFrac(10, range));
    }

    [Fact]
    public void The_default_index_width_is_capped_at_12_bits() =>
        Assert.Equal(12, TanhTable.DefaultIndexBits(5.0, new QFormat(16, 15)));
}
