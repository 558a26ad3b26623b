using System.Globalization;
using System.Text;

namespace LeNetHls.HlsCodegen.Tests;

/// <summary>The C++ requantization of hls/nnet equals FixedPointMath (docs/fixed-point.md §4) on edge values.</summary>
[Trait("Category", "Integration")]
public class KernelArithmeticTests
{
    private static readonly int[] Shifts = [-3, -1, 0, 1, 2, 3, 5];
    private static readonly int[] Widths = [2, 3, 5, 8];
    private static readonly RoundingMode[] Roundings = [RoundingMode.Rnd, RoundingMode.Trn, RoundingMode.RndConv];
    private static readonly OverflowMode[] Overflows = [OverflowMode.Sat, OverflowMode.Wrap];
    private const int Range = 70;

    [Fact]
    public void Cpp_requantize_equals_FixedPointMath_for_every_mode_shift_and_width()
    {
        var combos = (from s in Shifts from w in Widths from r in Roundings from o in Overflows select (s, w, r, o)).ToArray();
        var output = CompileAndRun(combos);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2 * Range + 1, rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            long acc = i - Range;
            var values = rows[i].Split(' ').Select(long.Parse).ToArray();
            for (int c = 0; c < combos.Length; c++)
            {
                var (s, w, r, o) = combos[c];
                Assert.True(FixedPointMath.Requantize(acc, s, w, r, o) == values[c], $"acc {acc}, shift {s}, width {w}, {r}, {o}: C++ gave {values[c]}");
            }
        }
    }

    [Theory]
    [InlineData(-5, 1, -2)]   // -2.5 rounds half up to -2
    [InlineData(5, 1, 3)]     //  2.5 rounds half up to 3
    [InlineData(-7, 2, -2)]   // -1.75 rounds to -2
    public void Cpp_round_half_up_goes_toward_plus_infinity(long acc, int shift, long expected)
    {
        var output = CompileAndRun([(shift, 8, RoundingMode.Rnd, OverflowMode.Sat)]);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected, long.Parse(rows[acc + Range]));
    }

    /// <summary>Runs nnet::requantize for each combination on acc = -Range..Range; one output row per acc.</summary>
    private static string CompileAndRun((int S, int W, RoundingMode R, OverflowMode O)[] combos)
    {
        string dir = RepoPaths.NewTempDir("hls-arith");
        var src = new StringBuilder();
        src.AppendLine("#include <stdio.h>");
        src.AppendLine($"#include \"{Path.Combine(HlsAssets.KernelDir, "nnet_requant.h")}\"");
        src.AppendLine("int main() {");
        src.AppendLine($"    for (long long acc = -{Range}; acc <= {Range}; acc++) {{");
        for (int c = 0; c < combos.Length; c++)
        {
            var (s, w, r, o) = combos[c];
            string rounding = r switch { RoundingMode.Rnd => "ROUND_HALF_UP", RoundingMode.Trn => "TRUNCATE", _ => "ROUND_HALF_EVEN" };
            string overflow = o == OverflowMode.Sat ? "SATURATE" : "WRAP";
            src.AppendLine(CultureInfo.InvariantCulture,
                $"        printf(\"%lld%s\", nnet::requantize<{s}, {w}, nnet::{rounding}, nnet::{overflow}>(acc), \"{(c + 1 < combos.Length ? " " : "\\n")}\");");
        }
        src.AppendLine("    }");
        src.AppendLine("    return 0;");
        src.AppendLine("}");
        File.WriteAllText(Path.Combine(dir, "requant.cpp"), src.ToString());
        var compile = TestProcess.Run("g++", dir, [.. HlsGenerator.CxxFlags, "-o", "requant", "requant.cpp"]);
        Assert.True(compile.ExitCode == 0, compile.Stderr);
        var run = TestProcess.Run(Path.Combine(dir, "requant"), dir, []);
        Assert.Equal(0, run.ExitCode);
        return run.Stdout;
    }
}
