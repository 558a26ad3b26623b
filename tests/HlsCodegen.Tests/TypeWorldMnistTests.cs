using LeNetHls.Core.Quantized;
using LeNetHls.TestSupport;

namespace LeNetHls.HlsCodegen.Tests;

/// <summary>codegen + csim on all 10,000 MNIST test images, bit-exact against the golden model, in both type worlds.</summary>
[Trait("Category", "Integration")]
public class TypeWorldMnistTests
{
    public static TheoryData<string> Models => new() { "lenet5-w8a8", "lenet5-classic-w8a8", "lenet5-bipolar-mixed" };

    [Theory]
    [MemberData(nameof(Models))]
    public void Csim_with_the_fallback_types_is_bit_exact_on_all_10000_images(string model) =>
        AssertBitExactOnAllImages(model, ApTypes.Fallback());

    [RealApHeadersTheory]
    [MemberData(nameof(Models))]
    public void Csim_with_the_real_Xilinx_headers_is_bit_exact_on_all_10000_images(string model) =>
        AssertBitExactOnAllImages(model, RealApHeaders.Types);

    private static void AssertBitExactOnAllImages(string name, ApTypes types)
    {
        string dir = RepoPaths.NewTempDir("hls-mnist-types");
        string qmodel = Path.Combine(dir, $"{name}.qmodel.json");
        QModelFile.Save(TypeWorldTests.Model(name), qmodel);
        HlsProject.Codegen(qmodel, Path.Combine(dir, "out"), new HlsOptions());
        var report = HlsProject.Csim(Path.Combine(dir, "out"), images: null, RepoPaths.MnistDir, types);
        Assert.Equal(10000, report.Images);
        Assert.Equal(types, report.Types);
        Assert.True(report.Passed, report.Divergence?.ToString());
    }
}
