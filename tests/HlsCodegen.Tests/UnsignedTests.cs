using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LeNetHls.HlsCodegen.Tests;

/// <summary>
/// Unsigned ReLU activations ufx&lt;W,F&gt; (docs/fixed-point.md §1): stored as ap_uint&lt;W&gt; or the smallest
/// unsigned standard type, requantized at the arithmetic width W + 1 and clamped to [0, 2^W − 1],
/// compared as unsigned by maxpool and multiplied exactly, in both type worlds.
/// </summary>
[Trait("Category", "Integration")]
public class UnsignedTests
{
    private static IReadOnlyList<string> World(bool apInt) => RealApHeaders.Flags(apInt);

    private static string Generate(QModel model, string prefix = "hls-unsigned")
    {
        string hls = Path.Combine(RepoPaths.NewTempDir(prefix), "hls");
        HlsGenerator.Generate(model, hls, new HlsOptions());
        return hls;
    }

    private static string Config(string hls, string layer) =>
        Regex.Match(File.ReadAllText(Path.Combine(hls, "lenet5_config.h")), $@"struct config_{layer} \{{.*?\n\}};", RegexOptions.Singleline).Value;

    [Fact]
    public void Relu_output_and_its_maxpool_are_unsigned_types_requantized_at_W_plus_1_bits()
    {
        var model = SyntheticQModel.Create(Presets.LeNet5(), weightBits: 8, actBits: 4, seed: 3, unsignedRelu: true);
        string hls = Generate(model);
        string conv1 = Config(hls, "conv1"), pool1 = Config(hls, "pool1");
        TextAssert.ContainsAll(conv1,
            "typedef pixel_t input_t;",
            "typedef nnet::uint_t<4>::type result_t;",
            "static const int out_bits = 5;");
        Assert.Contains("typedef config_conv1::result_t input_t;", pool1);
        Assert.Contains("typedef nnet::uint_t<4>::type result_t;", pool1);
        Assert.Contains("typedef config_pool1::result_t input_t;", Config(hls, "conv2"));
    }

    [Fact]
    public void Scores_stay_signed_in_a_model_with_unsigned_hidden_activations()
    {
        var model = SyntheticQModel.Create(Presets.LeNet5(), weightBits: 8, actBits: 4, seed: 3, unsignedRelu: true);
        string hls = Generate(model);
        string fc3 = Config(hls, "fc3");
        TextAssert.ContainsAll(fc3,
            "typedef config_fc2::result_t input_t;",
            "typedef nnet::int_t<4>::type result_t;",
            "static const int out_bits = 4;");
        Assert.Contains($"typedef nnet::fixed_t<4, {4 - model.Scores.Frac}>::type score_t;", File.ReadAllText(Path.Combine(hls, "lenet5.h")));
    }

    [Theory]
    [InlineData(8, 4, 13)]   // W_w + W + 1: the unsigned input enters as a signed W + 1 bits
    [InlineData(2, 2, 5)]
    [InlineData(16, 31, 48)]
    [InlineData(1, 4, 5)]    // bipolar: ±x for x in [0, 15] needs W + 1 bits
    [InlineData(1, 8, 9)]
    public void Product_of_an_unsigned_input_is_W_w_plus_W_plus_1_bits_or_W_plus_1_when_bipolar(int weightBits, int actBits, int expected) =>
        Assert.Equal(expected, HlsGenerator.ProductBits(QActivation.UnsignedRelu(actBits, 0), weightBits));

    [Theory]
    [InlineData(8, 13)]
    [InlineData(1, 5)]
    public void Layer_reading_an_unsigned_maxpool_declares_that_product_width(int weightBits, int expected)
    {
        var model = SyntheticQModel.Create(Presets.LeNet5(), weightBits, actBits: 4, seed: 3, unsignedRelu: true);
        Assert.Contains($"typedef nnet::int_t<{expected}>::type mult_t;", Config(Generate(model), "conv2"));
    }

    [Theory]
    [InlineData(8, 8, 16)]
    [InlineData(1, 8, 9)]
    public void Product_of_a_signed_input_keeps_its_width(int weightBits, int actBits, int expected) =>
        Assert.Equal(expected, HlsGenerator.ProductBits(new QActivation(actBits, 0, 0, FixedPointMath.MaxOf(actBits)), weightBits));

    /// <summary>
    /// Every product of an unsigned W-bit input with a weight, through nnet::product at the generator's mult_t, is
    /// exact: no unsigned wraparound (uint32_t × int) and no narrowing. Covers 2..32-bit inputs and 1..16-bit weights.
    /// </summary>
    [RealApHeadersFact]
    public void Products_of_unsigned_inputs_are_exact_with_the_real_Xilinx_headers() => Products_of_unsigned_inputs_are_exact_in_both_type_worlds(apInt: true);

    [Theory]
    [InlineData(false)]
    public void Products_of_unsigned_inputs_are_exact_in_both_type_worlds(bool apInt)
    {
        int[] inputBits = [2, 7, 8, 9, 16, 17, 31, 32];
        int[] weightBits = [1, 2, 8, 16];
        var src = new StringBuilder();
        var expected = new List<long>();
        src.AppendLine("#include <stdio.h>");
        src.AppendLine($"#include \"{Path.Combine(HlsAssets.KernelDir, "nnet_mult.h")}\"");
        int n = 0;
        var calls = new StringBuilder();
        foreach (int xw in inputBits)
        foreach (int ww in weightBits)
        {
            string cfg = $"cfg{n++}";
            src.AppendLine(CultureInfo.InvariantCulture,
                $"struct {cfg} {{ typedef nnet::int_t<{HlsGenerator.ProductBits(QActivation.UnsignedRelu(xw, 0), ww)}>::type mult_t; typedef nnet::weight_of<{ww}>::product product; }};");
            long xMax = (1L << xw) - 1;
            long[] xs = [0, 1, 1L << (xw - 1), xMax];
            // Bipolar weights are stored as the bit s: 0 is -1, 1 is +1.
            long[] ws = ww == 1 ? [0, 1] : [FixedPointMath.MinOf(ww), -1, 1, FixedPointMath.MaxOf(ww)];
            foreach (long x in xs)
            foreach (long w in ws)
            {
                calls.AppendLine(CultureInfo.InvariantCulture,
                    $"    printf(\"%lld\\n\", nnet::to_wide(nnet::product<{cfg}>(nnet::uint_t<{xw}>::type({x}ULL), nnet::weight_of<{ww}>::type({w}LL))));");
                expected.Add(ww == 1 ? (w == 1 ? x : -x) : x * w);
            }
        }
        src.AppendLine("int main() {");
        src.Append(calls);
        src.AppendLine("    return 0;");
        src.AppendLine("}");
        var stdout = CompileAndRun(src.ToString(), apInt);
        Assert.Equal(expected, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse));
    }

    /// <summary>nnet::activation&lt;ACT_RELU&gt; into ufx&lt;W,F&gt; is clamp(shift(acc), 0, 2^W − 1) (docs/fixed-point.md §4.3, §5).</summary>
    [RealApHeadersFact]
    public void Relu_into_an_unsigned_output_clamps_with_the_real_Xilinx_headers() =>
        Relu_into_an_unsigned_output_clamps_the_shifted_accumulator_to_0_through_2_pow_W_minus_1(apInt: true);

    [Theory]
    [InlineData(false)]
    public void Relu_into_an_unsigned_output_clamps_the_shifted_accumulator_to_0_through_2_pow_W_minus_1(bool apInt)
    {
        int[] widths = [2, 3, 5, 8];
        int[] shifts = [-1, 0, 2];
        const int range = 1100;
        var src = new StringBuilder();
        src.AppendLine("#include <stdio.h>");
        src.AppendLine($"#include \"{Path.Combine(HlsAssets.KernelDir, "nnet_requant.h")}\"");
        var combos = (from w in widths from s in shifts select (w, s)).ToArray();
        foreach (var (w, s) in combos)
            src.AppendLine(CultureInfo.InvariantCulture,
                $"struct cfg_{w}_{s + 1} {{ typedef nnet::uint_t<{w}>::type result_t; static const int shift = {s}; static const int out_bits = {w + 1}; static const nnet::rounding_mode rounding = nnet::ROUND_HALF_UP; static const nnet::overflow_mode overflow = nnet::SATURATE; }};");
        src.AppendLine("int main() {");
        src.AppendLine($"    for (long long acc = -{range}; acc <= {range}; acc++) {{");
        foreach (var (w, s) in combos)
            src.AppendLine(CultureInfo.InvariantCulture,
                $"        printf(\"%lld\\n\", nnet::to_wide(nnet::activation<cfg_{w}_{s + 1}, nnet::ACT_RELU>::apply(acc)));");
        src.AppendLine("    }");
        src.AppendLine("    return 0;");
        src.AppendLine("}");
        var values = CompileAndRun(src.ToString(), apInt).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();
        Assert.Equal((2 * range + 1) * combos.Length, values.Length);
        int k = 0;
        for (long acc = -range; acc <= range; acc++)
            foreach (var (w, s) in combos)
            {
                long expected = Math.Clamp(FixedPointMath.Shift(acc, s, RoundingMode.Rnd), 0L, (1L << w) - 1);
                Assert.True(expected == values[k], $"acc {acc}, ufx<{w}>, shift {s}: C++ gave {values[k]}, expected {expected}");
                k++;
            }
    }

    /// <summary>
    /// A hand-built model whose result is known: pixels [2^(W−1), 1, 0, 2^W − 1] through a 1×1 conv (weight 1) with
    /// relu into ufx&lt;W,0&gt;, a 2×2 maxpool and a dense layer with weights −1 and 3. The maximum 2^W − 1 reads as −1
    /// in signed W bits, and 2^(W−1) as the most negative value: only unsigned handling gives −(2^W − 1), 3·(2^W − 1).
    /// </summary>
    private static (QModel Model, byte[] Pixels, int[] Scores) LargeValueThroughMaxpool(int bits)
    {
        var pixelFormat = new QActivation(9, 0, 0, 255);
        var act = QActivation.UnsignedRelu(bits, 0);
        var image = new Shape3(2, 2, 1);
        var relu = new QLayer
        {
            Name = "relu", Kind = QLayerKind.Conv2D, InShape = image, OutShape = image, Kernel = 1, Stride = 1,
            Activation = Activation.ReLU, Weights = new QTensor(2, 0, [1, 1, 1, 1], [1]), Bias = new QTensor(2, 0, [1], [0]),
            Accumulator = new QFormat(2, 0), Output = act,
        };
        relu = relu with { Accumulator = new QFormat(FixedPointMath.SignedBitsFor(QModelFile.AccumulatorBound(relu, pixelFormat)), 0) };
        var pool = new QLayer { Name = "pool", Kind = QLayerKind.MaxPool, InShape = image, OutShape = new Shape3(1, 1, 1), Kernel = 2, Stride = 2, Output = act };
        var dense = new QLayer
        {
            Name = "dense", Kind = QLayerKind.Dense, InShape = new Shape3(1, 1, 1), OutShape = new Shape3(1, 1, 2), Activation = Activation.None,
            Weights = new QTensor(3, 0, [1, 2], [-1, 3]), Bias = new QTensor(2, 0, [2], [0, 0]),
            Accumulator = new QFormat(2, 0), Output = new QActivation(12, 0, FixedPointMath.MinOf(12), FixedPointMath.MaxOf(12)),
        };
        dense = dense with { Accumulator = new QFormat(FixedPointMath.SignedBitsFor(QModelFile.AccumulatorBound(dense, act)), 0) };
        var model = new QModel { Name = "unsigned-maxpool", InputShape = image, Input = pixelFormat, Layers = [relu, pool, dense] };
        QModelFile.Validate(model, "<unsigned-maxpool>");
        int top = (1 << bits) - 1;
        return (model, [(byte)(1 << (bits - 1)), 1, 0, (byte)top], [-top, 3 * top]);
    }

    [RealApHeadersTheory]
    [InlineData(2)]
    [InlineData(8)]
    public void A_value_at_or_above_2_pow_W_minus_1_survives_maxpool_with_the_real_Xilinx_headers(int bits) =>
        A_value_at_or_above_2_pow_W_minus_1_survives_maxpool_and_feeds_the_next_layer(bits, apInt: true);

    [Theory]
    [InlineData(2, false)]
    [InlineData(8, false)]
    public void A_value_at_or_above_2_pow_W_minus_1_survives_maxpool_and_feeds_the_next_layer(int bits, bool apInt)
    {
        var (model, pixels, expected) = LargeValueThroughMaxpool(bits);
        Assert.Equal(expected, GoldenScores.Compute(model, pixels));
        string hls = Generate(model, "hls-unsigned-pool");
        var compile = TestProcess.Run("g++", hls, [.. HlsGenerator.CxxFlags, .. World(apInt), "-I.", "-o", "tb_unsigned", "lenet5.cpp", "tb/lenet5_tb.cpp"]);
        Assert.True(compile.ExitCode == 0, compile.Stderr);
        string tbData = Path.Combine(hls, "..", "tb_data");
        Directory.CreateDirectory(tbData);
        TestVectors.Write(tbData, pixels, expected);
        var run = TestProcess.Run(Path.Combine(hls, "tb_unsigned"), hls, [tbData]);
        Assert.Equal(expected, TestVectors.ReadScores(Path.Combine(tbData, TestVectors.CsimScoresFile), 2));
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
    }

    [Fact]
    public void Trace_of_unsigned_layers_holds_the_golden_integers()
    {
        var (model, pixels, expected) = LargeValueThroughMaxpool(8);
        string hls = Generate(model, "hls-unsigned-trace");
        string tbData = Path.Combine(hls, "..", "tb_data");
        Directory.CreateDirectory(tbData);
        TestVectors.Write(tbData, pixels, expected);
        string binary = CsimRunner.Compile(hls, trace: true, ApTypes.Fallback());
        var run = TestProcess.Run(binary, hls, [tbData, "--trace", "0"]);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var trace = CsimRunner.ReadTrace(Path.Combine(tbData, CsimRunner.TraceFile), model);
        var golden = new GoldenModel(model).Trace(pixels);
        Assert.Equal(new long[] { 128, 1, 0, 255 }, trace[0]);
        Assert.Equal(new long[] { 255 }, trace[1]);
        for (int layer = 0; layer < golden.Length; layer++)
            Assert.Equal(golden[layer].Select(v => (long)v), trace[layer]);
    }

    [Theory]
    [InlineData(8, 2, RoundingMode.Rnd, 8, 1)]
    [InlineData(8, 3, RoundingMode.Trn, 4, 43)]
    [InlineData(4, 4, RoundingMode.RndConv, 16, 2)]
    [InlineData(8, 8, RoundingMode.Rnd, 8, 1)]
    [InlineData(3, 16, RoundingMode.Rnd, 1, 1)]
    [InlineData(1, 2, RoundingMode.Rnd, 8, 1)]
    [InlineData(1, 4, RoundingMode.Trn, 3, 1)]
    [InlineData(1, 8, RoundingMode.Rnd, 8, 1)]
    public void Csim_of_an_unsigned_relu_lenet5_equals_the_golden_model(int weightBits, int actBits, RoundingMode rounding, int multipliers, int seed)
    {
        var model = SyntheticQModel.Create(Presets.LeNet5(), weightBits, actBits, seed, rounding, unsignedRelu: true);
        var images = TestModels.Images(150);
        int probe = MostLargeValues(model, images);
        string dir = RepoPaths.NewTempDir("hls-unsigned-csim");
        string hls = Path.Combine(dir, "hls"), tbData = Path.Combine(dir, "tb_data");
        HlsGenerator.Generate(model, hls, new HlsOptions { MultipliersPerLayer = multipliers });
        var report = CsimRunner.Run(model, hls, tbData, images);
        Assert.True(report.Passed, report.Divergence?.ToString());
        Assert.Equal(150, report.Images);
        AssertTraceEqualsGolden(model, hls, tbData, images, probe, apInt: false);
    }

    /// <summary>
    /// The image with the most unsigned values at or above 2^(W−1) (the ones a signed type would get wrong); fails when
    /// there is none, since a test of unsigned handling would then mean little.
    /// </summary>
    internal static int MostLargeValues(QModel model, byte[] images)
    {
        var golden = new GoldenModel(model);
        int pixels = model.InputShape.Size;
        var large = Enumerable.Range(0, images.Length / pixels).Select(n => golden.Trace(images.AsSpan(n * pixels, pixels))
            .Select((values, layer) => model.Layers[layer].Output is { Unsigned: true } o ? values.Count(v => v > FixedPointMath.MaxOf(o.Bits)) : 0)
            .Sum()).ToArray();
        int probe = Array.IndexOf(large, large.Max());
        Assert.True(large[probe] > 0, "no unsigned value at or above 2^(W-1)");
        return probe;
    }

    /// <summary>
    /// Every layer's integers of one image equal the golden model's: scores alone can hide a wrong intermediate that a
    /// later saturation or relu absorbs. tbData must hold the images (a CsimRunner.Run or TestVectors.Write before).
    /// </summary>
    internal static void AssertTraceEqualsGolden(QModel model, string hls, string tbData, byte[] images, int image, bool apInt)
    {
        var compile = TestProcess.Run("g++", hls,
            [.. HlsGenerator.CxxFlags, .. World(apInt), "-DLENET_TRACE", "-I.", "-o", "tb_probe", HlsGenerator.TopSource, "tb/lenet5_tb.cpp"]);
        Assert.True(compile.ExitCode == 0, compile.Stderr);
        var run = TestProcess.Run(Path.Combine(hls, "tb_probe"), hls,
            [Path.GetFullPath(tbData), "--trace", $"{image}", "--first", $"{image}", "--count", "1", "--out", "probe_scores.bin"]);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var trace = CsimRunner.ReadTrace(Path.Combine(tbData, CsimRunner.TraceFile), model);
        int pixels = model.InputShape.Size;
        var expected = new GoldenModel(model).Trace(images.AsSpan(image * pixels, pixels));
        for (int layer = 0; layer < expected.Length; layer++)
            Assert.True(expected[layer].Select(v => (long)v).SequenceEqual(trace[layer]), $"image {image}: layer {layer} ({model.Layers[layer].Name}) differs");
    }

    private static string CompileAndRun(string source, bool apInt)
    {
        string dir = RepoPaths.NewTempDir("hls-unsigned-kernel");
        File.WriteAllText(Path.Combine(dir, "main.cpp"), source);
        var compile = TestProcess.Run("g++", dir, [.. HlsGenerator.CxxFlags, .. World(apInt), "-o", "main", "main.cpp"]);
        Assert.True(compile.ExitCode == 0, compile.Stderr);
        var run = TestProcess.Run(Path.Combine(dir, "main"), dir, []);
        Assert.Equal(0, run.ExitCode);
        return run.Stdout;
    }
}
