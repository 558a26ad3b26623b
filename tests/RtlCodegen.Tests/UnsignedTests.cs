using System.Text;
using System.Text.RegularExpressions;
using LeNetHls.RtlCodegen;

namespace LeNetHls.RtlCodegen.Tests;

/// <summary>
/// Unsigned ReLU activations ufx&lt;W,F&gt; (docs/fixed-point.md §1): W bits without a sign bit, so a value
/// ≥ 2^(W−1) is large and positive. rtl/lenet_pool.v (IN_SIGNED 0) and rtl/lenet_mvau.v (X_SIGNED 0)
/// chained, simulated with Icarus Verilog.
/// </summary>
[Trait("Category", "Integration")]
public class UnsignedPoolMvauModuleTests
{
    private const int Width = 4;
    private const int Kk = 4;
    private const int Channels = 2;

    [Theory]
    [InlineData(4)]
    [InlineData(FixedPointMath.BipolarBits)]
    public void An_unsigned_value_of_at_least_2_pow_w_minus_1_wins_the_maxpool_and_enters_the_mvau_as_a_positive_number(int weightBits)
    {
        // Two channels, 2x2 windows [k, c] of 4-bit unsigned values: channel 0 holds a and 7 (the largest positive 4-bit
        // signed value), channel 1 b and 6, so a signed compare would keep 7 or 6 wherever a or b is 8 .. 15.
        long[] values = [0, 1, 7, 8, 9, 14, 15];
        var windows = values.SelectMany(a => values.Select(b => new long[,] { { 7, b }, { a, 6 }, { 1, 0 }, { 0, 1 } })).ToList();
        // The MVAU: PE 2 x SIMD 2, one fold; lane p*SIMD + s holds w[s][p] (element s = channel s of the pooled pixel).
        int[][] w = weightBits == FixedPointMath.BipolarBits ? [[1, -1], [-1, 1]] : [[7, -8], [-1, 3]];
        long word = 0;
        for (int p = 0; p < 2; p++)
            for (int s = 0; s < 2; s++)
                word |= (FixedPointMath.WeightCode(weightBits, w[p][s]) & ((1L << weightBits) - 1)) << ((p * 2 + s) * weightBits);
        long bound = w.Max(lane => lane.Sum(q => Math.Abs(q))) * ((1L << Width) - 1);
        int accWidth = FixedPointMath.SignedBitsFor(bound);
        var expected = windows.Select(win =>
        {
            var max = Enumerable.Range(0, Channels).Select(c => Enumerable.Range(0, Kk).Max(k => win[k, c])).ToArray();
            return new[] { w[0][0] * max[0] + w[0][1] * max[1], w[1][0] * max[0] + w[1][1] * max[1] };
        }).ToList();

        string dir = RepoPaths.NewTempDir("unsigned-pool-mvau");
        try
        {
            File.WriteAllText(Path.Combine(dir, "w.mem"), $"{word:x}\n");
            File.WriteAllText(Path.Combine(dir, "b.mem"), new string('0', (2 * accWidth + 3) / 4) + "\n");
            int winBits = Kk * Channels * Width;
            var tb = new StringBuilder("`timescale 1ns/1ps\nmodule tb;\n");
            tb.Append($"  reg clk = 0; reg rst = 1; reg [{winBits - 1}:0] win_data = 0; reg win_valid = 0;\n");
            tb.Append($"  wire pool_ready; wire [{Channels * Width - 1}:0] pooled; wire pooled_valid;\n");
            tb.Append($"  wire mvau_ready; wire [{2 * accWidth - 1}:0] out_data; wire out_valid;\n");
            tb.Append($"  lenet_pool #(.KK({Kk}), .CHANNELS({Channels}), .IN_WIDTH({Width}), .OUT_WIDTH({Width}), .MODE(0), " +
                      ".IN_SIGNED(0), .OUT_SIGNED(0)) pool (\n");
            tb.Append("    .clk(clk), .rst(rst), .win_data(win_data), .win_valid(win_valid), .win_ready(pool_ready), .out_data(pooled), .out_valid(pooled_valid));\n");
            tb.Append($"  lenet_mvau #(.ELEMS({Channels}), .IN_WIDTH({Width}), .X_SIGNED(0), .W_WIDTH({weightBits}), .PE(2), .SIMD(2), .NF(1), .SF(1), " +
                      $".OUTS(2), .ACC_WIDTH({accWidth}), .OUT_WIDTH({accWidth}), .SHIFT(0), .WEIGHT_FILE(\"w.mem\"), .BIAS_FILE(\"b.mem\")) mvau (\n");
            tb.Append("    .clk(clk), .rst(rst), .win_data(pooled), .win_valid(pooled_valid), .win_ready(mvau_ready), .out_data(out_data), .out_valid(out_valid));\n");
            tb.Append("  always #1 clk = ~clk;\n");
            tb.Append($"  always @(posedge clk) if (out_valid) $display(\"out %0d %0d\", $signed(out_data[{accWidth - 1}:0]), " +
                      $"$signed(out_data[{2 * accWidth - 1}:{accWidth}]));\n");
            tb.Append("  initial begin\n    #4 rst = 0;\n");
            foreach (var win in windows)
            {
                // Window element k = (ky*2 + kx), channel c at bits ((k*CHANNELS + c)*WIDTH); one window per cycle
                // (the MVAU takes one per cycle with a single fold).
                var bits = System.Numerics.BigInteger.Zero;
                for (int k = 0; k < Kk; k++)
                    for (int c = 0; c < Channels; c++)
                        bits |= new System.Numerics.BigInteger(win[k, c]) << ((k * Channels + c) * Width);
                tb.Append($"    @(negedge clk) begin win_data = {winBits}'h{bits:x}; win_valid = 1; end\n");
            }
            tb.Append("    @(negedge clk) win_valid = 0;\n    repeat (40) @(negedge clk);\n    $finish;\n  end\nendmodule\n");
            string output = Tool.Simulate(dir, tb.ToString(), "lenet_pool.v", "lenet_mvau.v", "lenet_rom.v", "lenet_requant.v", "lenet_round.v", "lenet_fit.v");
            var outputs = output.Split('\n').Where(l => l.StartsWith("out ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToList();
            Assert.Equal(windows.Count, outputs.Count);
            for (int i = 0; i < windows.Count; i++)
                for (int p = 0; p < 2; p++)
                    Assert.True(expected[i][p] == long.Parse(outputs[i][1 + p]),
                        $"window {i}, lane {p}: RTL {outputs[i][1 + p]}, expected {expected[i][p]}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>The generator's per-layer signedness parameters and the Verilator co-simulation of unsigned models.</summary>
public class UnsignedGeneratorTests
{
    [Fact]
    public void Every_layer_gets_its_input_and_output_signedness_from_the_qmodel_formats()
    {
        var model = RtlFixture.Model("lenet5", unsignedRelu: true);
        Assert.Contains(model.Layers, l => l.Output.Unsigned);
        string dir = RtlFixture.Generate(model, multipliers: 16, prefix: "rtl-unsigned-params");
        try
        {
            string top = File.ReadAllText(Path.Combine(dir, CosimRunner.RtlFolder, "lenet5.v"));
            for (int i = 0; i < model.Layers.Count; i++)
            {
                var l = model.Layers[i];
                int inSigned = model.InputOf(i).Unsigned ? 0 : 1, outSigned = l.Output.Unsigned ? 0 : 1;
                string name = RtlGenerator.Identifier(l, i);
                string unit = l.HasWeights
                    ? $@"lenet_mvau #\([^;]*\.X_SIGNED\({inSigned}\)[^;]*\.OUT_SIGNED\({outSigned}\)[^;]*\)\s*{name}_mvau"
                    : $@"lenet_pool #\([^;]*\.IN_SIGNED\({inSigned}\), \.OUT_SIGNED\({outSigned}\)\)\s*{name}_pool";
                Assert.Matches(new Regex(unit), top);
                Assert.Matches(new Regex($@"lenet_debug_tap #\([^;]*\.SIGNED\({outSigned}\)\)\s*{name}_tap"), top);
            }
            Assert.Matches(new Regex($@"lenet_score_out #\([^;]*\.ELEM_SIGNED\({(model.Scores.Unsigned ? 0 : 1)}\)\)\s*score_out"), top);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>One generated lenet5 with 8-bit unsigned ReLU outputs lifted into their upper half, shared by the tests of this class.</summary>
public sealed class UnsignedLenet5Build
{
    public SharedDesign Design { get; } = SharedDesign.Of(UpperHalf.Lift(RtlFixture.Model("lenet5", unsignedRelu: true, seed: 2), lift: 2), multipliers: 16);
}

[Trait("Category", "Integration")]
public class UnsignedCosimTests(UnsignedLenet5Build build) : IClassFixture<UnsignedLenet5Build>
{
    /// <summary>Whether a maxpool of the golden trace outputs some unsigned value ≥ 2^(W−1) (one a signed reading breaks).</summary>
    private static bool MaxpoolSeesUpperHalf(QModel model, int images)
    {
        var golden = new GoldenModel(model);
        return SyntheticQModel.Images(images).Any(img =>
        {
            var trace = golden.Trace(img);
            return model.Layers.Select((l, i) => (l, i))
                .Any(t => t.l.Kind == QLayerKind.MaxPool && t.l.Output.Unsigned && trace[t.i].Any(v => v >= 1L << (t.l.Output.Bits - 1)));
        });
    }

    [Fact]
    public void Lenet5_with_8_bit_unsigned_relu_activations_is_bit_exact_under_random_stalls()
    {
        Assert.True(MaxpoolSeesUpperHalf(build.Design.Model, 6));
        var result = build.Design.Cosim(RtlFixture.Images(6), new CosimOptions { StallProbability = 0.2, Seed = 5 });
        Assert.Equal(6, result.Images);
        Assert.Equal(0, result.Mismatches);
    }

    [Fact]
    public void A_wrong_weight_after_unsigned_layers_is_blamed_on_its_layer_as_the_taps_read_unsigned_outputs_right()
    {
        // conv1 and pool1 output codes >= 2^(W-1): were their taps sign-extended, the blame would land on conv1.
        var result = RtlFixture.CosimWithCorruptConv2Weights(build.Design);
        Assert.True(result.Mismatches > 0);
        Assert.Equal("conv2", result.Blame?.LayerName);
    }

    [Fact]
    public void Lenet5_with_bipolar_weights_and_2_bit_unsigned_activations_is_bit_exact_under_random_stalls()
    {
        var model = RtlFixture.Model("lenet5", weightBits: 1, actBits: 2, unsignedRelu: true, seed: 6);
        Assert.Contains(model.Layers, l => l.Output is { Unsigned: true, Bits: 2 });
        Assert.True(MaxpoolSeesUpperHalf(model, 6));
        var result = RtlFixture.Cosim(model, multipliers: 16, images: 6, stall: 0.2);
        Assert.Equal(0, result.Mismatches);
    }
}
