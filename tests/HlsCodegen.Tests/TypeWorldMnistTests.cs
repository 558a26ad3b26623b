namespace LeNetHls.HlsCodegen.Tests;

/// <summary>
/// codegen + csim on MNIST test images, bit-exact against the golden model, in both type worlds: all 10,000 with
/// the fallback types; 1,000 with Xilinx's headers, whose ap_private arithmetic simulates 15 to 45 times slower
/// (the 10,000-image run with them is `bench/hls_compile_bench.sh --csim`, figures in bench/RESULTS.md).
/// </summary>
[Trait("Category", "Integration")]
public class TypeWorldMnistTests
{
    public static TheoryData<string> Models => new() { "lenet5-w8a8", "lenet5-classic-w8a8", "lenet5-bipolar-mixed" };

    [Theory]
    [MemberData(nameof(Models))]
    public void Csim_with_the_fallback_types_is_bit_exact_on_all_10000_images(string model) =>
        AssertBitExact(model, ApTypes.Fallback(), images: null, expected: 10000);

    [RealApHeadersTheory]
    [MemberData(nameof(Models))]
    public void Csim_with_the_real_Xilinx_headers_is_bit_exact_on_the_first_1000_images(string model) =>
        AssertBitExact(model, RealApHeaders.Types, images: 1000, expected: 1000);

    private static void AssertBitExact(string name, ApTypes types, int? images, int expected)
    {
        string dir = RepoPaths.NewTempDir("hls-mnist-types");
        string qmodel = Path.Combine(dir, $"{name}.qmodel.json");
        QModelFile.Save(TypeWorldTests.Model(name), qmodel);
        HlsProject.Codegen(qmodel, Path.Combine(dir, "out"), new HlsOptions());
        var report = HlsProject.Csim(Path.Combine(dir, "out"), images, RepoPaths.MnistDir, types);
        Assert.Equal(expected, report.Images);
        Assert.Equal(types, report.Types);
        Assert.True(report.Passed, report.Divergence?.ToString());
    }
}
