using System.Text;
using LeNetHls.RtlCodegen;

namespace LeNetHls.RtlCodegen.Tests;

/// <summary>Bipolar (1-bit) weights, docs/fixed-point.md §1: one ROM bit s = (q+1)/2 per weight, products ±x.</summary>
public class BipolarRomTests
{
    [Fact]
    public void A_bipolar_weight_rom_holds_one_bit_per_weight_1_for_plus_one_and_0_for_minus_one()
    {
        var model = RtlFixture.Model("lenet5", weightBits: 1);
        var conv1 = model.Layers[0];
        Assert.Equal(FixedPointMath.BipolarBits, conv1.Weights!.Bits);
        // Every weight −1 except w[j][0] for j = 0, 1 (input elements 0 and 1 of output channel 0): lanes 0 and 1 of word 0.
        int outs = conv1.OutShape.C;
        var data = Enumerable.Repeat(-1, conv1.Weights.Data.Length).ToArray();
        data[0 * outs] = 1;
        data[1 * outs] = 1;
        var layers = model.Layers.ToList();
        layers[0] = conv1 with { Weights = conv1.Weights with { Data = data } };
        model = model with { Layers = layers };
        QModelFile.Validate(model, "<one-hot bipolar conv1>");

        string dir = RtlFixture.Generate(model, multipliers: 128, prefix: "rtl-bipolar-rom");
        try
        {
            string rtl = Path.Combine(dir, CosimRunner.RtlFolder);
            var plan = CosimRunner.ReadPlan(rtl).Layers.Single(l => l.Name == "conv1");
            Assert.True(plan.Bipolar);
            Assert.True(plan.Simd >= 2, $"SIMD {plan.Simd}: lanes 0 and 1 must be two inputs of one output");
            int digits = (plan.Pe * plan.Simd + 3) / 4;
            var words = File.ReadAllLines(Path.Combine(rtl, "l0_conv1_weights.mem"));
            Assert.Equal(plan.Nf * plan.Sf, words.Length);
            Assert.Equal(new string('0', digits - 1) + "3", words[0]);
            Assert.All(words.Skip(1), w => Assert.Equal(new string('0', digits), w));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>rtl/lenet_mvau.v with W_WIDTH 1, simulated with Icarus Verilog on every pair of edge inputs.</summary>
[Trait("Category", "Integration")]
public class BipolarMvauModuleTests
{
    private const int InWidth = 4;

    [Fact]
    public void A_bipolar_lane_adds_x_for_bit_1_and_minus_x_for_bit_0_even_for_the_most_negative_x()
    {
        // PE 2 x SIMD 2, one fold: lane p*SIMD + s holds s = (q+1)/2 of w[s][p]. Word 0100b: w[.][0] = (−1, −1), w[.][1] = (+1, −1).
        int[][] q = [[-1, -1], [1, -1]];
        long[] xs = [FixedPointMath.MinOf(InWidth), FixedPointMath.MinOf(InWidth) + 1, -1, 0, 1, FixedPointMath.MaxOf(InWidth)];
        var windows = xs.SelectMany(a => xs.Select(b => new[] { a, b })).ToList();
        int accWidth = FixedPointMath.SignedBitsFor(2 * -FixedPointMath.MinOf(InWidth));

        string dir = RepoPaths.NewTempDir("bipolar-mvau");
        try
        {
            File.WriteAllText(Path.Combine(dir, "w.mem"), "4\n");
            File.WriteAllText(Path.Combine(dir, "b.mem"), new string('0', (2 * accWidth + 3) / 4) + "\n");
            var tb = new StringBuilder("`timescale 1ns/1ps\nmodule tb;\n");
            tb.Append($"  reg clk = 0; reg rst = 1; reg [{2 * InWidth - 1}:0] win_data = 0; reg win_valid = 0;\n");
            tb.Append("  wire win_ready; wire [15:0] out_data; wire out_valid;\n");
            tb.Append($"  lenet_mvau #(.ELEMS(2), .IN_WIDTH({InWidth}), .W_WIDTH(1), .PE(2), .SIMD(2), .NF(1), .SF(1), .OUTS(2), " +
                      $".ACC_WIDTH({accWidth}), .OUT_WIDTH(8), .SHIFT(0), .WEIGHT_FILE(\"w.mem\"), .BIAS_FILE(\"b.mem\")) dut (\n");
            tb.Append("    .clk(clk), .rst(rst), .win_data(win_data), .win_valid(win_valid), .win_ready(win_ready), .out_data(out_data), .out_valid(out_valid));\n");
            tb.Append("  always #1 clk = ~clk;\n");
            tb.Append("  always @(posedge clk) if (out_valid) $display(\"out %0d %0d\", $signed(out_data[7:0]), $signed(out_data[15:8]));\n");
            tb.Append("  initial begin\n    #4 rst = 0;\n");
            foreach (var w in windows)
            {
                // win_ready depends on registers only, so its value at the falling edge holds for the next rising edge.
                long bits = (w[0] & ((1 << InWidth) - 1)) | ((w[1] & ((1 << InWidth) - 1)) << InWidth);
                tb.Append($"    @(negedge clk) begin win_data = {2 * InWidth}'h{bits:x}; win_valid = 1; end\n");
                tb.Append("    while (!win_ready) @(negedge clk);\n");
            }
            tb.Append("    @(negedge clk) win_valid = 0;\n    repeat (40) @(negedge clk);\n    $finish;\n  end\nendmodule\n");
            string output = Tool.Simulate(dir, tb.ToString(), "lenet_mvau.v", "lenet_rom.v", "lenet_requant.v", "lenet_round.v", "lenet_fit.v");
            var outputs = output.Split('\n').Where(l => l.StartsWith("out ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToList();
            Assert.Equal(windows.Count, outputs.Count);
            for (int i = 0; i < windows.Count; i++)
                for (int p = 0; p < 2; p++)
                {
                    long expected = q[p][0] * windows[i][0] + q[p][1] * windows[i][1];
                    Assert.True(expected == long.Parse(outputs[i][1 + p]),
                        $"x = ({windows[i][0]}, {windows[i][1]}), lane {p}: RTL {outputs[i][1 + p]}, expected {expected}");
                }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
