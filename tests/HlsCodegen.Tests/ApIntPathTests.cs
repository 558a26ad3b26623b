namespace LeNetHls.HlsCodegen.Tests;

/// <summary>
/// The build with Xilinx's real ap_int.h (LENET_USE_AP_INT) gives the golden scores, as the standard-integer
/// build does: any narrowing the kernels do not saturate first would wrap in ap_int&lt;W&gt; and show.
/// </summary>
[Trait("Category", "Integration")]
public class ApIntPathTests
{
    public static TheoryData<string, int, int, OverflowMode, bool, int> Models => new()
    {
        { "lenet5", 8, 8, OverflowMode.Sat, false, 9 },
        { "lenet5", 16, 16, OverflowMode.Sat, false, 9 },
        { "lenet5", 8, 6, OverflowMode.Wrap, false, 9 },
        { "lenet5-classic", 8, 8, OverflowMode.Sat, false, 9 },
        // Bipolar weights: +1 in a 1-bit signed ROM would wrap to -1; the ROM holds s in ap_uint<1>.
        { "lenet5", 1, 8, OverflowMode.Sat, false, 9 },
        { "lenet5-classic", 1, 8, OverflowMode.Wrap, false, 9 },
        // Unsigned ReLU activations in ap_uint<W>: a value >= 2^(W-1) in an ap_int<W> would wrap negative. Seeds
        // whose models produce such values on these images; every layer of the image with the most is compared too.
        { "lenet5", 8, 8, OverflowMode.Sat, true, 4 },
        { "lenet5", 4, 4, OverflowMode.Sat, true, 2 },
        { "lenet5", 1, 2, OverflowMode.Sat, true, 1 },
    };

    [RealApHeadersTheory]
    [MemberData(nameof(Models))]
    public void Ap_int_build_scores_equal_the_golden_scores(string preset, int weightBits, int actBits, OverflowMode overflow, bool unsignedRelu, int seed)
    {
        var model = SyntheticQModel.Create(Presets.Get(preset), weightBits, actBits, seed, overflow: overflow, unsignedRelu: unsignedRelu);
        string dir = RepoPaths.NewTempDir("hls-apint");
        string hls = Path.Combine(dir, "hls");
        HlsGenerator.Generate(model, hls, new HlsOptions());

        var compile = TestProcess.Run("g++", hls,
            [.. HlsGenerator.CxxFlags, .. RealApHeaders.Flags(real: true), "-I.", "-o", "tb_ap", "lenet5.cpp", "tb/lenet5_tb.cpp"]);
        Assert.True(compile.ExitCode == 0, compile.Stderr);

        var images = TestModels.Images(60);
        string tbData = Path.Combine(dir, "tb_data");
        Directory.CreateDirectory(tbData);
        TestVectors.Write(tbData, images, GoldenScores.Compute(model, images));
        var run = TestProcess.Run(Path.Combine(hls, "tb_ap"), hls, [tbData]);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        if (unsignedRelu) UnsignedTests.AssertTraceEqualsGolden(model, hls, tbData, images, UnsignedTests.MostLargeValues(model, images), apInt: true);
    }
}
