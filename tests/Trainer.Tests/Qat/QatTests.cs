using LeNetHls.Trainer.Qat;

namespace LeNetHls.Trainer.Tests.Qat;

public class QatTests
{
    /// <summary>12×12 pixels → conv 3×3 (4, pad 1) → relu → max 2×2 → conv 3×3 (6) → relu → max 2×2 → fc 16 → relu → fc 10.</summary>
    private static FloatModel SmallModel(int seed = 3)
    {
        var spec = new ModelSpec
        {
            Name = "small", Input = new Shape3(12, 12, 1),
            Layers =
            [
                new() { Kind = LayerKind.Conv2D, Name = "conv1", Out = 4, Kernel = 3, Pad = 1 },
                new() { Kind = LayerKind.ReLU, Name = "relu1" },
                new() { Kind = LayerKind.MaxPool, Name = "pool1", Kernel = 2, Stride = 2 },
                new() { Kind = LayerKind.Conv2D, Name = "conv2", Out = 6, Kernel = 3 },
                new() { Kind = LayerKind.ReLU, Name = "relu2" },
                new() { Kind = LayerKind.MaxPool, Name = "pool2", Kernel = 2, Stride = 2 },
                new() { Kind = LayerKind.Flatten, Name = "flatten" },
                new() { Kind = LayerKind.Dense, Name = "fc1", Out = 16 },
                new() { Kind = LayerKind.ReLU, Name = "relu3" },
                new() { Kind = LayerKind.Dense, Name = "fc2", Out = 10 },
            ],
        };
        return SmallNets.RandomWithBiases(spec, seed);
    }

    /// <summary>The classic shape at 12×12: conv 3×3 (4, pad 1) → tanh → avg 2×2 → conv 3×3 (6, connection table) → tanh → avg 2×2 → fc 10.</summary>
    private static FloatModel SmallTanhModel(int seed = 5)
    {
        var spec = new ModelSpec
        {
            Name = "small-tanh", Input = new Shape3(12, 12, 1),
            Layers =
            [
                new() { Kind = LayerKind.Conv2D, Name = "c1", Out = 4, Kernel = 3, Pad = 1 },
                new() { Kind = LayerKind.Tanh, Name = "tanh1" },
                new() { Kind = LayerKind.AvgPool, Name = "s2", Kernel = 2, Stride = 2 },
                new()
                {
                    Kind = LayerKind.Conv2D, Name = "c3", Out = 6, Kernel = 3,
                    Connections = [[0, 1], [1, 2], [2, 3], [3, 0], [0, 2], [0, 1, 2, 3]],
                },
                new() { Kind = LayerKind.Tanh, Name = "tanh2" },
                new() { Kind = LayerKind.AvgPool, Name = "s4", Kernel = 2, Stride = 2 },
                new() { Kind = LayerKind.Dense, Name = "output", Out = 10 },
            ],
        };
        return FloatModel.CreateRandom(spec, seed);
    }

    private static MnistSet Images(int count, int seed = 7) => SyntheticData.Create(count, seed, size: 12);

    private static QatNetwork Calibrated(QatWidths? widths = null, RoundingMode rounding = RoundingMode.Rnd)
    {
        var model = SmallModel();
        var net = QatNetwork.FromFloatModel(model, widths ?? QatWidths.Uniform(model.Spec, 4, 4), rounding);
        QatTrainer.Calibrate(net, Images(64));
        return net;
    }

    [Theory]
    [InlineData(8, 8, RoundingMode.Rnd)]
    [InlineData(4, 4, RoundingMode.Rnd)]
    [InlineData(2, 2, RoundingMode.Rnd)]
    [InlineData(3, 5, RoundingMode.Trn)]
    [InlineData(5, 3, RoundingMode.RndConv)]
    [InlineData(1, 4, RoundingMode.Rnd)]
    [InlineData(1, 2, RoundingMode.RndConv)]
    [InlineData(2, 2, RoundingMode.Rnd, true)]
    [InlineData(4, 3, RoundingMode.Trn, true)]
    public void Fake_quant_forward_equals_the_integer_arithmetic_bit_for_bit(int weightBits, int actBits, RoundingMode rounding, bool unsignedRelu = false)
    {
        var model = SmallModel();
        AssertFakeQuantEqualsIntegers(model, QatWidths.Uniform(model.Spec, weightBits, actBits, unsignedRelu: unsignedRelu), rounding);
    }

    [Theory]
    [InlineData(8, 8, RoundingMode.Rnd)]
    [InlineData(4, 4, RoundingMode.Rnd)]
    [InlineData(3, 3, RoundingMode.Trn)]
    [InlineData(2, 2, RoundingMode.RndConv)]
    public void Fake_quant_forward_with_tanh_tables_and_avgpools_equals_the_integer_arithmetic_bit_for_bit(int weightBits, int actBits, RoundingMode rounding)
    {
        var model = SmallTanhModel();
        AssertFakeQuantEqualsIntegers(model, QatWidths.Uniform(model.Spec, weightBits, actBits), rounding);
    }

    private static void AssertFakeQuantEqualsIntegers(FloatModel model, QatWidths widths, RoundingMode rounding)
    {
        var net = QatNetwork.FromFloatModel(model, widths, rounding);
        QatTrainer.Calibrate(net, Images(64));
        var q = QatExport.ToQModel(net, model.Spec.Name);
        var images = Images(40, seed: 11);
        var scores = QatTrainer.Scores(net, images, threads: 2);
        for (int i = 0; i < images.Count; i++)
        {
            var expected = PlainIntegerModel.Scores(q, images.Image(i));
            for (int c = 0; c < 10; c++) Assert.Equal(expected[c], (long)scores[i * 10 + c]);
        }
    }

    [Fact]
    public void A_tanh_layer_is_exported_as_a_fused_table_with_a_W_minus_1_fraction_and_an_avgpool_keeps_its_input_format()
    {
        var model = SmallTanhModel();
        var net = QatNetwork.FromFloatModel(model, QatWidths.Uniform(model.Spec, 4, 4));
        QatTrainer.Calibrate(net, Images(64));
        var q = QatExport.ToQModel(net, "small-tanh");
        Assert.Equal(["c1", "s2", "c3", "s4", "output"], q.Layers.Select(l => l.Name));
        var c1 = q.Layers[0];
        Assert.Equal(Activation.Tanh, c1.Activation);
        Assert.Equal(3, c1.Output.Frac);
        Assert.Equal(TanhTable.Build(c1.Tanh!.IndexBits, c1.Tanh.IndexFrac, new QFormat(4, 3)).Table, c1.Tanh.Table);
        Assert.Equal((c1.Tanh.Table.Min(), c1.Tanh.Table.Max()), (c1.Output.Min, c1.Output.Max));
        var s2 = q.Layers[1];
        Assert.Equal(c1.Output, s2.Output);
        Assert.Equal(c1.Output.Frac + 2, s2.Accumulator!.Frac);
    }

    [Fact]
    public void Tanh_gradient_is_the_derivative_inside_the_index_range_and_zero_beyond_it()
    {
        // Index fx<3,1>: −4 … 3 steps of 0.5, so the covered inputs are [−2.25, 1.75).
        var table = TanhTable.Build(3, 1, new QFormat(4, 3));
        var layer = new RequantLayer(new Shape3(1, 1, 4), relu: false, RoundingMode.Rnd, tanh: true) { Bits = 4, Frac = 3, Table = table };
        float[] x = [-3f, -1f, 0.5f, 1.8f], y = new float[4], dy = [1f, 1f, 1f, 1f], dx = new float[4];
        RunLayer(layer, x, y, dy, dx);
        Assert.Equal([table.Table[0] / 8f, table.Table[2] / 8f, table.Table[5] / 8f, table.Table[7] / 8f], y);
        Assert.Equal([0f, (float)(1 - Math.Pow(Math.Tanh(-1), 2)), (float)(1 - Math.Pow(Math.Tanh(0.5), 2)), 0f], dx);
    }

    [Fact]
    public void Export_passes_qmodel_validation_and_survives_a_file_round_trip()
    {
        var q = QatExport.ToQModel(Calibrated(), "small");
        string path = Path.Combine(Path.GetTempPath(), $"qat-{Guid.NewGuid():N}.qmodel.json");
        try
        {
            QModelFile.Save(q, path);
            var loaded = QModelFile.Load(path);
            Assert.Equal(q.Layers.Select(l => l.Weights?.Data.Sum() ?? 0), loaded.Layers.Select(l => l.Weights?.Data.Sum() ?? 0));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Export_uses_the_requested_widths_with_relu_fused_and_scores_last()
    {
        var model = SmallModel();
        var widths = new QatWidths([2, 3, 4, 5], [5, 6, 7, 8]);
        var q = QatExport.ToQModel(Calibrated(widths), "small");
        var compute = q.Layers.Where(l => l.HasWeights).ToList();
        Assert.Equal([2, 3, 4, 5], compute.Select(l => l.Weights!.Bits));
        Assert.Equal([5, 6, 7, 8], compute.Select(l => l.Output.Bits));
        Assert.Equal([Activation.ReLU, Activation.ReLU, Activation.ReLU, Activation.None], compute.Select(l => l.Activation));
        Assert.Equal(["conv1", "pool1", "conv2", "pool2", "fc1", "fc2"], q.Layers.Select(l => l.Name));
    }

    [Fact]
    public void Exported_first_layer_reads_the_raw_pixel()
    {
        var q = QatExport.ToQModel(Calibrated(), "small");
        Assert.Equal(new QActivation(9, 0, 0, 255), q.Input);
        Assert.Equal(q.Layers[0].Weights!.Frac, q.Layers[0].Accumulator!.Frac);
    }

    [Fact]
    public void Straight_through_gradient_passes_inside_the_output_range_and_stops_where_it_saturates()
    {
        // fx<3,0> after relu holds 0..3: the bins are [−0.5, 3.5).
        var layer = new RequantLayer(new Shape3(1, 1, 5), relu: true, RoundingMode.Rnd) { Bits = 3, Frac = 0 };
        float[] x = [-2f, -0.4f, 1.2f, 3.4f, 3.6f], y = new float[5], dy = [1f, 1f, 1f, 1f, 1f], dx = new float[5];
        RunLayer(layer, x, y, dy, dx);
        Assert.Equal([0f, 0f, 1f, 3f, 3f], y);
        Assert.Equal([0f, 1f, 1f, 1f, 0f], dx);
    }

    private static unsafe void RunLayer(RequantLayer layer, float[] x, float[] y, float[] dy, float[] dx)
    {
        fixed (float* px = x, py = y, pdy = dy, pdx = dx)
        {
            layer.Forward(null, px, py, 1, default);
            layer.Backward(null, px, py, pdy, pdx, null, 1, default);
        }
    }

    [Fact]
    public void Latent_gradient_has_the_parameter_shape_folds_the_pixel_scale_and_zeroes_saturated_weights()
    {
        var net = Calibrated();
        var first = net.Compute[0];
        // Push one first-layer weight far outside the 4-bit range.
        net.Latent.Parameters[first.Layer.ParamOffset] = 1000f;
        var effective = Enumerable.Repeat(1f, net.Effective.Length).ToArray();
        var latent = new float[net.Latent.Parameters.Length];
        net.LatentGradient(effective, latent);
        Assert.Equal(0f, latent[first.Layer.ParamOffset]);
        Assert.Equal(FloatReference.PixelScale, latent[first.Layer.ParamOffset + 1], 6);
        var second = net.Compute[1];
        Assert.Equal(1f, latent[second.Layer.ParamOffset]);
    }

    [Fact]
    public void Reported_accuracy_is_the_plain_integer_arithmetics_accuracy_on_the_exported_qmodel()
    {
        var model = SmallModel();
        var train = Images(256, seed: 1);
        var evaluation = Images(100, seed: 2);
        var result = QatTrainer.FineTune(model, QatWidths.Uniform(model.Spec, 3, 3), new QatOptions { Epochs = 2, Threads = 2, CalibrationImages = 64 },
                                         train, evaluation, "small");
        int correct = PlainIntegerModel.Correct(result.Model, evaluation);
        Assert.Equal(correct, result.Correct);
        Assert.Equal(0, result.PredictionMismatches);
    }

    [Fact]
    public void Fine_tuning_improves_a_three_bit_model_on_learnable_data()
    {
        var model = SmallModel();
        var train = Images(512, seed: 1);
        var evaluation = Images(200, seed: 2);
        var options = new QatOptions { Threads = 2, BatchSize = 16, CalibrationImages = 64, LearningRate = 3e-3f, WarmupSteps = 10 };
        var untrained = QatTrainer.FineTune(model, QatWidths.Uniform(model.Spec, 3, 3), options with { Epochs = 0 }, train, evaluation, "small");
        var tuned = QatTrainer.FineTune(model, QatWidths.Uniform(model.Spec, 3, 3), options with { Epochs = 6 }, train, evaluation, "small");
        Assert.True(tuned.Correct > untrained.Correct + 30, $"{untrained.Correct} → {tuned.Correct}");
    }

    [Fact]
    public void Loss_driven_refinement_never_raises_the_calibration_loss()
    {
        var model = SmallModel();
        var net = QatNetwork.FromFloatModel(model, QatWidths.Uniform(model.Spec, 2, 2));
        var images = Images(64);
        QatTrainer.Calibrate(net, images);
        var engine = new QatEngine(net, 1, 256);
        double before = QatCalibration.Loss(net, engine, images);
        QatCalibration.RefineByLoss(net, engine, images);
        Assert.True(QatCalibration.Loss(net, engine, images) <= before);
    }

    [Theory]
    [InlineData(0, 4, "1..8")]
    [InlineData(9, 4, "1..8")]
    [InlineData(4, 1, "2..8")]
    [InlineData(4, 9, "2..8")]
    public void Weights_outside_1_to_8_bits_and_activations_outside_2_to_8_are_rejected(int weightBits, int actBits, string range)
    {
        var e = Assert.Throws<LeNetHlsException>(() => QatWidths.Uniform(SmallModel().Spec, weightBits, actBits));
        Assert.Contains(range, e.Message);
    }

    [Fact]
    public void One_bit_weights_are_exported_as_bipolar_signs()
    {
        var model = SmallModel();
        var q = QatExport.ToQModel(Calibrated(QatWidths.Uniform(model.Spec, 1, 4)), "small");
        foreach (var l in q.Layers.Where(l => l.HasWeights))
        {
            Assert.Equal(1, l.Weights!.Bits);
            Assert.All(l.Weights.Data, v => Assert.True(v is 1 or -1));
        }
    }

    [Fact]
    public void Unsigned_relu_activations_are_exported_with_the_range_0_to_2_pow_W_minus_1()
    {
        var model = SmallModel();
        var q = QatExport.ToQModel(Calibrated(QatWidths.Uniform(model.Spec, 4, 2, unsignedRelu: true)), "small");
        var compute = q.Layers.Where(l => l.HasWeights).ToList();
        Assert.All(compute.SkipLast(1), l => Assert.Equal(QActivation.UnsignedRelu(2, l.Output.Frac), l.Output));
        Assert.False(compute[^1].Output.Unsigned);
    }

    [Fact]
    public void An_unsigned_2_bit_requantization_holds_0_to_3_and_passes_the_gradient_below_3_5()
    {
        var layer = new RequantLayer(new Shape3(1, 1, 5), relu: true, RoundingMode.Rnd) { Bits = 2, Frac = 0, Unsigned = true };
        float[] x = [-2f, 1.2f, 2.6f, 3.4f, 3.6f], y = new float[5], dy = [1f, 1f, 1f, 1f, 1f], dx = new float[5];
        RunLayer(layer, x, y, dy, dx);
        Assert.Equal([0f, 1f, 3f, 3f, 3f], y);
        Assert.Equal([0f, 1f, 1f, 1f, 0f], dx);
    }

    [Fact]
    public void Bipolar_latent_gradient_passes_up_to_one_and_a_half_steps_and_stops_beyond()
    {
        var model = SmallModel();
        var net = Calibrated(QatWidths.Uniform(model.Spec, 1, 4));
        var second = net.Compute[1];
        double step = Math.ScaleB(1.0, -second.WeightFrac);
        int at = second.Layer.ParamOffset;
        net.Latent.Parameters[at] = (float)(1.4 * step);
        net.Latent.Parameters[at + 1] = (float)(-1.6 * step);
        var effective = Enumerable.Repeat(1f, net.Effective.Length).ToArray();
        var latent = new float[net.Latent.Parameters.Length];
        net.LatentGradient(effective, latent);
        Assert.Equal(1f, latent[at]);
        Assert.Equal(0f, latent[at + 1]);
    }

    [Fact]
    public void Classic_lenet5_with_tanh_and_avgpool_computes_the_same_integer_scores_as_the_plain_model()
    {
        var spec = Presets.LeNet5Classic();
        var net = QatNetwork.FromFloatModel(FloatModel.CreateRandom(spec, 1), QatWidths.Uniform(spec, 4, 4));
        var images = SyntheticData.Create(6, seed: 3);
        QatTrainer.Calibrate(net, images);
        var q = QatExport.ToQModel(net, spec.Name);
        Assert.Contains(q.Layers, l => l.Kind == QLayerKind.AvgPool);
        Assert.Contains(q.Layers, l => l.Activation == Activation.Tanh && l.Tanh is not null);
        var scores = QatTrainer.Scores(net, images, threads: 2);
        for (int i = 0; i < images.Count; i++)
            Assert.Equal(PlainIntegerModel.Scores(q, images.Image(i)), scores[(i * 10)..((i + 1) * 10)].Select(v => (long)v));
    }

    [Fact]
    public void A_tanh_that_does_not_follow_a_conv_or_dense_layer_is_rejected_naming_it()
    {
        var spec = SmallTanhModel().Spec;
        spec = spec with { Layers = [spec.Layers[0], spec.Layers[1], spec.Layers[2], new() { Kind = LayerKind.Tanh, Name = "stray" }, .. spec.Layers.Skip(3)] };
        var e = Assert.Throws<LeNetHlsException>(() => QatNetwork.CheckSupported(spec));
        Assert.Contains("tanh 'stray' must directly follow", e.Message);
    }

    [Fact]
    public void Unsigned_relu_outputs_cannot_feed_an_avgpool()
    {
        var spec = SmallTanhModel().Spec;
        spec = spec with { Layers = [.. spec.Layers.Select(l => l.Kind == LayerKind.Tanh ? new LayerSpec { Kind = LayerKind.ReLU, Name = l.Name } : l)] };
        var model = FloatModel.CreateRandom(spec, 1);
        var e = Assert.Throws<LeNetHlsException>(() => QatNetwork.FromFloatModel(model, QatWidths.Uniform(spec, 4, 4, unsignedRelu: true)));
        Assert.Contains("cannot feed an avgpool", e.Message);
    }
}
