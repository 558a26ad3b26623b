using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LeNetHls.HlsCodegen.Tests;

/// <summary>What the generated folder contains and that it stands on its own.</summary>
public class GeneratedProjectTests
{
    private static string Generate(QModel model, HlsOptions? options = null)
    {
        string hls = Path.Combine(RepoPaths.NewTempDir("hls-gen"), "hls");
        HlsGenerator.Generate(model, hls, options ?? new HlsOptions());
        return hls;
    }

    private static readonly QModel Lenet5 = SyntheticQModel.Create(Presets.LeNet5(), 8, 8, seed: 2);
    private static readonly QModel Classic = SyntheticQModel.Create(Presets.LeNet5Classic(), 8, 8, seed: 2);

    [Fact]
    public void Top_function_has_the_fixed_interface_and_port_pragmas()
    {
        string hls = Generate(Lenet5);
        string header = File.ReadAllText(Path.Combine(hls, "lenet5.h"));
        string top = File.ReadAllText(Path.Combine(hls, "lenet5.cpp"));
        TextAssert.ContainsAll(header,
            "static const unsigned LENET_N_PIXELS = 784;",
            "static const unsigned LENET_N_CLASSES = 10;",
            "typedef nnet::pixel_type pixel_t;",
            $"typedef nnet::fixed_t<8, {8 - Lenet5.Scores.Frac}>::type score_t;",
            "void lenet5(const pixel_t pixels[LENET_N_PIXELS], score_t scores[LENET_N_CLASSES]);");
        TextAssert.ContainsAll(top,
            "void lenet5(const pixel_t pixels[LENET_N_PIXELS], score_t scores[LENET_N_CLASSES]) {",
            "#pragma HLS INTERFACE mode=axis port=pixels",
            "#pragma HLS INTERFACE mode=axis port=scores",
            "#pragma HLS INTERFACE mode=ap_ctrl_hs port=return",
            "#pragma HLS DATAFLOW");
    }

    [Fact]
    public void Weight_bias_and_tanh_headers_hold_exactly_the_qmodel_integers()
    {
        string hls = Generate(Classic);
        Assert.Equal(4, Classic.Layers.Count(l => l.Tanh is not null));
        foreach (var layer in Classic.Layers.Where(l => l.HasWeights))
        {
            Assert.Equal(layer.Weights!.Data, RomIntegers(Path.Combine(hls, "weights", $"w_{layer.Name}.h")));
            Assert.Equal(layer.Bias!.Data, RomIntegers(Path.Combine(hls, "weights", $"b_{layer.Name}.h")));
            if (layer.Tanh is not null)
                Assert.Equal(layer.Tanh.Table, RomIntegers(Path.Combine(hls, "weights", $"tanh_{layer.Name}.h")));
        }
    }

    [Fact]
    public void Rom_headers_state_format_shape_and_layout()
    {
        string text = File.ReadAllText(Path.Combine(Generate(Lenet5), "weights", "w_conv2.h"));
        var w = Lenet5.Layers[2].Weights!;
        TextAssert.ContainsAll(text,
            $"Format fx<8,{w.Frac}> = ap_fixed<8,{8 - w.Frac}>",
            "Shape [5, 5, 6, 16] in layout [kh][kw][in][out]",
            "w_conv2[150][16] = {");
    }

    [Fact]
    public void Weight_roms_are_bound_to_rom_and_partitioned_for_the_multipliers()
    {
        string top = File.ReadAllText(Path.Combine(Generate(Lenet5, new HlsOptions { MultipliersPerLayer = 8 }), "lenet5.cpp"));
        TextAssert.ContainsAll(top,
            "#pragma HLS BIND_STORAGE variable=w_fc1 type=rom_1p impl=bram",
            "#pragma HLS ARRAY_PARTITION variable=w_conv1 cyclic factor=6 dim=2",
            "#pragma HLS ARRAY_PARTITION variable=w_conv2 cyclic factor=8 dim=2",
            "#pragma HLS ARRAY_PARTITION variable=w_fc2 cyclic factor=7 dim=2",
            "#pragma HLS ARRAY_PARTITION variable=w_fc3 cyclic factor=5 dim=2");
    }

    [Fact]
    public void Single_multiplier_layers_are_not_partitioned()
    {
        string top = File.ReadAllText(Path.Combine(Generate(Lenet5, new HlsOptions { MultipliersPerLayer = 1 }), "lenet5.cpp"));
        Assert.DoesNotContain("ARRAY_PARTITION", top);
    }

    [Theory]
    [InlineData(6, 8, 6)]
    [InlineData(16, 8, 8)]
    [InlineData(84, 8, 7)]
    [InlineData(10, 4, 2)]
    [InlineData(7, 6, 1)]
    [InlineData(120, 1000, 120)]
    public void Each_layer_uses_the_largest_divisor_of_its_channels_within_the_multipliers(int channels, int multipliers, int expected) =>
        Assert.Equal(expected, HlsGenerator.Parallelism(channels, multipliers));

    [Fact]
    public void Connection_table_is_emitted_for_c3_only()
    {
        string config = File.ReadAllText(Path.Combine(Generate(Classic), "lenet5_config.h"));
        Assert.Single(Regex.Matches(config, "has_connections = true"));
        // Row 0 of the table is input channel 0: LeCun's Table I connects it to maps 0, 4, 5, 6, 9, 10, 11, 12, 14, 15.
        Assert.Contains("{true, false, false, false, true, true, true, false, false, true, true, true, true, false, true, true},", config);
    }

    [Fact]
    public void Vitis_scripts_carry_part_clock_and_every_step()
    {
        string hls = Generate(Lenet5, new HlsOptions { Part = "xcu250-figd2104-2L-e", ClockNs = 4.5 });
        string tcl = File.ReadAllText(Path.Combine(hls, "run_hls.tcl"));
        foreach (var line in new[] { "open_project", "set_top lenet5", "add_files lenet5.cpp", "add_files -tb tb/lenet5_tb.cpp",
                                     "set_part xcu250-figd2104-2L-e", "create_clock -period 4.5", "csim_design", "csynth_design",
                                     "cosim_design", "export_design" })
            Assert.Contains(line, tcl);
        string cfg = File.ReadAllText(Path.Combine(hls, "hls_config.cfg"));
        TextAssert.ContainsAll(cfg,
            "part=xcu250-figd2104-2L-e",
            "clock=4.5ns",
            "syn.top=lenet5");
    }

    [Fact]
    public void Default_part_and_clock_are_the_zynq_7020_at_10_ns()
    {
        string tcl = File.ReadAllText(Path.Combine(Generate(Lenet5), "run_hls.tcl"));
        Assert.Contains("set_part xc7z020clg400-1", tcl);
        Assert.Contains("create_clock -period 10 ", tcl);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void Copied_folder_builds_warning_free_with_g_plus_plus_alone_and_passes()
    {
        string original = Generate(Classic);
        string copy = Path.Combine(RepoPaths.NewTempDir("hls-copy"), "elsewhere");
        foreach (var file in Directory.EnumerateFiles(original, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(copy, Path.GetRelativePath(original, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        Directory.Delete(original, recursive: true);

        var compile = TestProcess.Run("g++", copy, [.. HlsGenerator.CxxFlags, "-I.", "-o", "tb.bin", "lenet5.cpp", "tb/lenet5_tb.cpp"]);
        Assert.True(compile.ExitCode == 0, compile.Stderr);
        Assert.Equal("", compile.Stderr);

        var images = TestModels.Images(20);
        string tbData = Path.Combine(copy, "..", "tb_data");
        Directory.CreateDirectory(tbData);
        TestVectors.Write(tbData, images, GoldenScores.Compute(Classic, images));
        var run = TestProcess.Run(Path.Combine(copy, "tb.bin"), copy, []);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("csim: 20 images, 0 mismatched", run.Stdout);
    }

    [Fact]
    public void Regenerating_for_another_model_leaves_no_stale_rom_headers()
    {
        string hls = Generate(Classic);
        HlsGenerator.Generate(Lenet5, hls, new HlsOptions());
        Assert.False(File.Exists(Path.Combine(hls, "weights", "w_c1.h")));
        Assert.True(File.Exists(Path.Combine(hls, "weights", "w_conv1.h")));
    }

    [Theory]
    [InlineData("conv1", "conv1")]
    [InlineData("Conv-1", "conv_1")]
    [InlineData("1st", "layer4_1st")]
    public void Layer_names_become_cpp_identifiers(string name, string expected) =>
        Assert.Equal(expected, HlsGenerator.Identifier(name, 4, new HashSet<string>()));

    [Fact]
    public void Clashing_layer_names_get_their_index()
    {
        var taken = new HashSet<string>();
        Assert.Equal("a_b", HlsGenerator.Identifier("a-b", 0, taken));
        Assert.Equal("a_b_1", HlsGenerator.Identifier("a.b", 1, taken));
    }

    /// <summary>Every integer between the array's opening and closing brace, in order; fails on anything else.</summary>
    internal static int[] RomIntegers(string header)
    {
        string text = File.ReadAllText(header);
        int start = text.IndexOf("= {", StringComparison.Ordinal) + 3, end = text.IndexOf("};", start, StringComparison.Ordinal);
        string body = text[start..end];
        Assert.Matches(new Regex(@"^[\s{},0-9-]*$"), body);
        return Regex.Matches(body, "-?[0-9]+").Select(m => int.Parse(m.Value)).ToArray();
    }
}
