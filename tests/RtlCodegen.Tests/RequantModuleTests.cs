using System.Text;

namespace LeNetHls.RtlCodegen.Tests;

/// <summary>
/// rtl/lenet_requant.v against FixedPointMath.Requantize on edge values, simulated with Icarus
/// Verilog (one testbench holds every case, so one compile covers them all).
/// </summary>
[Trait("Category", "Integration")]
public class RequantModuleTests
{
    /// <param name="Unsigned">OUT_SIGNED 0: a ufx&lt;OutWidth,F&gt; ReLU output, docs/fixed-point.md §4.3 at arithmetic width OutWidth + 1.</param>
    private sealed record Case(int AccWidth, int Shift, int OutWidth, RoundingMode Round, OverflowMode Overflow, bool Relu, long[] Inputs,
                               bool Unsigned = false)
    {
        public int ArithmeticWidth => Unsigned ? OutWidth + 1 : OutWidth;
    }

    private static long[] EdgeInputs(int accWidth, int shift, int outWidth)
    {
        var values = new List<long>();
        long unit = shift > 0 ? 1L << shift : 1;
        long half = shift > 0 ? unit / 2 : 0;
        for (long m = -3; m <= 3; m++)
            foreach (long r in new[] { 0, half - 1, half, half + 1, unit - 1 })
                values.Add(m * unit + r);
        // Results just inside and just outside the output range, before and after the shift.
        foreach (long q in new[] { FixedPointMath.MaxOf(outWidth), FixedPointMath.MaxOf(outWidth) + 1, FixedPointMath.MinOf(outWidth), FixedPointMath.MinOf(outWidth) - 1 })
            values.Add(shift > 0 ? q * unit + half : q >> Math.Min(-shift, 62));
        values.Add(FixedPointMath.MaxOf(accWidth));
        values.Add(FixedPointMath.MinOf(accWidth));
        return values.Where(v => v >= FixedPointMath.MinOf(accWidth) && v <= FixedPointMath.MaxOf(accWidth)).Distinct().ToArray();
    }

    private static IEnumerable<Case> Cases(RoundingMode round, OverflowMode overflow, bool relu) =>
        new[] { (20, 4, 8), (16, 1, 8), (24, 0, 8), (12, -2, 8), (18, 7, 3), (40, 20, 16), (48, 30, 32), (10, 3, 2) }
            .Select(c => new Case(c.Item1, c.Item2, c.Item3, round, overflow, relu, EdgeInputs(c.Item1, c.Item2, c.Item3)));

    private static void AssertMatchesGolden(IReadOnlyList<Case> cases)
    {
        string dir = RepoPaths.NewTempDir("requant");
        var tb = new StringBuilder("`timescale 1ns/1ps\nmodule tb;\n");
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            int round = c.Round switch { RoundingMode.Rnd => 0, RoundingMode.Trn => 1, _ => 2 };
            // An unsigned output is read as unsigned, so a result >= 2^(W-1) prints as the positive number it is.
            tb.Append($"  reg signed [{c.AccWidth - 1}:0] a{i}; wire {(c.Unsigned ? "" : "signed ")}[{c.OutWidth - 1}:0] q{i};\n");
            tb.Append($"  lenet_requant #(.ACC_WIDTH({c.AccWidth}), .SHIFT({c.Shift}), .OUT_WIDTH({c.OutWidth}), .ROUND({round}), " +
                      $".SATURATE({(c.Overflow == OverflowMode.Sat ? 1 : 0)}), .RELU({(c.Relu ? 1 : 0)}), .OUT_SIGNED({(c.Unsigned ? 0 : 1)})) u{i} (.acc(a{i}), .q(q{i}));\n");
        }
        tb.Append("  initial begin\n");
        for (int i = 0; i < cases.Count; i++)
            for (int j = 0; j < cases[i].Inputs.Length; j++)
            {
                long v = cases[i].Inputs[j];
                string literal = v < 0 ? $"-{cases[i].AccWidth}'sd{-v}" : $"{cases[i].AccWidth}'sd{v}";
                tb.Append($"    a{i} = {literal}; #1 $display(\"{i} {j} %0d\", q{i});\n");
            }
        tb.Append("    $finish;\n  end\nendmodule\n");
        string output = Tool.Simulate(dir, tb.ToString(), "lenet_requant.v", "lenet_round.v", "lenet_fit.v");

        int checkedCount = 0;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            if (parts.Length != 3 || !int.TryParse(parts[0], out int i)) continue;
            int j = int.Parse(parts[1]);
            var c = cases[i];
            long expected = FixedPointMath.Requantize(c.Inputs[j], c.Shift, c.ArithmeticWidth, c.Round, c.Overflow);
            if (c.Relu && expected < 0) expected = 0;
            Assert.True(expected == long.Parse(parts[2]),
                $"acc {c.Inputs[j]} (W_acc {c.AccWidth}) shift {c.Shift} -> {(c.Unsigned ? "unsigned " : "")}{c.OutWidth} bits {c.Round}/{c.Overflow}{(c.Relu ? "/relu" : "")}: RTL {parts[2]}, golden {expected}");
            checkedCount++;
        }
        Assert.Equal(cases.Sum(c => c.Inputs.Length), checkedCount);
    }

    [Fact]
    public void Round_half_up_with_saturation_matches_golden_on_edges() =>
        AssertMatchesGolden(Cases(RoundingMode.Rnd, OverflowMode.Sat, relu: false).ToList());

    [Fact]
    public void Truncation_with_wrap_matches_golden_on_edges() =>
        AssertMatchesGolden(Cases(RoundingMode.Trn, OverflowMode.Wrap, relu: false).ToList());

    [Fact]
    public void Round_half_to_even_with_saturation_matches_golden_on_edges() =>
        AssertMatchesGolden(Cases(RoundingMode.RndConv, OverflowMode.Sat, relu: false).ToList());

    [Fact]
    public void Round_half_to_even_with_wrap_and_relu_matches_golden_on_edges() =>
        AssertMatchesGolden(Cases(RoundingMode.RndConv, OverflowMode.Wrap, relu: true).ToList());

    [Theory]
    [InlineData(RoundingMode.Rnd)]
    [InlineData(RoundingMode.Trn)]
    [InlineData(RoundingMode.RndConv)]
    public void An_unsigned_relu_output_clamps_to_0_and_2_pow_w_minus_1_and_matches_golden_on_edges(RoundingMode round)
    {
        // Edges around 2^W - 1 and 2^W (the arithmetic width's limits) and below 0; 2^(W-1) and above are in range.
        var cases = new[] { (20, 4, 8), (16, 1, 8), (12, -2, 8), (18, 7, 3), (10, 3, 2), (40, 20, 16), (48, 30, 31) }
            .Select(c => new Case(c.Item1, c.Item2, c.Item3, round, OverflowMode.Sat, true, EdgeInputs(c.Item1, c.Item2, c.Item3 + 1), Unsigned: true))
            .ToList();
        Assert.Contains(cases, c => c.Inputs.Any(v => FixedPointMath.Requantize(v, c.Shift, c.ArithmeticWidth, round, OverflowMode.Sat) == (1L << c.OutWidth) - 1));
        AssertMatchesGolden(cases);
    }

    [Fact]
    public void Round_half_up_sends_minus_2_5_to_minus_2()
    {
        // -40 at 4 fractional bits is -2.5; shifting out the 4 bits rounds half toward +inf.
        AssertMatchesGolden([new Case(12, 4, 8, RoundingMode.Rnd, OverflowMode.Sat, false, [-40])]);
        Assert.Equal(-2, FixedPointMath.Requantize(-40, 4, 8, RoundingMode.Rnd, OverflowMode.Sat));
    }
}
