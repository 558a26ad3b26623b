namespace LeNetHls.HlsCodegen.Tests;

/// <summary>
/// The generated C++ compiles warning-free as C++14 (what Vitis uses) and C++17, in both type worlds:
/// Xilinx's real ap_int headers and the fallback standard integers; and csim says which one it used.
/// </summary>
public class TypeWorldTests
{
    /// <summary>The three models the issue names: lenet5 8-bit, lenet5-classic 8-bit, and a mixed-width model with bipolar layers.</summary>
    internal static QModel Model(string name) => name switch
    {
        "lenet5-w8a8" => SyntheticQModel.Create(Presets.LeNet5(), 8, 8, seed: 2),
        "lenet5-classic-w8a8" => SyntheticQModel.Create(Presets.LeNet5Classic(), 8, 8, seed: 2),
        "lenet5-bipolar-mixed" => TestModels.WithWeightWidths(Presets.LeNet5(), [4, 1, 1, 2, 8]),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    public static TheoryData<string, string> ModelsAndStandards => new()
    {
        { "lenet5-w8a8", "c++14" }, { "lenet5-w8a8", "c++17" },
        { "lenet5-classic-w8a8", "c++14" }, { "lenet5-classic-w8a8", "c++17" },
        { "lenet5-bipolar-mixed", "c++14" }, { "lenet5-bipolar-mixed", "c++17" },
    };

    [Theory]
    [MemberData(nameof(ModelsAndStandards))]
    public void Generated_code_compiles_warning_free_with_the_fallback_integer_types(string model, string standard) =>
        AssertCompilesWarningFree(Model(model), standard, ApTypes.Fallback());

    [RealApHeadersTheory]
    [MemberData(nameof(ModelsAndStandards))]
    public void Generated_code_compiles_warning_free_with_the_real_Xilinx_headers(string model, string standard) =>
        AssertCompilesWarningFree(Model(model), standard, RealApHeaders.Types);

    [Fact]
    public void Bipolar_mixed_model_has_bipolar_and_multibit_layers()
    {
        var widths = Model("lenet5-bipolar-mixed").Layers.Where(l => l.HasWeights).Select(l => l.Weights!.Bits).ToArray();
        Assert.Equal([4, 1, 1, 2, 8], widths);
    }

    [Fact]
    public void Every_rom_is_declared_with_rom_word_and_every_kernel_converts_at_the_point_of_use()
    {
        string hls = Path.Combine(RepoPaths.NewTempDir("hls-romword"), "hls");
        HlsGenerator.Generate(Model("lenet5-classic-w8a8"), hls, new HlsOptions());
        foreach (var header in Directory.EnumerateFiles(Path.Combine(hls, "weights")))
            Assert.Matches(@"static const nnet::rom_word<nnet::(weight_of|int_t)<\d+>::type>::type \w+\[", File.ReadAllText(header));
        foreach (var kernel in new[] { "nnet_conv2d.h", "nnet_dense.h" })
        {
            string text = File.ReadAllText(Path.Combine(hls, "nnet", kernel));
            TextAssert.ContainsAll(text,
                "const typename rom_word<typename CONFIG::weight_t>::type weights[",
                "weight_t(weights[",
                "accum_t(bias_t(biases[co]))");
        }
    }

    /// <summary>
    /// For synthesis (__SYNTHESIS__) a ROM word is the exact ap_int&lt;W&gt; / ap_uint&lt;W&gt;, so Vitis builds ROMs of
    /// the qmodel's widths; in C simulation it is the smallest standard integer. A stand-in ap_int.h is enough
    /// here: only the type selection is checked, and the real header cannot be compiled with __SYNTHESIS__.
    /// </summary>
    [Fact]
    public void Rom_words_are_exact_ap_types_for_synthesis_and_standard_integers_in_c_simulation()
    {
        string dir = RepoPaths.NewTempDir("hls-romword-types");
        File.WriteAllText(Path.Combine(dir, "ap_int.h"), "template <int W, bool S> class ap_int_base {};\ntemplate <int W> class ap_int {};\ntemplate <int W> class ap_uint {};\ntemplate <int W, int I> class ap_fixed {};\n");
        File.WriteAllText(Path.Combine(dir, "check.cpp"), $$"""
            #include <type_traits>
            #include "{{Path.Combine(HlsAssets.KernelDir, "nnet_types.h")}}"
            #ifdef __SYNTHESIS__
            static_assert(std::is_same<nnet::rom_word<ap_int<5> >::type, ap_int<5> >::value, "exact signed width");
            static_assert(std::is_same<nnet::rom_word<ap_uint<1> >::type, ap_uint<1> >::value, "exact bipolar bit");
            #else
            static_assert(std::is_same<nnet::rom_word<ap_int<5> >::type, int8_t>::value, "signed container");
            static_assert(std::is_same<nnet::rom_word<ap_int<17> >::type, int32_t>::value, "signed container");
            static_assert(std::is_same<nnet::rom_word<ap_uint<1> >::type, uint8_t>::value, "unsigned container");
            #endif
            int main() { return 0; }
            """);
        foreach (var synthesis in new[] { "-D__SYNTHESIS__", "-U__SYNTHESIS__" })
        {
            var compile = TestProcess.Run("g++", dir, ["-std=c++14", "-fsyntax-only", "-DLENET_USE_AP_INT", "-isystem", dir, synthesis, "check.cpp"]);
            Assert.True(compile.ExitCode == 0, synthesis + ": " + compile.Stderr);
        }
    }

    /// <summary>The score port is ap_fixed&lt;W, W − F&gt; with the real headers and the integer q without them.</summary>
    [RealApHeadersFact]
    public void Score_port_is_the_ap_fixed_of_the_score_format_with_the_real_headers()
    {
        var model = Model("lenet5-classic-w8a8");
        string hls = Path.Combine(RepoPaths.NewTempDir("hls-port"), "hls");
        HlsGenerator.Generate(model, hls, new HlsOptions());
        int bits = model.Scores.Bits, integerBits = model.Scores.Bits - model.Scores.Frac;
        File.WriteAllText(Path.Combine(hls, "port.cpp"), $$"""
            #include <type_traits>
            #include "lenet5.h"
            #ifdef LENET_USE_AP_INT
            static_assert(std::is_same<score_t, ap_fixed<{{bits}}, {{integerBits}}> >::value, "ap_fixed port");
            #else
            static_assert(std::is_same<score_t, nnet::int_t<{{bits}}>::type>::value, "integer port");
            #endif
            int main() { return 0; }
            """);
        foreach (var real in new[] { true, false })
        {
            var compile = TestProcess.Run("g++", hls, [.. HlsGenerator.CxxFlags, .. RealApHeaders.Flags(real), "-I.", "-fsyntax-only", "port.cpp"]);
            Assert.True(compile.ExitCode == 0, compile.Stderr);
        }
    }

    /// <summary>
    /// An ap_fixed port carries the integer q in its W bits, for any binary point (I below 0, inside or above W):
    /// written from q and read back, every q from the most negative to the largest comes back unchanged.
    /// </summary>
    [RealApHeadersFact]
    public void Ap_fixed_port_values_carry_the_score_integers_bit_for_bit()
    {
        (int W, int I)[] formats = [(8, 6), (8, -2), (8, 12), (4, 0), (16, 3), (32, 20), (20, -5)];
        string dir = RepoPaths.NewTempDir("hls-fixed-port");
        File.WriteAllText(Path.Combine(dir, "port.cpp"), $$"""
            #include <stdio.h>
            #include "{{Path.Combine(HlsAssets.KernelDir, "nnet_types.h")}}"
            template <int W, int I> void check() {
                const long long lo = -(1LL << (W - 1)), hi = (1LL << (W - 1)) - 1;
                const long long qs[] = {lo, lo + 1, -1, 0, 1, hi - 1, hi};
                for (long long q : qs) {
                    const typename nnet::fixed_t<W, I>::type v = nnet::from_raw<typename nnet::fixed_t<W, I>::type>::apply(typename nnet::int_t<W>::type(q));
                    printf("%lld %lld\n", q, nnet::to_wide(v));
                }
            }
            int main() { {{string.Join(" ", formats.Select(f => $"check<{f.W}, {f.I}>();"))}} return 0; }
            """);
        var compile = TestProcess.Run("g++", dir, [.. HlsGenerator.CxxFlags, .. RealApHeaders.Flags(real: true), "-o", "port", "port.cpp"]);
        Assert.True(compile.ExitCode == 0, compile.Stderr);
        var run = TestProcess.Run(Path.Combine(dir, "port"), dir, []);
        Assert.Equal(0, run.ExitCode);
        var rows = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(' ').Select(long.Parse).ToArray()).ToArray();
        Assert.Equal(formats.Length * 7, rows.Length);
        Assert.All(rows, r => Assert.Equal(r[0], r[1]));
        Assert.Contains(rows, r => r[0] == int.MinValue);
    }

    [Fact]
    public void Ap_include_option_comes_first()
    {
        string option = FakeInclude(), variable = FakeInclude();
        var types = ApTypes.Find(option, Variables(("LENET_AP_INCLUDE", variable), ("XILINX_HLS", null)));
        Assert.Equal(option, types.IncludeDir);
        Assert.Equal($"real Xilinx headers at {option} (--ap-include)", types.ToString());
    }

    [Fact]
    public void Environment_variable_comes_before_the_vitis_installation()
    {
        string variable = FakeInclude(), vitis = RepoPaths.NewTempDir("vitis");
        Directory.CreateDirectory(Path.Combine(vitis, "include"));
        File.WriteAllText(Path.Combine(vitis, "include", "ap_int.h"), "");
        Assert.Equal(variable, ApTypes.Find(null, Variables(("LENET_AP_INCLUDE", variable), ("XILINX_HLS", vitis))).IncludeDir);
        var fromVitis = ApTypes.Find(null, Variables(("LENET_AP_INCLUDE", null), ("XILINX_HLS", vitis)));
        Assert.Equal(Path.Combine(vitis, "include"), fromVitis.IncludeDir);
        Assert.Contains("($XILINX_HLS/include)", fromVitis.ToString());
    }

    [Fact]
    public void Nothing_found_means_the_fallback_integer_types_and_the_log_says_so()
    {
        var types = ApTypes.Find(null, Variables(("LENET_AP_INCLUDE", null), ("XILINX_HLS", null)));
        Assert.False(types.IsReal);
        Assert.Equal(["-DLENET_NO_AP_INT"], types.CompilerFlags);
        Assert.StartsWith("fallback integer types", types.ToString());
    }

    [Fact]
    public void A_vitis_installation_without_ap_int_h_falls_back_and_says_why()
    {
        string vitis = RepoPaths.NewTempDir("vitis-empty");
        var types = ApTypes.Find(null, Variables(("LENET_AP_INCLUDE", null), ("XILINX_HLS", vitis)));
        Assert.False(types.IsReal);
        Assert.Equal("fallback integer types ($XILINX_HLS/include has no ap_int.h)", types.ToString());
    }

    [Fact]
    public void A_named_folder_without_ap_int_h_is_one_clear_error()
    {
        string empty = RepoPaths.NewTempDir("no-ap");
        var e = Assert.Throws<LeNetHlsException>(() => ApTypes.Find(empty, Variables(("LENET_AP_INCLUDE", null), ("XILINX_HLS", null))));
        Assert.Contains(empty, e.Message);
        Assert.Contains("no ap_int.h in this folder (--ap-include)", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [RealApHeadersFact]
    public void Csim_with_the_real_headers_reports_them_and_matches_the_golden_model()
    {
        var model = Model("lenet5-bipolar-mixed");
        string dir = RepoPaths.NewTempDir("hls-real-csim");
        HlsGenerator.Generate(model, Path.Combine(dir, "hls"), new HlsOptions());
        var report = CsimRunner.Run(model, Path.Combine(dir, "hls"), Path.Combine(dir, "tb_data"), TestModels.Images(30), RealApHeaders.Types);
        Assert.True(report.Passed, report.Divergence?.ToString());
        Assert.True(report.Types.IsReal);
        Assert.Contains($"real Xilinx headers at {RealApHeaders.Dir}", report.Types.ToString());
    }

    [Fact]
    public void Csim_with_the_fallback_types_reports_them()
    {
        var model = Model("lenet5-w8a8");
        string dir = RepoPaths.NewTempDir("hls-fallback-csim");
        HlsGenerator.Generate(model, Path.Combine(dir, "hls"), new HlsOptions());
        var report = CsimRunner.Run(model, Path.Combine(dir, "hls"), Path.Combine(dir, "tb_data"), TestModels.Images(10), ApTypes.Fallback());
        Assert.True(report.Passed, report.Divergence?.ToString());
        Assert.False(report.Types.IsReal);
    }

    [Fact]
    public void Generated_makefile_chooses_the_type_world_as_csim_does()
    {
        string hls = Path.Combine(RepoPaths.NewTempDir("hls-make"), "hls");
        HlsGenerator.Generate(Model("lenet5-w8a8"), hls, new HlsOptions());
        string include = FakeInclude(), vitis = RepoPaths.NewTempDir("vitis-make");
        Directory.CreateDirectory(Path.Combine(vitis, "include"));
        File.WriteAllText(Path.Combine(vitis, "include", "ap_int.h"), "");

        Assert.Contains($"-DLENET_USE_AP_INT -isystem {include} ", DryRunMake(hls, [$"AP_INCLUDE={include}"], ("LENET_AP_INCLUDE", null), ("XILINX_HLS", null)));
        Assert.Contains($"-DLENET_USE_AP_INT -isystem {include} ", DryRunMake(hls, [], ("LENET_AP_INCLUDE", include), ("XILINX_HLS", vitis)));
        Assert.Contains($"-DLENET_USE_AP_INT -isystem {vitis}/include ", DryRunMake(hls, [], ("LENET_AP_INCLUDE", null), ("XILINX_HLS", vitis)));
        Assert.Contains("-DLENET_NO_AP_INT ", DryRunMake(hls, [], ("LENET_AP_INCLUDE", null), ("XILINX_HLS", null)));
    }

    /// <summary>The commands `make -n` would run in <paramref name="dir"/>, with the given variables set or (null) removed.</summary>
    private static string DryRunMake(string dir, string[] args, params (string Name, string? Value)[] environment)
    {
        var info = new System.Diagnostics.ProcessStartInfo("make") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-n", .. args]) info.ArgumentList.Add(a);
        foreach (var (name, value) in environment)
            if (value is null) info.Environment.Remove(name); else info.Environment[name] = value;
        using var p = System.Diagnostics.Process.Start(info)!;
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
        return stdout;
    }

    /// <summary>lenet5.cpp and the testbench, -O2 (the uninitialized-value warnings need the optimizer), -Wall -Wextra -Werror.</summary>
    private static void AssertCompilesWarningFree(QModel model, string standard, ApTypes types)
    {
        string hls = Path.Combine(RepoPaths.NewTempDir("hls-std"), "hls");
        HlsGenerator.Generate(model, hls, new HlsOptions { MultipliersPerLayer = 8 });
        var flags = HlsGenerator.CxxFlags.Select(f => f.StartsWith("-std=", StringComparison.Ordinal) ? $"-std={standard}" : f).ToList();
        Assert.Contains($"-std={standard}", flags);
        Assert.Contains("-Werror", flags);
        var compile = TestProcess.Run("g++", hls, [.. flags, .. types.CompilerFlags, "-I.", "-o", "tb.bin", "lenet5.cpp", "tb/lenet5_tb.cpp"]);
        Assert.True(compile.ExitCode == 0, compile.Stderr);
        Assert.Equal("", compile.Stderr);
    }

    private static string FakeInclude()
    {
        string dir = RepoPaths.NewTempDir("ap-include");
        File.WriteAllText(Path.Combine(dir, "ap_int.h"), "");
        return dir;
    }

    private static Func<string, string?> Variables(params (string Name, string? Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;
}
