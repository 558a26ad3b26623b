namespace LeNetHls.HlsCodegen.Tests;

/// <summary>The generated C++, compiled with g++, computes exactly what the golden model computes.</summary>
[Trait("Category", "Integration")]
public class CsimTests
{
    private const int ImageCount = 150;

    public static TheoryData<string, int, int, RoundingMode, OverflowMode, int> Configurations => new()
    {
        { "lenet5", 8, 8, RoundingMode.Rnd, OverflowMode.Sat, 8 },
        { "lenet5", 16, 16, RoundingMode.Rnd, OverflowMode.Sat, 8 },
        { "lenet5", 4, 4, RoundingMode.Rnd, OverflowMode.Sat, 8 },
        { "lenet5", 8, 8, RoundingMode.Trn, OverflowMode.Sat, 1 },
        { "lenet5", 8, 8, RoundingMode.RndConv, OverflowMode.Sat, 16 },
        { "lenet5", 8, 6, RoundingMode.Rnd, OverflowMode.Wrap, 3 },
        { "lenet5-classic", 8, 8, RoundingMode.Rnd, OverflowMode.Sat, 8 },
        { "lenet5-classic", 16, 12, RoundingMode.RndConv, OverflowMode.Wrap, 4 },
        { "lenet5-classic", 5, 5, RoundingMode.Trn, OverflowMode.Sat, 32 },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Csim_scores_equal_the_golden_scores(string preset, int weightBits, int actBits, RoundingMode rounding, OverflowMode overflow, int multipliers)
    {
        var model = SyntheticQModel.Create(Presets.Get(preset), weightBits, actBits, seed: weightBits * 31 + actBits, rounding, overflow);
        var report = Simulate(model, new HlsOptions { MultipliersPerLayer = multipliers });
        Assert.True(report.Passed, report.Divergence?.ToString());
        Assert.Equal(ImageCount, report.Images);
    }

    [Theory]
    [InlineData("lenet5")]
    [InlineData("lenet5-classic")]
    public void Csim_matches_with_different_weight_widths_in_every_layer(string preset)
    {
        var model = TestModels.MixedWidths(Presets.Get(preset));
        Assert.True(model.Layers.Where(l => l.HasWeights).Select(l => l.Weights!.Bits).Distinct().Count() >= 4);
        var report = Simulate(model);
        Assert.True(report.Passed, report.Divergence?.ToString());
    }

    [Theory]
    [InlineData(new[] { 1, 2, 3, 4, 5 })]
    [InlineData(new[] { 6, 7, 8, 9, 10 })]
    [InlineData(new[] { 11, 12, 13, 14, 15 })]
    [InlineData(new[] { 16, 1, 16, 2, 1 })]
    public void Csim_matches_for_every_weight_width_from_1_to_16_mixed_per_layer(int[] widths)
    {
        var model = TestModels.WithWeightWidths(Presets.LeNet5(), widths);
        Assert.Equal(widths, model.Layers.Where(l => l.HasWeights).Select(l => l.Weights!.Bits));
        var report = Simulate(model);
        Assert.True(report.Passed, report.Divergence?.ToString());
    }

    [Fact]
    public void Csim_matches_when_requantization_is_a_left_shift()
    {
        var narrowed = QModelVariants.NarrowWeights(SyntheticQModel.Create(Presets.LeNet5(), 16, 8, seed: 3), "fc3", 2);
        var last = narrowed.Layers[^1];
        // Two more fractional bits than the accumulator: every score is acc * 4, wide enough not to saturate.
        var model = narrowed with
        {
            Layers = [.. narrowed.Layers.SkipLast(1), last with { Output = new QActivation(20, last.Accumulator!.Frac + 2, FixedPointMath.MinOf(20), FixedPointMath.MaxOf(20)) }],
        };
        QModelFile.Validate(model, "<left shift>");
        Assert.Equal(-2, model.Layers[^1].Shift);
        var report = Simulate(model);
        Assert.True(report.Passed, report.Divergence?.ToString());
    }

    [Fact]
    public void A_changed_weight_integer_is_caught_and_located_in_its_layer()
    {
        var model = SyntheticQModel.Create(Presets.LeNet5(), 8, 8, seed: 11);
        string dir = RepoPaths.NewTempDir("hls-mutant");
        string hls = Path.Combine(dir, "hls");
        HlsGenerator.Generate(model, hls, new HlsOptions());
        int original = ChangeFirstWeight(Path.Combine(hls, "weights", "w_conv2.h"), out int changed);

        var images = TestModels.Images(40);
        var report = CsimRunner.Run(model, hls, Path.Combine(dir, "tb_data"), images);

        Assert.False(report.Passed);
        var d = report.Divergence;
        Assert.NotNull(d);
        Assert.Equal("conv2", d.LayerName);
        // The golden model with the same change pins the exact element that must differ first.
        var mutant = WithConv2Weight0(model, changed);
        var expected = FirstDifference(model, mutant, images, d.Image, layer: 2);
        Assert.Equal(expected, (d.Channel, d.Row, d.Col, d.Actual, d.Expected));
        Assert.NotEqual(original, changed);
    }

    [Fact]
    public void Simulation_split_over_processes_scores_every_image_in_order()
    {
        var model = SyntheticQModel.Create(Presets.LeNet5(), 4, 4, seed: 21);
        string dir = RepoPaths.NewTempDir("hls-slices");
        HlsGenerator.Generate(model, Path.Combine(dir, "hls"), new HlsOptions());
        var images = TestModels.Images(1200, seed: 5);
        var report = CsimRunner.Run(model, Path.Combine(dir, "hls"), Path.Combine(dir, "tb_data"), images);
        Assert.True(report.Passed, report.Divergence?.ToString());
        Assert.Equal(GoldenScores.Compute(model, images), Core.Data.TestVectors.ReadScores(Path.Combine(dir, "tb_data", "csim_scores.bin"), 10));
    }

    [Theory]
    [InlineData(8, 8, false)]
    [InlineData(1, 4, true)]
    [Trait("Category", "Integration")]
    public void Codegen_and_csim_are_bit_exact_on_all_10000_mnist_test_images(int weightBits, int actBits, bool unsignedRelu)
    {
        string dir = RepoPaths.NewTempDir("hls-mnist");
        string qmodel = Path.Combine(dir, "lenet5.qmodel.json");
        QModelFile.Save(SyntheticQModel.Create(Presets.LeNet5(), weightBits, actBits, seed: 4, unsignedRelu: unsignedRelu), qmodel);
        HlsProject.Codegen(qmodel, Path.Combine(dir, "out"), new HlsOptions());
        var report = HlsProject.Csim(Path.Combine(dir, "out"), images: null, RepoPaths.MnistDir);
        Assert.Equal(10000, report.Images);
        Assert.True(report.Passed, report.Divergence?.ToString());
    }

    private static CsimReport Simulate(QModel model, HlsOptions? options = null)
    {
        string dir = RepoPaths.NewTempDir("hls-csim");
        HlsGenerator.Generate(model, Path.Combine(dir, "hls"), options ?? new HlsOptions());
        return CsimRunner.Run(model, Path.Combine(dir, "hls"), Path.Combine(dir, "tb_data"), TestModels.Images(ImageCount));
    }

    /// <summary>Moves the first integer of a ROM header's data by 100 toward zero's other side; returns the old value.</summary>
    private static int ChangeFirstWeight(string header, out int changed)
    {
        var lines = File.ReadAllLines(header);
        int row = Array.FindIndex(lines, l => l.TrimStart().StartsWith('{'));
        string line = lines[row];
        int start = line.IndexOf('{') + 1, end = line.IndexOf(',', start);
        int value = int.Parse(line[start..end]);
        changed = value >= 0 ? value - 100 : value + 100;
        lines[row] = line[..start] + changed + line[end..];
        File.WriteAllLines(header, lines);
        return value;
    }

    private static QModel WithConv2Weight0(QModel model, int value)
    {
        var layers = model.Layers.ToList();
        var w = (int[])layers[2].Weights!.Data.Clone();
        w[0] = value;
        layers[2] = layers[2] with { Weights = layers[2].Weights! with { Data = w } };
        return model with { Layers = layers };
    }

    private static (int, int, int, long?, long) FirstDifference(QModel golden, QModel mutant, byte[] images, int image, int layer)
    {
        var pixels = images.AsSpan(image * 784, 784);
        var expected = new GoldenModel(golden).Trace(pixels)[layer];
        var actual = new GoldenModel(mutant).Trace(pixels)[layer];
        var shape = golden.Layers[layer].OutShape;
        int i = Enumerable.Range(0, expected.Length).First(k => expected[k] != actual[k]);
        return (i % shape.C, i / shape.C / shape.W, i / shape.C % shape.W, actual[i], expected[i]);
    }
}
