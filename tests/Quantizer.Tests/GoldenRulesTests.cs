using static LeNetHls.Quantizer.Tests.TinyQModels;

namespace LeNetHls.Quantizer.Tests;

/// <summary>The golden model applies each rule of docs/fixed-point.md, checked on tiny hand-built qmodels.</summary>
public class GoldenRulesTests
{
    private static int[] Run(QModel q, byte[] pixels, long[]? saturations = null) => new GoldenModel(q).Run(pixels, saturations).ToArray();

    private static readonly QActivation Wide = new(12, 0, FixedPointMath.MinOf(12), FixedPointMath.MaxOf(12));

    [Theory]
    [InlineData(RoundingMode.Rnd, new[] { 3, 4, 2, -2, -3 })]
    [InlineData(RoundingMode.Trn, new[] { 2, 3, 1, -3, -4 })]
    [InlineData(RoundingMode.RndConv, new[] { 2, 4, 2, -2, -4 })]
    public void Requantization_of_halves_follows_the_rounding_mode(RoundingMode mode, int[] expected)
    {
        // weight frac 1: acc = pixel in fx<·,1>, output frac 0, so s = 1 and the outputs are pixel / 2.
        var positive = PointwiseModel(3, 1, 0, Wide, weightFrac: 1, rounding: mode);
        var negative = PointwiseModel(2, -1, 0, Wide, weightFrac: 1, rounding: mode);
        var results = Run(positive, [5, 7, 3]).Concat(Run(negative, [5, 7])).ToArray();
        Assert.Equal(expected, results);
    }

    [Fact]
    public void A_negative_shift_multiplies_the_accumulator()
    {
        var q = PointwiseModel(2, 1, 0, Wide with { Frac = 2 });
        Assert.Equal(-2, q.Layers[0].Shift);
        Assert.Equal(new[] { 12, 1020 }, Run(q, [3, 255]));
    }

    [Fact]
    public void Sat_clamps_at_min_and_max_and_counts_each_clipped_value()
    {
        var format = new QActivation(8, 0, -128, 127);
        var low = PointwiseModel(2, 1, -129, format);    // acc = pixel − 129: min − 1, min
        var high = PointwiseModel(2, 1, -127, format);   // acc = pixel − 127: max, max + 1
        var saturations = new long[1];
        Assert.Equal(new[] { -128, -128 }, Run(low, [0, 1], saturations));
        Assert.Equal(new[] { 127, 127 }, Run(high, [254, 255], saturations));
        Assert.Equal(2, saturations[0]);
    }

    [Fact]
    public void Wrap_keeps_the_low_bits()
    {
        var q = PointwiseModel(3, 1, 0, new QActivation(8, 0, -128, 127), overflow: OverflowMode.Wrap);
        Assert.Equal(new[] { 127, -128, -56 }, Run(q, [127, 128, 200]));
    }

    [Theory]
    [InlineData(OverflowMode.Sat, new[] { 0, 100, 127, 127 })]
    [InlineData(OverflowMode.Wrap, new[] { 0, 100, 0, 0 })]
    public void ReLU_applies_after_rounding_and_overflow(OverflowMode overflow, int[] expected)
    {
        // Pixels 128 and 200 overflow 8 bits; wrapped they are negative, so ReLU zeroes them.
        var q = PointwiseModel(4, 1, 0, new QActivation(8, 0, 0, 127), activation: Activation.ReLU, overflow: overflow);
        Assert.Equal(expected, Run(q, [0, 100, 128, 200]));
    }

    [Fact]
    public void The_accumulator_reaches_the_derived_bound_with_every_weight_and_input_at_the_positive_extreme()
    {
        var shape = new Shape3(28, 28, 1);
        var layer = Dense(shape, Pixel, 1, weight: 127, weightBits: 8, bias: 1000, output: new QActivation(26, 0, FixedPointMath.MinOf(26), FixedPointMath.MaxOf(26)));
        long bound = 784L * 127 * 255 + 1000;
        Assert.Equal(bound, QModelFile.AccumulatorBound(layer, Pixel));
        Assert.Equal(26, layer.Accumulator!.Bits);
        Assert.True(bound > FixedPointMath.MaxOf(25), "the derived width is the smallest that holds the bound");
        var q = Model(shape, [layer]);
        // s = 0 and the output is as wide as the accumulator, so the score is the accumulator itself.
        Assert.Equal(bound, Run(q, Enumerable.Repeat((byte)255, 784).ToArray())[0]);
    }

    [Fact]
    public void The_accumulator_reaches_minus_the_bound_with_weights_at_the_negative_extreme()
    {
        var shape = new Shape3(28, 28, 1);
        var layer = Dense(shape, Pixel, 3, weight: -128, weightBits: 8, bias: -1000, output: new QActivation(26, 0, FixedPointMath.MinOf(26), FixedPointMath.MaxOf(26)));
        long bound = 784L * 128 * 255 + 1000;
        Assert.Equal(bound, QModelFile.AccumulatorBound(layer, Pixel));
        Assert.Equal(26, layer.Accumulator!.Bits);
        var scores = Run(Model(shape, [layer]), Enumerable.Repeat((byte)255, 784).ToArray());
        Assert.All(scores, s => Assert.Equal(-bound, s));
    }

    [Fact]
    public void An_unsigned_2_bit_relu_output_clamps_to_0_through_3()
    {
        // q = clamp(pixel − 2, 0, 3): a signed 2-bit relu output could only hold 0 and 1.
        var q = PointwiseModel(5, 1, -2, QActivation.UnsignedRelu(2, 0), activation: Activation.ReLU);
        var saturations = new long[1];
        Assert.Equal([0, 0, 1, 3, 3], Run(q, [0, 2, 3, 5, 200], saturations));
        Assert.Equal(1, saturations[0]); // 198 > 3; the negative −2 is relu, not saturation (it fits fx<3,0>)
    }

    [Fact]
    public void An_unsigned_value_above_the_signed_range_stays_positive_through_maxpool_and_the_next_layer()
    {
        // 3 (binary 11) would be −1 if read as a signed 2-bit number.
        var shape = new Shape3(2, 2, 1);
        var act = QActivation.UnsignedRelu(2, 0);
        var first = Pointwise(shape, Pixel, 1, 0, act, activation: Activation.ReLU, name: "relu");
        var pool = new QLayer { Name = "pool", Kind = QLayerKind.MaxPool, InShape = shape, OutShape = new Shape3(1, 1, 1), Kernel = 2, Stride = 2, Output = act };
        var scores = new QActivation(8, 0, -128, 127);
        var dense = Dense(new Shape3(1, 1, 1), act, 1, weight: -5, weightBits: 8, bias: 0, output: scores);
        Assert.Equal(15, QModelFile.AccumulatorBound(dense, act));
        Assert.Equal([-15], Run(Model(shape, [first, pool, dense]), [3, 1, 0, 2]));
    }

    [Fact]
    public void Unsigned_outputs_are_rejected_after_tanh_without_relu_or_with_wrap()
    {
        var act = QActivation.UnsignedRelu(4, 0);
        var e = Assert.Throws<LeNetHlsException>(() => PointwiseModel(4, 1, 0, act, activation: Activation.None));
        Assert.Contains("unsigned output must be a relu output", e.Message);
        e = Assert.Throws<LeNetHlsException>(() => PointwiseModel(4, 1, 0, act, activation: Activation.ReLU, overflow: OverflowMode.Wrap));
        Assert.Contains("sat overflow", e.Message);
    }

    [Fact]
    public void An_unsigned_output_wider_than_31_bits_is_rejected()
    {
        var e = Assert.Throws<LeNetHlsException>(() => PointwiseModel(4, 1, 0, QActivation.UnsignedRelu(32, 0), activation: Activation.ReLU));
        Assert.Contains("at most 31 bits", e.Message);
    }

    [Fact]
    public void A_bipolar_weight_adds_or_subtracts_the_input()
    {
        // Four pixels, two outputs: weights +1 and −1 for every pixel, bias 3.
        var shape = new Shape3(1, 4, 1);
        var scoresFormat = new QActivation(16, 0, FixedPointMath.MinOf(16), FixedPointMath.MaxOf(16));
        var layer = Dense(shape, Pixel, 2, weight: 1, weightBits: FixedPointMath.BipolarBits, bias: 3, output: scoresFormat);
        layer = WithDerivedAccumulator(layer with { Weights = layer.Weights! with { Data = [1, -1, 1, -1, 1, -1, 1, -1] } }, Pixel);
        Assert.Equal(255L * 4 + 3, QModelFile.AccumulatorBound(layer, Pixel));
        Assert.Equal([10 + 20 + 30 + 255 + 3, -(10 + 20 + 30 + 255) + 3], Run(Model(shape, [layer]), [10, 20, 30, 255]));
    }

    [Fact]
    public void A_bipolar_weight_of_0_is_rejected()
    {
        var shape = new Shape3(1, 4, 1);
        var layer = Dense(shape, Pixel, 1, weight: 1, weightBits: FixedPointMath.BipolarBits, bias: 0, output: new QActivation(16, 0, 0, 32767));
        layer = layer with { Weights = layer.Weights! with { Data = [1, 0, -1, 1] } };
        var e = Assert.Throws<LeNetHlsException>(() => Model(shape, [layer]));
        Assert.Contains("must be -1 or +1", e.Message);
    }

    [Fact]
    public void An_accumulator_wider_than_32_bits_is_exact()
    {
        // Layer 1 saturates every pixel to the 16-bit maximum; layer 2 multiplies each by the 16-bit minimum.
        var shape = new Shape3(28, 28, 1);
        var sixteen = new QActivation(16, 0, FixedPointMath.MinOf(16), FixedPointMath.MaxOf(16));
        var first = Pointwise(shape, Pixel, 129, 0, sixteen, weightBits: 16, name: "saturate");
        var second = Dense(shape, sixteen, 1, weight: -32768, weightBits: 16, bias: 0,
                           output: new QActivation(32, -10, int.MinValue, int.MaxValue));
        Assert.Equal(41, second.Accumulator!.Bits);
        Assert.False(GoldenModel.FitsInt32(second, sixteen));
        var q = Model(shape, [first, second]);
        // acc = 784 · 32767 · (−32768) = −(784 · 32767 · 32) · 2^10, shifted right by 10 exactly.
        Assert.Equal(-(784L * 32767 * 32), Run(q, Enumerable.Repeat((byte)255, 784).ToArray())[0]);
    }

    [Fact]
    public void Tanh_reads_the_table_at_the_requantized_index()
    {
        var table = TanhTable.Build(4, 0, new QFormat(8, 7));
        var q = PointwiseModel(3, 1, 0, new QActivation(8, 7, table.Table.Min(), table.Table.Max()), activation: Activation.Tanh, tanh: table);
        Assert.Equal(new[] { table.Table[8], table.Table[9], table.Table[15] }, Run(q, [0, 1, 7]));
    }

    [Theory]
    [InlineData(OverflowMode.Sat)]
    [InlineData(OverflowMode.Wrap)]
    public void The_tanh_index_saturates_to_the_table_ends_even_in_wrap_mode(OverflowMode overflow)
    {
        var table = TanhTable.Build(4, 0, new QFormat(8, 7));
        var output = new QActivation(8, 7, table.Table.Min(), table.Table.Max());
        var up = PointwiseModel(3, 1, 0, output, activation: Activation.Tanh, tanh: table, overflow: overflow);
        var down = PointwiseModel(2, -1, 0, output, activation: Activation.Tanh, tanh: table, overflow: overflow);
        var saturations = new long[1];
        Assert.Equal(new[] { table.Table[15], table.Table[15], table.Table[15] }, Run(up, [7, 8, 255], saturations));
        Assert.Equal(new[] { table.Table[0], table.Table[0] }, Run(down, [8, 9]));
        Assert.Equal(2, saturations[0]);
    }

    [Fact]
    public void MaxPool_is_the_exact_maximum_also_of_negative_values()
    {
        var shape = new Shape3(2, 2, 1);
        var negated = Pointwise(shape, Pixel, -1, 0, Wide);
        var pool = new QLayer { Name = "pool", Kind = QLayerKind.MaxPool, InShape = shape, OutShape = new Shape3(1, 1, 1), Kernel = 2, Stride = 2, Output = Wide };
        Assert.Equal(new[] { -3 }, Run(Model(shape, [negated, pool]), [10, 3, 250, 7]));
    }

    [Theory]
    [InlineData(RoundingMode.Rnd, new[] { 2, -1, 2, 3 })]
    [InlineData(RoundingMode.Trn, new[] { 1, -2, 1, 2 })]
    [InlineData(RoundingMode.RndConv, new[] { 2, -2, 2, 2 })]
    public void AvgPool_rounds_the_window_sum_with_the_rounding_mode(RoundingMode mode, int[] expected)
    {
        var shape = new Shape3(2, 2, 1);
        QModel Averaging(int sign)
        {
            var pointwise = Pointwise(shape, Pixel, sign, 0, Wide);
            var pool = new QLayer
            {
                Name = "avg", Kind = QLayerKind.AvgPool, InShape = shape, OutShape = new Shape3(1, 1, 1), Kernel = 2, Stride = 2,
                Accumulator = new QFormat(14, 2), Output = Wide,
            };
            return Model(shape, [pointwise, pool], mode);
        }
        // Window sums 7 (1.75), −6 (−1.5), 6 (1.5), 10 (2.5).
        var results = new[]
        {
            Run(Averaging(1), [1, 2, 2, 2])[0], Run(Averaging(-1), [1, 2, 2, 1])[0],
            Run(Averaging(1), [1, 1, 2, 2])[0], Run(Averaging(1), [2, 3, 2, 3])[0],
        };
        Assert.Equal(expected, results);
    }

    [Theory]
    [InlineData(new[] { 3, 7, 7, 1 }, 1)]
    [InlineData(new[] { 5, 5, 5 }, 0)]
    [InlineData(new[] { -4, -1, -1, -9 }, 1)]
    [InlineData(new[] { int.MinValue, int.MinValue }, 0)]
    public void Argmax_ties_go_to_the_lowest_index(int[] scores, int expected) =>
        Assert.Equal(expected, GoldenModel.Argmax(scores));
}
