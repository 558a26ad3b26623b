namespace LeNetHls.Quantizer.Tests;

/// <summary>The formats the quantizer picks follow docs/fixed-point.md §8, worked out by hand on tiny models.</summary>
public class ModelQuantizerTests
{
    /// <summary>The rules whose results are easiest to work out by hand: maximum magnitudes, nothing saturates.</summary>
    public static readonly QuantizeOptions ByMaximum = new() { WeightMethod = WeightMethod.MaxAbs, Calibration = CalibrationMethod.Max };

    private static QModel QuantizeRelu(QuantizeOptions? options = null, bool withBiases = true)
    {
        var model = TinyFloatModels.ReluModel(withBiases);
        var statistics = ActivationStatistics.Collect(model, TinyFloatModels.Images(), 4);
        return ModelQuantizer.Quantize(model, statistics, options ?? ByMaximum, "tiny-w8a8", "tiny.modelstruct");
    }

    private static QModel QuantizeTanh(QuantizeOptions? options = null)
    {
        var model = TinyFloatModels.TanhModel();
        return ModelQuantizer.Quantize(model, ActivationStatistics.Collect(model, TinyFloatModels.Images(), 4), options ?? ByMaximum, "tiny-tanh", "tiny.modelstruct");
    }

    [Fact]
    public void Activations_are_fused_and_flatten_disappears()
    {
        var q = QuantizeRelu();
        Assert.Equal(new[] { "conv1", "pool1", "fc1" }, q.Layers.Select(l => l.Name));
        Assert.Equal(Activation.ReLU, q.Layers[0].Activation);
        Assert.Equal(Activation.None, q.Layers[2].Activation);
    }

    [Fact]
    public void The_input_is_the_raw_pixel()
    {
        Assert.Equal(new QActivation(9, 0, 0, 255), QuantizeRelu().Input);
    }

    [Fact]
    public void The_first_layer_folds_the_1_over_255_pixel_scale_into_its_weights()
    {
        // w/255 = 0.00392: 2^14 is the largest scale that keeps round(w·2^F) ≤ 127 (it gives 64).
        var w = QuantizeRelu().Layers[0].Weights!;
        Assert.Equal(new QFormat(8, 14), w.Format);
        Assert.Equal(new[] { 64 }, w.Data);
    }

    [Fact]
    public void Weights_take_the_largest_F_at_which_nothing_saturates()
    {
        // max |w| = 0.75: 0.75 · 2^7 = 96 fits 8 bits, 0.75 · 2^8 = 192 does not.
        var w = QuantizeRelu().Layers[2].Weights!;
        Assert.Equal(new QFormat(8, 7), w.Format);
        Assert.Equal(new[] { 96, -32 }, w.Data);
    }

    [Fact]
    public void Biases_sit_at_the_accumulator_frac_in_the_smallest_width_that_holds_them()
    {
        var q = QuantizeRelu();
        Assert.Equal(new[] { 8192 }, q.Layers[0].Bias!.Data);   // 0.5 · 2^14
        Assert.Equal(new QFormat(15, 14), q.Layers[0].Bias!.Format);
        Assert.Equal(new[] { 819, -1638 }, q.Layers[2].Bias!.Data);                    // 0.1 and −0.2 at F = 7 + 6
        Assert.Equal(new QFormat(12, 13), q.Layers[2].Bias!.Format);
    }

    [Fact]
    public void Activation_formats_come_from_the_calibrated_maximum()
    {
        var q = QuantizeRelu();
        // conv1 peaks at 1.5 (1.5 · 2^6 = 96 ≤ 127); fc1 at 0.75 · 1.5 + 0.1 = 1.225 (78 at F = 6).
        Assert.Equal(new QActivation(8, 6, 0, 127), q.Layers[0].Output);
        Assert.Equal(q.Layers[0].Output, q.Layers[1].Output);
        Assert.Equal(new QActivation(8, 6, -128, 127), q.Layers[2].Output);
    }

    [Fact]
    public void Unsigned_relu_outputs_use_the_sign_bit_for_one_more_bit_of_resolution()
    {
        var q = QuantizeRelu(ByMaximum with { UnsignedRelu = true });
        // conv1 peaks at 1.5: 1.5 · 2^7 = 192 fits 0..255 (signed 8 bits stop at F = 6).
        Assert.Equal(QActivation.UnsignedRelu(8, 7), q.Layers[0].Output);
        Assert.Equal(q.Layers[0].Output, q.Layers[1].Output);
        Assert.False(q.Layers[2].Output.Unsigned); // the scores have no relu
    }

    [Fact]
    public void Unsigned_relu_with_wrap_is_rejected_naming_the_option()
    {
        var e = Assert.Throws<LeNetHlsException>(() => QuantizeRelu(ByMaximum with { UnsignedRelu = true, Overflow = OverflowMode.Wrap }));
        Assert.Contains("--unsigned-relu needs --overflow sat", e.Message);
    }

    [Fact]
    public void Percentile_calibration_ignores_the_rare_large_values()
    {
        // Half of conv1's 16 calibration outputs are 0.5 (zero pixels): their median gives F = 7.
        var q = QuantizeRelu(ByMaximum with { Calibration = CalibrationMethod.Percentile, Percentile = 50 });
        Assert.Equal(7, q.Layers[0].Output.Frac);
    }

    [Fact]
    public void Mse_calibration_never_picks_a_coarser_F_than_the_maximum()
    {
        var byMax = QuantizeRelu();
        var byMse = QuantizeRelu(ByMaximum with { Calibration = CalibrationMethod.Mse });
        Assert.All(byMax.Layers.Zip(byMse.Layers), pair =>
            Assert.InRange(pair.Second.Output.Frac, pair.First.Output.Frac, pair.First.Output.Frac + FormatChoice.MseExtraFracBits));
    }

    [Fact]
    public void Mse_weights_choose_among_the_no_saturation_F_and_four_finer_ones()
    {
        var q = QuantizeRelu(ByMaximum with { WeightMethod = WeightMethod.Mse });
        // fc1's weights 0.75 and −0.25 are exact at F = 7: no finer F lowers the (zero) error.
        Assert.Equal(7, q.Layers[2].Weights!.Frac);
    }

    [Fact]
    public void Accumulator_widths_are_derived_from_the_integer_weights_and_the_input_range()
    {
        var q = QuantizeRelu();
        Assert.Equal(new QFormat(16, 14), q.Layers[0].Accumulator);     // 64 · 255 + 8192 = 24512
        Assert.Equal(new QFormat(15, 13), q.Layers[2].Accumulator);     // 96 · 127 + 819 = 13011
    }

    [Fact]
    public void Rounding_and_overflow_modes_are_recorded()
    {
        var q = QuantizeRelu(ByMaximum with { Rounding = RoundingMode.RndConv, Overflow = OverflowMode.Wrap });
        Assert.Equal(RoundingMode.RndConv, q.Rounding);
        Assert.Equal(OverflowMode.Wrap, q.Overflow);
    }

    [Fact]
    public void Weight_and_activation_widths_are_independent()
    {
        var q = QuantizeRelu(ByMaximum with { WeightBits = 4, ActivationBits = 12 });
        Assert.All(q.Layers.Where(l => l.HasWeights), l => Assert.Equal(4, l.Weights!.Bits));
        Assert.All(q.Layers, l => Assert.Equal(12, l.Output.Bits));
    }

    [Fact]
    public void Tanh_layers_get_a_table_over_the_calibrated_input_range()
    {
        var q = QuantizeTanh();
        var c1 = q.Layers[0];
        // Pre-activations 2·p/255 − 1 lie in [−1, 1]: 8 index bits at F = 7 cover them at the output's step.
        Assert.Equal(8, c1.Tanh!.IndexBits);
        Assert.Equal(7, c1.Tanh.IndexFrac);
        Assert.Equal(TanhTable.Build(8, 7, new QFormat(8, 7)).Table, c1.Tanh.Table);
        Assert.Equal(new QActivation(8, 7, c1.Tanh.Table.Min(), c1.Tanh.Table.Max()), c1.Output);
        Assert.Equal(6, c1.Shift);   // accumulator F = 13 (weights 2/255 at F = 13), index F = 7
    }

    [Fact]
    public void AvgPool_keeps_its_input_format_and_sums_at_F_plus_log2_of_the_window()
    {
        var q = QuantizeTanh();
        var s2 = q.Layers[1];
        Assert.Equal(q.Layers[0].Output, s2.Output);
        Assert.Equal(new QFormat(10, 9), s2.Accumulator);
    }

    [Fact]
    public void An_explicit_tanh_index_width_is_used()
    {
        var q = QuantizeTanh(ByMaximum with { TanhIndexBits = 5 });
        Assert.Equal(5, q.Layers[0].Tanh!.IndexBits);
        Assert.Equal(4, q.Layers[0].Tanh!.IndexFrac);
    }

    [Theory]
    [InlineData(0, 8, "outside 1..32")]
    [InlineData(8, 1, "outside 2..32")]
    [InlineData(8, 33, "outside 2..32")]
    public void Weights_narrower_than_1_bit_and_activations_narrower_than_2_are_rejected(int weightBits, int actBits, string problem)
    {
        var e = Assert.Throws<LeNetHlsException>(() => QuantizeRelu(ByMaximum with { WeightBits = weightBits, ActivationBits = actBits }));
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void One_bit_weights_are_bipolar_signs()
    {
        var q = QuantizeRelu(ByMaximum with { WeightBits = 1 });
        foreach (var l in q.Layers.Where(l => l.HasWeights))
        {
            Assert.Equal(1, l.Weights!.Bits);
            Assert.All(l.Weights.Data, v => Assert.True(v is 1 or -1));
        }
        QModelFile.Validate(q, "bipolar.qmodel.json");
    }

    [Fact]
    public void One_bit_weights_on_a_layer_with_a_connection_table_are_rejected_with_the_layer_named()
    {
        var model = FloatModel.CreateRandom(Presets.Get("lenet5-classic"), seed: 3);
        var blank = TinyFloatModels.Set([new byte[28 * 28], Enumerable.Repeat((byte)200, 28 * 28).ToArray()]);
        var statistics = ActivationStatistics.Collect(model, blank, 2);
        var e = Assert.Throws<LeNetHlsException>(() => ModelQuantizer.Quantize(model, statistics, new QuantizeOptions { WeightBits = 1 }, "c", "classic.modelstruct"));
        Assert.StartsWith("classic.modelstruct: layer 'c3'", e.Message);
        Assert.Contains("bipolar", e.Message);
    }

    [Fact]
    public void Accumulators_wider_than_48_bits_are_rejected_with_the_layer_named()
    {
        // Without biases conv1 fits (a 32-bit weight times a pixel); fc1 multiplies two 32-bit values.
        var e = Assert.Throws<LeNetHlsException>(() => QuantizeRelu(ByMaximum with { WeightBits = 32, ActivationBits = 32 }, withBiases: false));
        Assert.StartsWith("tiny.modelstruct: layer 'fc1'", e.Message);
        Assert.Contains("at most 48", e.Message);
    }

    [Fact]
    public void A_bias_wider_than_32_bits_at_the_accumulator_frac_is_an_error_not_a_saturation()
    {
        // conv1 at 32 bits: w = 1/255 takes F_w = 38 (255 · 2^31 > 2^38), so its bias 0.5 would be 2^37.
        var e = Assert.Throws<LeNetHlsException>(() => QuantizeRelu(ByMaximum with { WeightBits = 32, ActivationBits = 32 }));
        Assert.StartsWith("tiny.modelstruct: layer 'conv1': a bias needs 39 bits", e.Message);
        Assert.Contains("at most 32", e.Message);
    }

    [Fact]
    public void The_qmodel_round_trips_through_QModelFile()
    {
        var q = QuantizeRelu();
        string dir = LeNetHls.TestSupport.RepoPaths.NewTempDir("quant");
        string path = Path.Combine(dir, "tiny.qmodel.json");
        QModelFile.Save(q, path);
        var loaded = QModelFile.Load(path);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(q, QModelFile.Json), System.Text.Json.JsonSerializer.Serialize(loaded, QModelFile.Json));
        byte[] pixels = [200, 10, 0, 90];
        Assert.Equal(new GoldenModel(q).Run(pixels).ToArray(), new GoldenModel(loaded).Run(pixels).ToArray());
        Directory.Delete(dir, true);
    }
}
