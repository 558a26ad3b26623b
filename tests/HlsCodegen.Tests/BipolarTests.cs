using System.Text;
using System.Text.RegularExpressions;

namespace LeNetHls.HlsCodegen.Tests;

/// <summary>
/// 1-bit bipolar weights (docs/fixed-point.md §1): the ROM holds s = (q + 1) / 2 in a 1-bit unsigned
/// type, and the MAC computes s ? x : -x at the exact width, in both type worlds.
/// </summary>
[Trait("Category", "Integration")]
public class BipolarTests
{
    /// <summary>fc3's weights of input 0 to outputs 0..9.</summary>
    private static readonly int[] Fc3Row0 = [1, -1, -1, 1, 1, 1, -1, 1, -1, -1];

    private static QModel BipolarLenet5()
    {
        var model = SyntheticQModel.Create(Presets.LeNet5(), weightBits: 1, actBits: 8, seed: 13);
        var layers = model.Layers.ToList();
        var fc3 = layers[^1];
        var w = (int[])fc3.Weights!.Data.Clone();
        Fc3Row0.CopyTo(w, 0);
        layers[^1] = fc3 with { Weights = fc3.Weights with { Data = w } };
        var result = model with { Layers = layers };
        QModelFile.Validate(result, "<bipolar>");
        return result;
    }

    private static string Generate(QModel model)
    {
        string hls = Path.Combine(RepoPaths.NewTempDir("hls-bipolar"), "hls");
        HlsGenerator.Generate(model, hls, new HlsOptions());
        return hls;
    }

    [Fact]
    public void Bipolar_rom_row_holds_1_for_plus_1_and_0_for_minus_1()
    {
        string text = File.ReadAllText(Path.Combine(Generate(BipolarLenet5()), "weights", "w_fc3.h"));
        Assert.Contains("static const nnet::rom_word<nnet::weight_of<1>::type>::type w_fc3[84][10] = {\n    {1, 0, 0, 1, 1, 1, 0, 1, 0, 0},\n", text);
        Assert.Contains("Stored as the bit s = (q + 1) / 2, 1 for q = +1 and 0 for q = -1, in a 1-bit unsigned type", text);
    }

    [Fact]
    public void Every_bipolar_rom_holds_only_the_bits_of_its_weights()
    {
        var model = BipolarLenet5();
        string hls = Generate(model);
        foreach (var layer in model.Layers.Where(l => l.HasWeights))
        {
            Assert.Equal(FixedPointMath.BipolarBits, layer.Weights!.Bits);
            var bits = GeneratedProjectTests.RomIntegers(Path.Combine(hls, "weights", $"w_{layer.Name}.h"));
            Assert.Equal(layer.Weights.Data.Select(q => q == 1 ? 1 : 0), bits);
        }
    }

    [Fact]
    public void Bipolar_layer_config_selects_the_negation_product_one_bit_wider_than_its_input()
    {
        string config = File.ReadAllText(Path.Combine(Generate(BipolarLenet5()), "lenet5_config.h"));
        string fc2 = Regex.Match(config, @"struct config_fc2 \{.*?\};", RegexOptions.Singleline).Value;
        Assert.Contains("typedef nnet::weight_of<1>::type weight_t;", fc2);
        Assert.Contains("typedef nnet::weight_of<1>::product product;", fc2);
        // Input fx<8,F>: -(-128) = 128 needs 9 bits.
        Assert.Contains("typedef nnet::int_t<9>::type mult_t;", fc2);
    }

    [Fact]
    public void Multibit_layers_keep_twos_complement_roms_and_the_multiplier()
    {
        var model = TestModels.WithWeightWidths(Presets.LeNet5(), [2, 1, 16, 1, 5]);
        string hls = Generate(model);
        string config = File.ReadAllText(Path.Combine(hls, "lenet5_config.h"));
        Assert.Contains("typedef nnet::weight_of<2>::product product;", config);
        Assert.Equal(model.Layers[0].Weights!.Data, GeneratedProjectTests.RomIntegers(Path.Combine(hls, "weights", "w_conv1.h")));
        Assert.Contains("static const nnet::rom_word<nnet::weight_of<2>::type>::type w_conv1[25][6]", File.ReadAllText(Path.Combine(hls, "weights", "w_conv1.h")));
    }

    [RealApHeadersFact]
    public void Bipolar_product_is_x_or_minus_x_with_the_real_Xilinx_headers() =>
        Bipolar_product_is_x_or_minus_x_and_negates_the_most_negative_input_exactly(apInt: true);

    [Theory]
    [InlineData(false)]
    public void Bipolar_product_is_x_or_minus_x_and_negates_the_most_negative_input_exactly(bool apInt)
    {
        int[] xs = [-128, -127, -1, 0, 1, 127];
        var src = new StringBuilder();
        src.AppendLine("#include <stdio.h>");
        src.AppendLine("#include <type_traits>");
        src.AppendLine($"#include \"{Path.Combine(HlsAssets.KernelDir, "nnet_mult.h")}\"");
        // What the generator emits for a bipolar layer with an 8-bit input.
        src.AppendLine("struct config { typedef nnet::int_t<9>::type mult_t; typedef nnet::weight_of<1>::product product; };");
        src.AppendLine(apInt
            ? "static_assert(std::is_same<nnet::weight_of<1>::type, ap_uint<1> >::value, \"1-bit unsigned ROM\");"
            : "static_assert(std::is_same<nnet::weight_of<1>::type, uint8_t>::value, \"smallest standard type\");");
        src.AppendLine("int main() {");
        src.AppendLine($"    const long long xs[] = {{{string.Join(", ", xs)}}};");
        src.AppendLine("    for (long long x : xs)");
        src.AppendLine("        for (int s = 0; s <= 1; s++)");
        src.AppendLine("            printf(\"%lld\\n\", nnet::to_wide(nnet::product<config>(nnet::int_t<8>::type(x), nnet::weight_of<1>::type(s))));");
        src.AppendLine("    return 0;");
        src.AppendLine("}");
        string dir = RepoPaths.NewTempDir("hls-bipolar-product");
        File.WriteAllText(Path.Combine(dir, "product.cpp"), src.ToString());
        var world = RealApHeaders.Flags(apInt);
        var compile = TestProcess.Run("g++", dir, [.. HlsGenerator.CxxFlags, .. world, "-o", "product", "product.cpp"]);
        Assert.True(compile.ExitCode == 0, compile.Stderr);
        var run = TestProcess.Run(Path.Combine(dir, "product"), dir, []);
        Assert.Equal(0, run.ExitCode);
        var expected = xs.SelectMany(x => new long[] { -x, x });
        Assert.Equal(expected, run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse));
    }

    [Theory]
    [InlineData("lenet5", 8, RoundingMode.Rnd, OverflowMode.Sat, 8)]
    [InlineData("lenet5", 4, RoundingMode.Trn, OverflowMode.Wrap, 3)]
    [InlineData("lenet5-classic", 8, RoundingMode.RndConv, OverflowMode.Sat, 16)]
    public void Csim_of_a_bipolar_model_equals_the_golden_model(string preset, int actBits, RoundingMode rounding, OverflowMode overflow, int multipliers)
    {
        var model = SyntheticQModel.Create(Presets.Get(preset), weightBits: 1, actBits, seed: 17, rounding, overflow);
        Assert.Contains(model.Layers, l => l.Weights?.Bits == FixedPointMath.BipolarBits);
        string dir = RepoPaths.NewTempDir("hls-bipolar-csim");
        HlsGenerator.Generate(model, Path.Combine(dir, "hls"), new HlsOptions { MultipliersPerLayer = multipliers });
        var report = CsimRunner.Run(model, Path.Combine(dir, "hls"), Path.Combine(dir, "tb_data"), TestModels.Images(40));
        Assert.True(report.Passed, report.Divergence?.ToString());
        Assert.Equal(40, report.Images);
    }
}
