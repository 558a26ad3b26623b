using LeNetHls.Trainer;

namespace LeNetHls.Onnx.Tests;

/// <summary>Our float model exported as standard ONNX computes our logits in ONNX Runtime.</summary>
public class FloatExportTests
{
    private static readonly int[] Mnist = [1, 28, 28];

    [Theory]
    [InlineData("lenet5")]
    [InlineData("lenet5-classic")]
    public void A_random_preset_model_runs_in_onnx_runtime_with_our_logits_within_1e_4(string preset)
    {
        var model = FloatModel.CreateRandom(Presets.Get(preset), seed: 5);
        var images = SyntheticQModel.Images(40);
        using var ort = new Ort(FloatOnnxExporter.Export(model));
        var logits = ort.Logits(images, Mnist);
        for (int i = 0; i < images.Length; i++)
        {
            var ours = FloatReference.Forward(model, images[i]);
            for (int o = 0; o < ours.Length; o++) Assert.True(Math.Abs(ours[o] - logits[i][o]) <= 1e-4, $"image {i}, logit {o}: {ours[o]} vs {logits[i][o]}");
        }
    }

    [Fact]
    public void The_export_is_opset_13_with_an_nchw_float_input_and_a_logits_output()
    {
        var proto = FloatOnnxExporter.Export(FloatModel.CreateRandom(Presets.LeNet5(), seed: 1));
        Assert.Equal(13, proto.OpsetImport.Single().Version);
        var input = proto.Graph.Input.Single().Type.TensorType;
        Assert.Equal((int)Proto.TensorProto.Types.DataType.Float, input.ElemType);
        Assert.Equal(["N", "1", "28", "28"], input.Shape.Dim.Select(d => d.DimParam.Length > 0 ? d.DimParam : d.DimValue.ToString()));
        Assert.Equal("logits", proto.Graph.Output.Single().Name);
    }

    [Fact]
    public void Exporting_then_importing_gives_back_the_same_weights_bit_for_bit()
    {
        var model = FloatModel.CreateRandom(Presets.LeNet5(), seed: 9);
        string dir = RepoPaths.NewTempDir("onnx-roundtrip");
        try
        {
            string file = Path.Combine(dir, "lenet5.onnx");
            OnnxFile.Write(FloatOnnxExporter.Export(model), file);
            var back = OnnxImporter.Import(file, "lenet5");
            Assert.Equal(model.Parameters.Count, back.Parameters.Count);
            for (int i = 0; i < model.Parameters.Count; i++)
            {
                Assert.Equal(model.Parameters[i].WeightShape, back.Parameters[i].WeightShape);
                Assert.Equal(model.Parameters[i].Weights, back.Parameters[i].Weights);
                Assert.Equal(model.Parameters[i].Biases, back.Parameters[i].Biases);
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

[Trait("Category", "Integration")]
public class FloatExportMnistTests
{
    [Theory]
    [InlineData("lenet5")]
    [InlineData("small3x3")]
    [InlineData("gemm")]
    public void An_imported_then_exported_model_gives_evals_predictions_on_all_10000_test_images_within_1e_4(string fixture)
    {
        var model = OnnxImporter.Import(Ort.Fixture(fixture + ".onnx"), fixture);
        var test = Ort.Test();
        var ours = new FloatInference(model).Logits(test);
        using var ort = new Ort(FloatOnnxExporter.Export(model));
        var theirs = ort.Logits(Ort.Images(test), [1, 28, 28]);
        double worst = 0;
        int differentPredictions = 0;
        for (int i = 0; i < test.Count; i++)
        {
            var row = ours.AsSpan(i * 10, 10);
            for (int o = 0; o < 10; o++) worst = Math.Max(worst, Math.Abs(row[o] - theirs[i][o]));
            if (Quantizer.Evaluation.Argmax(row) != Quantizer.Evaluation.Argmax(theirs[i])) differentPredictions++;
        }
        Assert.Equal(0, differentPredictions);
        Assert.True(worst <= 1e-4, $"{fixture}: max |Δ logit| = {worst:E2}");
    }
}
