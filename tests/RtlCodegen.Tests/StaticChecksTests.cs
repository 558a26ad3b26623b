using LeNetHls.Core.Plan;
using LeNetHls.RtlCodegen;

namespace LeNetHls.RtlCodegen.Tests;

[Trait("Category", "Integration")]
public class StaticChecksTests
{
    [Theory]
    [InlineData("lenet5", 128)]
    [InlineData("lenet5-classic", 8)]
    [InlineData("lenet5-classic", 8, 1)]
    [InlineData("lenet5", 128, 8, 8, true)]
    [InlineData("lenet5", 16, 1, 2, true)]
    public void Generated_rtl_is_verilator_lint_clean_with_all_warnings(string preset, int multipliers, int weightBits = 8, int actBits = 8,
                                                                        bool unsignedRelu = false)
    {
        var model = RtlFixture.Model(preset, weightBits, actBits, unsignedRelu: unsignedRelu);
        string rtl = Path.Combine(RtlFixture.Generate(model, multipliers, "rtl-lint"), CosimRunner.RtlFolder);
        var sources = Directory.GetFiles(rtl, "*.v").Select(Path.GetFileName).ToArray();
        foreach (var defines in new[] { Array.Empty<string>(), ["+define+LENET_DEBUG_TAPS"] })
        {
            var lint = TestProcess.Run("verilator", rtl, ["--lint-only", "-Wall", "--top-module", "lenet5", .. defines, .. sources!]);
            Assert.True(lint.ExitCode == 0 && lint.Output.Trim() == "", lint.Output);
        }
    }

    [Fact]
    public void Generated_rtl_compiles_with_icarus_verilog_2005()
    {
        string rtl = Path.Combine(RtlFixture.Generate(RtlFixture.Model("lenet5-classic"), 8, "rtl-icarus"), CosimRunner.RtlFolder);
        var sources = Directory.GetFiles(rtl, "*.v").Select(Path.GetFileName).ToArray();
        var compile = TestProcess.Run("iverilog", rtl, ["-g2005", "-s", "lenet5", "-o", "/dev/null", .. sources!]);
        Assert.True(compile.ExitCode == 0, compile.Output);
    }

    [Fact]
    public void Lenet5_at_128_multipliers_plans_a_MAC_utilization_of_at_least_0_8()
    {
        var model = RtlFixture.Model("lenet5");
        var plan = FoldingPlanner.Plan(model, 128);
        long ii = plan.Max(f => f.CyclesPerImage);
        Assert.True(plan.Sum(f => f.Multipliers) <= 128);
        Assert.All(plan.Where(f => f.IsCompute), f => Assert.True(f.Multipliers >= 1));
        Assert.True(model.MacsPerImage / (ii * 128.0) >= 0.8, $"II {ii}");
    }

    [Fact]
    public void Heavier_layers_get_more_multipliers()
    {
        var plan = FoldingPlanner.Plan(RtlFixture.Model("lenet5"), 64).Where(f => f.IsCompute).ToDictionary(f => f.Name);
        Assert.True(plan["conv2"].Multipliers > plan["fc1"].Multipliers);
        Assert.True(plan["fc1"].Multipliers > plan["fc3"].Multipliers);
    }

    [Fact]
    public void A_budget_below_one_multiplier_per_compute_layer_is_a_one_line_error()
    {
        var e = Assert.Throws<LeNetHlsException>(() => FoldingPlanner.Plan(RtlFixture.Model("lenet5"), 4));
        Assert.Contains("--multipliers 4", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Weight_rom_words_pack_lane_p_times_simd_plus_s_from_the_low_bits()
    {
        var model = RtlFixture.Model("lenet5");
        string rtl = Path.Combine(RtlFixture.Generate(model, 128, "rtl-rom"), CosimRunner.RtlFolder);
        var plan = CosimRunner.ReadPlan(rtl).Layers.Single(l => l.Name == "conv1");
        var conv1 = model.Layers[0];
        string first = File.ReadLines(Path.Combine(rtl, "l0_conv1_weights.mem")).First();
        var word = System.Numerics.BigInteger.Parse("0" + first, System.Globalization.NumberStyles.HexNumber);
        int bits = conv1.Weights!.Bits;
        for (int p = 0; p < plan.Pe; p++)
        for (int s = 0; s < plan.Simd; s++)
        {
            long raw = (long)((word >> ((p * plan.Simd + s) * bits)) & ((1 << bits) - 1));
            long value = raw >= 1L << (bits - 1) ? raw - (1L << bits) : raw;
            Assert.Equal(conv1.Weights.Data[s * conv1.OutShape.C + p], value);
        }
    }

    [Fact]
    public void A_missing_simulator_tool_is_a_one_line_error_saying_how_to_install_it()
    {
        var e = Assert.Throws<LeNetHlsException>(() => ExternalTool.Require("lenet-hls-no-such-verilator"));
        Assert.Contains("lenet-hls-no-such-verilator", e.Message);
        Assert.Contains("apt-get install verilator yosys", e.Message);
    }

    [Fact]
    public void A_missing_template_is_a_one_line_error_naming_it_and_the_override_variable()
    {
        var e = Assert.Throws<LeNetHlsException>(() => RtlAssets.Template("no-such-template.v.sbn"));
        Assert.Contains("no-such-template.v.sbn", e.Message);
        Assert.Contains(RtlAssets.HomeVariable, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}

public class SynthEstimatorParseTests
{
    [Fact]
    public void Design_totals_are_read_even_when_yosys_prints_the_hierarchy_as_text_inside_its_json()
    {
        const string stat = """
            { "modules": { "\\lenet5": { "num_cells_by_type": { "LUT6": 1 } } },
                   \lenet5 1
                     $paramod\lenet_rom 3
              "design": { "num_cells": 9, "num_cells_by_type": {
                "CARRY4": 2, "DSP48E1": 3, "FDRE": 10, "FDSE": 1, "LUT2": 4, "LUT6": 5, "RAM32M": 6, "RAMB18E1": 7, "RAMB36E1": 8 } } }
            """;
        var e = SynthEstimator.Parse(stat, "lenet5", 1.0);
        Assert.Equal(9, e.Lut);
        Assert.Equal(11, e.Ff);
        Assert.Equal(3, e.Dsp48E1);
        Assert.Equal(7, e.Bram18);
        Assert.Equal(8, e.Bram36);
        Assert.Equal(6, e.LutRamCells);
    }
}
