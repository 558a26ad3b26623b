using System.Text.Json;
using System.Text.RegularExpressions;
using LeNetHls.Core.Plan;
using LeNetHls.RtlCodegen;

namespace LeNetHls.HlsCodegen.Tests;

/// <summary>One AcceleratorPlan, handed to both generators as codegen does.</summary>
public sealed class AcceleratorPlanCodegenTests : IDisposable
{
    private static readonly QModel Lenet5 = SyntheticQModel.Create(Presets.LeNet5(), weightBits: 8, actBits: 8);
    private readonly List<string> _dirs = [];

    public void Dispose()
    {
        foreach (var dir in _dirs) Directory.Delete(dir, recursive: true);
    }

    private string Generate(QModel model, AcceleratorPlan plan)
    {
        string dir = RepoPaths.NewTempDir("plan-codegen");
        _dirs.Add(dir);
        HlsGenerator.Generate(model, Path.Combine(dir, HlsProject.HlsFolder), plan, HlsOptions.DefaultPart);
        RtlGenerator.Generate(model, Path.Combine(dir, CosimRunner.RtlFolder), plan);
        return dir;
    }

    private static int Parallel(string config, string layer) =>
        int.Parse(Regex.Match(config, $@"struct config_{layer} \{{.*?static const unsigned parallel = (\d+);", RegexOptions.Singleline).Groups[1].Value);

    [Fact]
    public void The_config_header_names_the_total_budget_and_each_layers_share()
    {
        string dir = Generate(Lenet5, AcceleratorPlan.Create(Lenet5, 128));
        string config = File.ReadAllText(Path.Combine(dir, "hls", "lenet5_config.h"));
        Assert.Contains("multiplier budget M = 128 in total, shared as conv1 39, conv2 68, fc1 14, fc2 3, fc3 1;", config);
        Assert.DoesNotContain("per layer.", config);
    }

    [Fact]
    public void Each_hls_layer_unrolls_within_its_share_of_the_plan()
    {
        string dir = Generate(Lenet5, AcceleratorPlan.Create(Lenet5, 128));
        string config = File.ReadAllText(Path.Combine(dir, "hls", "lenet5_config.h"));
        // Largest divisor of the output channels within the share: 6 of 39, 16 of 68, 12 of 14 (120), 3 of 3 (84), 1 of 1.
        Assert.Equal([6, 16, 12, 3, 1], new[] { "conv1", "conv2", "fc1", "fc2", "fc3" }.Select(l => Parallel(config, l)));
    }

    [Fact]
    public void The_rtl_folds_the_same_plan_the_hls_unrolls()
    {
        var plan = AcceleratorPlan.Create(Lenet5, 64);
        string dir = Generate(Lenet5, plan);
        var written = CosimRunner.ReadPlan(Path.Combine(dir, CosimRunner.RtlFolder));
        Assert.Equal(64, written.Multipliers);
        Assert.Equal(plan.Layers.Select(l => (l.Folding.Name, l.Folding.Pe, l.Folding.Simd)),
                     written.Layers.Select(l => (l.Name, l.Pe, l.Simd)));
        Assert.Equal(plan.EstimatedII, written.EstimatedII);
    }

    [Fact]
    public void The_plans_clock_reaches_the_vitis_scripts_and_the_rtl_plan()
    {
        string dir = Generate(Lenet5, AcceleratorPlan.Create(Lenet5, 128, clockNs: 4.5));
        Assert.Contains("create_clock -period 4.5 -name default", File.ReadAllText(Path.Combine(dir, "hls", "run_hls.tcl")));
        Assert.Contains("clock=4.5ns", File.ReadAllText(Path.Combine(dir, "hls", "hls_config.cfg")));
        Assert.Equal(4.5, CosimRunner.ReadPlan(Path.Combine(dir, CosimRunner.RtlFolder)).ClockNs);
    }

    [Fact]
    public void A_plan_file_without_a_clock_was_planned_at_10_ns()
    {
        string json = """{"model":"m","top":"lenet5","multipliers":8,"multipliersUsed":8,"macsPerImage":1,"scoreWidth":8,"classes":10,"pixels":784,"estimatedII":1,"layers":[]}""";
        Assert.Equal(10, JsonSerializer.Deserialize<RtlPlan>(json, RtlPlan.Json)!.ClockNs);
    }

    [Theory]
    [InlineData(RoundingMode.RndConv, OverflowMode.Wrap, "Rounding rnd_conv (AP_RND_CONV), overflow wrap (AP_WRAP);", "ROUND_HALF_EVEN", "WRAP")]
    [InlineData(RoundingMode.Trn, OverflowMode.Sat, "Rounding trn (AP_TRN), overflow sat (AP_SAT);", "TRUNCATE", "SATURATE")]
    public void The_config_header_spells_the_modes_through_the_core_names(RoundingMode rounding, OverflowMode overflow,
                                                                           string header, string kernelRounding, string kernelOverflow)
    {
        var model = SyntheticQModel.Create(Presets.LeNet5(), weightBits: 8, actBits: 8, rounding: rounding, overflow: overflow);
        string config = File.ReadAllText(Path.Combine(Generate(model, AcceleratorPlan.Create(model, 32)), "hls", "lenet5_config.h"));
        Assert.Contains(header, config);
        Assert.Contains($"static const nnet::rounding_mode rounding = nnet::{kernelRounding};", config);
        Assert.Contains($"static const nnet::overflow_mode overflow = nnet::{kernelOverflow};", config);
    }
}
