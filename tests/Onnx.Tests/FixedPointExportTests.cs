namespace LeNetHls.Onnx.Tests;

/// <summary>Each rule of docs/fixed-point.md, as the exported ONNX graph computes it in ONNX Runtime, equals the golden model.</summary>
public class FixedPointRuleTests
{
    // acc = p0 − p1 + 3 spans −4..258; s = 2 puts exact halves at acc ≡ 2 (mod 4), on both signs.
    private static QModel Difference(RoundingMode rounding, OverflowMode overflow, Activation activation, int outBits = 6) =>
        QModels.Dense([1, -1], [3], weightFrac: 2, new QActivation(outBits, 0, activation == Activation.ReLU ? 0 : FixedPointMath.MinOf(outBits), FixedPointMath.MaxOf(outBits)),
                      rounding, overflow, activation);

    [Theory]
    [InlineData(RoundingMode.Rnd, OverflowMode.Sat, Activation.None)]
    [InlineData(RoundingMode.Trn, OverflowMode.Sat, Activation.None)]
    [InlineData(RoundingMode.RndConv, OverflowMode.Sat, Activation.None)]
    [InlineData(RoundingMode.Rnd, OverflowMode.Wrap, Activation.None)]
    [InlineData(RoundingMode.Trn, OverflowMode.Wrap, Activation.None)]
    [InlineData(RoundingMode.RndConv, OverflowMode.Wrap, Activation.None)]
    [InlineData(RoundingMode.Rnd, OverflowMode.Sat, Activation.ReLU)]
    [InlineData(RoundingMode.RndConv, OverflowMode.Wrap, Activation.ReLU)]
    public void Rounding_overflow_and_relu_of_a_right_shift_match_the_golden_model_on_every_residue(RoundingMode rounding, OverflowMode overflow, Activation activation) =>
        QModels.AssertOrtEqualsGolden(Difference(rounding, overflow, activation), QModels.PixelPairs());

    [Fact]
    public void Round_half_to_even_differs_from_half_up_on_the_exported_graph_too()
    {
        // p0 = 3, p1 = 0: acc = 6 = 1.5 · 4, which rnd takes to 2 and rnd_conv to 2; p0 = 1: acc = 4 + 0 → 1; p0 = 7: 2.5 → 3 vs 2.
        using var up = new Ort(FixedPointOnnxExporter.Export(Difference(RoundingMode.Rnd, OverflowMode.Sat, Activation.None)));
        using var even = new Ort(FixedPointOnnxExporter.Export(Difference(RoundingMode.RndConv, OverflowMode.Sat, Activation.None)));
        byte[][] image = [[7, 0]];
        Assert.Equal(3, up.Scores(image, [2, 1, 1])[0][0]);
        Assert.Equal(2, even.Scores(image, [2, 1, 1])[0][0]);
    }

    [Fact]
    public void An_unsigned_relu_output_uses_its_extra_bit()
    {
        var model = QModels.Dense([1, -1], [3], weightFrac: 1, QActivation.UnsignedRelu(6, 0), RoundingMode.Rnd, OverflowMode.Sat, Activation.ReLU);
        QModels.AssertOrtEqualsGolden(model, QModels.PixelPairs());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void No_shift_and_a_left_shift_are_exact_and_saturate(int shift)
    {
        var model = QModels.Dense([1, -1], [-100], weightFrac: 0, new QActivation(10, -shift, -512, 511), RoundingMode.Rnd, OverflowMode.Sat);
        QModels.AssertOrtEqualsGolden(model, QModels.PixelPairs());
    }

    [Fact]
    public void Tanh_indexes_its_table_with_a_saturating_index_even_under_wrap()
    {
        var table = Enumerable.Range(0, 16).Select(k => (int)FixedPointMath.QuantizeReal(Math.Tanh((k - 8) / 4.0), 8, 7)).ToArray();
        var model = QModels.Dense([1, -1], [3], weightFrac: 3, new QActivation(8, 7, table.Min(), table.Max()), RoundingMode.Rnd, OverflowMode.Wrap,
                                  Activation.Tanh, new QTanhTable(4, 2, table));
        Assert.Equal(1, model.Layers[0].Shift);
        QModels.AssertOrtEqualsGolden(model, QModels.PixelPairs());
    }

    [Fact]
    public void Bipolar_weights_are_plus_and_minus_one()
    {
        var model = QModels.Dense([1, -1, -1, -1], [0, 5], weightFrac: 1, new QActivation(8, 0, -128, 127), RoundingMode.Rnd, OverflowMode.Sat,
                                  weightBits: FixedPointMath.BipolarBits);
        QModels.AssertOrtEqualsGolden(model, QModels.PixelPairs());
    }

    private static readonly ModelSpec PadStrideMaxPool = new()
    {
        Name = "small", Input = new Shape3(6, 6, 2),
        Layers =
        [
            new() { Kind = LayerKind.Conv2D, Name = "conv1", Out = 3, Kernel = 3, Pad = 1 },
            new() { Kind = LayerKind.ReLU, Name = "relu1" },
            new() { Kind = LayerKind.MaxPool, Name = "pool1", Kernel = 2, Stride = 2 },
            new() { Kind = LayerKind.Conv2D, Name = "conv2", Out = 4, Kernel = 2 },
            new() { Kind = LayerKind.ReLU, Name = "relu2" },
            new() { Kind = LayerKind.Flatten, Name = "flatten" },
            new() { Kind = LayerKind.Dense, Name = "fc1", Out = 5 },
        ],
    };

    private static readonly ModelSpec StrideTanhAvgPool = new()
    {
        Name = "small-tanh", Input = new Shape3(8, 8, 1),
        Layers =
        [
            new() { Kind = LayerKind.Conv2D, Name = "conv1", Out = 4, Kernel = 3, Stride = 2, Pad = 1 },
            new() { Kind = LayerKind.Tanh, Name = "tanh1" },
            new() { Kind = LayerKind.AvgPool, Name = "pool1", Kernel = 2, Stride = 2 },
            new() { Kind = LayerKind.Flatten, Name = "flatten" },
            new() { Kind = LayerKind.Dense, Name = "fc1", Out = 3 },
        ],
    };

    [Theory]
    [InlineData(RoundingMode.Rnd, OverflowMode.Sat)]
    [InlineData(RoundingMode.Trn, OverflowMode.Wrap)]
    [InlineData(RoundingMode.RndConv, OverflowMode.Sat)]
    public void Conv_padding_several_channels_maxpool_and_the_chw_flatten_order_match(RoundingMode rounding, OverflowMode overflow)
    {
        var model = SyntheticQModel.Create(PadStrideMaxPool, 6, 6, seed: 4, rounding, overflow);
        QModels.AssertOrtEqualsGolden(model, SyntheticQModel.Images(300, seed: 2, size: 72));
    }

    [Theory]
    [InlineData(RoundingMode.Rnd, OverflowMode.Sat)]
    [InlineData(RoundingMode.RndConv, OverflowMode.Wrap)]
    [InlineData(RoundingMode.Trn, OverflowMode.Sat)]
    public void Conv_stride_tanh_table_and_average_pooling_match(RoundingMode rounding, OverflowMode overflow)
    {
        var model = SyntheticQModel.Create(StrideTanhAvgPool, 6, 6, seed: 8, rounding, overflow);
        // An average pool whose output is coarser than its input exercises §6's requantization, not only the mean.
        model = model with { Layers = [.. model.Layers.Select(l => l.Kind == QLayerKind.AvgPool ? l with { Output = l.Output with { Frac = l.Output.Frac - 1 } } : l)] };
        QModels.AssertOrtEqualsGolden(model, SyntheticQModel.Images(300, seed: 3, size: 64));
    }
}

public class FixedPointPresetTests
{
    [Theory]
    [InlineData("lenet5", 8, 8, RoundingMode.Rnd, OverflowMode.Sat, false)]
    [InlineData("lenet5-classic", 8, 8, RoundingMode.Rnd, OverflowMode.Sat, false)]
    [InlineData("lenet5-classic", 6, 8, RoundingMode.RndConv, OverflowMode.Wrap, false)]
    [InlineData("lenet5", 4, 4, RoundingMode.Trn, OverflowMode.Sat, false)]
    [InlineData("lenet5", 1, 4, RoundingMode.Rnd, OverflowMode.Sat, true)]
    public void A_synthetic_preset_qmodel_scores_like_the_golden_model_in_onnx_runtime(string preset, int weightBits, int actBits,
                                                                                     RoundingMode rounding, OverflowMode overflow, bool unsignedRelu)
    {
        var model = SyntheticQModel.Create(Presets.Get(preset), weightBits, actBits, seed: 2, rounding, overflow, unsignedRelu);
        QModels.AssertOrtEqualsGolden(model, SyntheticQModel.Images(200, seed: 5));
    }

    [Fact]
    public void A_model_whose_accumulators_reach_2_to_the_24_is_refused_naming_the_layer_and_the_width()
    {
        var model = SyntheticQModel.Create(Presets.LeNet5(), 16, 16, seed: 1);
        var e = Assert.Throws<LeNetHlsException>(() => FixedPointOnnxExporter.Export(model));
        Assert.Matches(@"^layer conv1: the fixed-point ONNX graph needs \d\d-bit integers .*2\^24", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_input_is_the_raw_uint8_pixel_and_the_output_int32_scores()
    {
        var proto = FixedPointOnnxExporter.Export(SyntheticQModel.Create(Presets.LeNet5(), seed: 1));
        Assert.Equal((int)Proto.TensorProto.Types.DataType.Uint8, proto.Graph.Input.Single().Type.TensorType.ElemType);
        Assert.Equal((int)Proto.TensorProto.Types.DataType.Int32, proto.Graph.Output.Single().Type.TensorType.ElemType);
        Assert.DoesNotContain(proto.Graph.Initializer, t => t.DataType != (int)Proto.TensorProto.Types.DataType.Float);
    }
}
