namespace LeNetHls.Quantizer.Tests;

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
