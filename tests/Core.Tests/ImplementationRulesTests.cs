namespace LeNetHls.Core.Tests;

public class ImplementationRulesTests
{
    [Theory]
    [InlineData(RoundingMode.Rnd, "rnd", "AP_RND", "ROUND_HALF_UP")]
    [InlineData(RoundingMode.Trn, "trn", "AP_TRN", "TRUNCATE")]
    [InlineData(RoundingMode.RndConv, "rnd_conv", "AP_RND_CONV", "ROUND_HALF_EVEN")]
    [InlineData(OverflowMode.Sat, "sat", "AP_SAT", "SATURATE")]
    [InlineData(OverflowMode.Wrap, "wrap", "AP_WRAP", "WRAP")]
    public void Each_rounding_and_overflow_mode_has_one_name_per_implementation(Enum mode, string qmodel, string vitis, string kernel)
    {
        var names = mode switch
        {
            RoundingMode r => (ModeNames.QModelName(r), ModeNames.VitisName(r), ModeNames.KernelName(r)),
            OverflowMode o => (ModeNames.QModelName(o), ModeNames.VitisName(o), ModeNames.KernelName(o)),
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };
        Assert.Equal((qmodel, vitis, kernel), names);
    }

    [Fact]
    public void The_qmodel_name_is_the_name_the_qmodel_file_stores()
    {
        foreach (var mode in Enum.GetValues<RoundingMode>())
            Assert.Equal($"\"{ModeNames.QModelName(mode)}\"", System.Text.Json.JsonSerializer.Serialize(mode));
        foreach (var mode in Enum.GetValues<OverflowMode>())
            Assert.Equal($"\"{ModeNames.QModelName(mode)}\"", System.Text.Json.JsonSerializer.Serialize(mode));
    }

    [Theory]
    [InlineData(8, 8, 16)]    // signed fx<8,F> x 8-bit weights
    [InlineData(9, 8, 17)]    // the raw pixel, read as fx<9,0>
    [InlineData(8, 1, 9)]     // bipolar: -(-128) = 128 needs 9 bits
    [InlineData(40, 40, 64)]  // capped at 64
    public void Product_of_a_signed_input_is_input_plus_weight_bits(int inputBits, int weightBits, int expected) =>
        Assert.Equal(expected, DerivedWidths.ProductBits(new QActivation(inputBits, 0, FixedPointMath.MinOf(inputBits), FixedPointMath.MaxOf(inputBits)), weightBits));

    [Theory]
    [InlineData(4, 4, 9)]  // ufx<4,F> enters as a 5-bit signed operand
    [InlineData(4, 1, 5)]  // bipolar: -(2^4 - 1) needs 5 bits
    public void Product_of_an_unsigned_input_counts_its_zero_extension(int inputBits, int weightBits, int expected) =>
        Assert.Equal(expected, DerivedWidths.ProductBits(QActivation.UnsignedRelu(inputBits, 0), weightBits));

    [Fact]
    public void An_avgpool_accumulator_holds_the_sum_of_its_window()
    {
        var model = SyntheticQModel.Create(Presets.LeNet5Classic(), weightBits: 8, actBits: 8);
        int pool = model.Layers.ToList().FindIndex(l => l.Kind == QLayerKind.AvgPool);
        var layer = model.Layers[pool];
        var narrow = layer with { Accumulator = layer.Accumulator! with { Bits = 2 } };
        // 2x2 window: 4 inputs of 8 bits sum to at most 10 bits.
        Assert.Equal(8 + 2, DerivedWidths.AccumulatorBits(narrow, model.InputOf(pool)));
        Assert.Equal(layer.Accumulator!.Bits, DerivedWidths.AccumulatorBits(layer, model.InputOf(pool)));
    }

    [Fact]
    public void A_conv_accumulator_is_the_qmodels()
    {
        var model = SyntheticQModel.Create(Presets.LeNet5(), weightBits: 8, actBits: 8);
        Assert.Equal(model.Layers[0].Accumulator!.Bits, DerivedWidths.AccumulatorBits(model.Layers[0], model.InputOf(0)));
    }
}
