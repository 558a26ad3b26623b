namespace LeNetHls.Quantizer.Tests;

/// <summary>The optimized GoldenModel equals the plain transcription of docs/fixed-point.md in every layer's integers.</summary>
public class GoldenModelBitExactTests
{
    public static TheoryData<string, int, int, RoundingMode, OverflowMode> Configurations => new()
    {
        { "lenet5", 8, 8, RoundingMode.Rnd, OverflowMode.Sat },
        { "lenet5", 16, 16, RoundingMode.Rnd, OverflowMode.Sat },
        { "lenet5", 4, 6, RoundingMode.Trn, OverflowMode.Wrap },
        { "lenet5", 6, 8, RoundingMode.Trn, OverflowMode.Sat },
        { "lenet5", 5, 3, RoundingMode.Rnd, OverflowMode.Sat },
        { "lenet5", 12, 10, RoundingMode.RndConv, OverflowMode.Sat },
        { "lenet5", 20, 16, RoundingMode.Rnd, OverflowMode.Sat },
        { "lenet5-classic", 8, 8, RoundingMode.Rnd, OverflowMode.Sat },
        { "lenet5-classic", 16, 16, RoundingMode.RndConv, OverflowMode.Wrap },
        { "lenet5-classic", 3, 5, RoundingMode.Trn, OverflowMode.Sat },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Every_layer_output_and_saturation_count_equals_the_straightforward_model(
        string preset, int weightBits, int actBits, RoundingMode rounding, OverflowMode overflow)
    {
        var q = SyntheticQModel.Create(Presets.Get(preset), weightBits, actBits, seed: weightBits * 31 + actBits, rounding, overflow);
        AssertSameAsPlain(q, imageSeed: actBits);
    }

    [Theory]
    [InlineData(8, 8, RoundingMode.Rnd)]
    [InlineData(1, 2, RoundingMode.Rnd)]
    [InlineData(2, 3, RoundingMode.RndConv)]
    [InlineData(16, 15, RoundingMode.Trn)]
    public void Unsigned_relu_activations_equal_the_plain_model(int weightBits, int actBits, RoundingMode rounding)
    {
        var q = SyntheticQModel.Create(Presets.LeNet5(), weightBits, actBits, seed: 3 + actBits, rounding, unsignedRelu: true);
        Assert.Contains(q.Layers, l => l.Output.Unsigned);
        AssertSameAsPlain(q, imageSeed: actBits);
    }

    [Fact]
    public void The_configurations_exercise_32_bit_64_bit_vector_and_64_bit_scalar_accumulators()
    {
        (bool Int32, bool Products) Paths(int weightBits, int actBits, int layer)
        {
            var q = SyntheticQModel.Create(Presets.LeNet5(), weightBits, actBits);
            return (GoldenModel.FitsInt32(q.Layers[layer], q.InputOf(layer)), GoldenModel.ProductsFitInt32(q.Layers[layer], q.InputOf(layer)));
        }
        Assert.True(Paths(8, 8, 0).Int32);
        Assert.Equal((false, true), Paths(16, 16, 2));
        Assert.Equal((false, false), Paths(20, 16, 2));
    }

    [Fact]
    public void An_image_without_zero_pixels_matches_too()
    {
        var q = SyntheticQModel.Create(Presets.LeNet5(), 8, 8, seed: 5);
        var image = Enumerable.Range(0, 784).Select(i => (byte)(1 + i * 37 % 255)).ToArray();
        Assert.Equal(new PlainIntegerModel(q).Trace(image)[^1], new GoldenModel(q).Trace(image)[^1]);
    }

    private static void AssertSameAsPlain(QModel q, int imageSeed)
    {
        var fast = new GoldenModel(q);
        var plain = new PlainIntegerModel(q);
        long[] fastSaturations = new long[q.Layers.Count], plainSaturations = new long[q.Layers.Count];
        foreach (var image in SyntheticQModel.Images(12, seed: imageSeed))
        {
            var expected = plain.Trace(image);
            var actual = fast.Trace(image);
            for (int layer = 0; layer < q.Layers.Count; layer++)
                Assert.True(expected[layer].SequenceEqual(actual[layer]), $"{q.Layers[layer].Name} differs");
            fast.Run(image, fastSaturations);
            plain.Run(image, plainSaturations);
        }
        Assert.Equal(plainSaturations, fastSaturations);
    }
}
