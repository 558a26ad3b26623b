using System.Text.Json;

namespace LeNetHls.Onnx.Tests;

/// <summary>The PyTorch-exported fixtures (tests/fixtures/onnx/make_fixtures.py) import to models that compute PyTorch's logits.</summary>
public class FixtureImportTests
{
    [Theory]
    [InlineData("lenet5")]
    [InlineData("small3x3")]
    [InlineData("gemm")]
    public void Each_pytorch_fixture_imports_and_our_float_inference_matches_pytorchs_logits_within_1e_4(string name)
    {
        var model = OnnxImporter.Import(Ort.Fixture(name + ".onnx"), name);
        using var doc = JsonDocument.Parse(File.ReadAllText(Ort.Fixture(name + ".logits.json")));
        var expected = doc.RootElement.GetProperty("logits").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        Assert.Equal(100, expected.Length);
        var test = Ort.Test(expected.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            var logits = FloatReference.Forward(model, test.Image(i));
            Assert.Equal(10, logits.Length);
            for (int o = 0; o < 10; o++) worst = Math.Max(worst, Math.Abs(logits[o] - expected[i][o]));
        }
        Assert.True(worst <= 1e-4, $"{name}: max |Δ logit| = {worst:E2}");
    }

    [Fact]
    public void The_lenet5_fixture_imports_as_the_lenet5_architecture()
    {
        var spec = OnnxImporter.Import(Ort.Fixture("lenet5.onnx"), "torch-lenet5").Spec;
        var preset = Presets.LeNet5();
        Assert.Equal(preset.Layers.Select(l => (l.Kind, l.Out, l.Kernel, l.Stride, l.Pad)),
                     spec.Layers.Select(l => (l.Kind, l.Out, l.Kernel, l.Stride, l.Pad)));
        Assert.Equal(new Shape3(28, 28, 1), spec.Input);
    }

    [Fact]
    public void The_small3x3_fixture_keeps_stride_2_three_by_three_kernels_tanh_and_average_pooling()
    {
        var spec = OnnxImporter.Import(Ort.Fixture("small3x3.onnx"), "small3x3").Spec;
        Assert.Equal([LayerKind.Conv2D, LayerKind.Tanh, LayerKind.AvgPool, LayerKind.Conv2D, LayerKind.Tanh, LayerKind.Flatten, LayerKind.Dense],
                     spec.Layers.Select(l => l.Kind));
        Assert.All(spec.Layers.Where(l => l.Kind == LayerKind.Conv2D), l => Assert.Equal((3, 2, 1), (l.Kernel, l.Stride, l.Pad)));
        Assert.Equal(new Shape3(4, 4, 16), spec.OutputShapes()[4]);
    }

    [Fact]
    public void The_gemm_fixture_is_three_dense_layers_read_through_transB()
    {
        var spec = OnnxImporter.Import(Ort.Fixture("gemm.onnx"), "gemm").Spec;
        Assert.Equal([64, 32, 10], spec.Layers.Where(l => l.Kind == LayerKind.Dense).Select(l => l.Out));
    }
}
