using LeNetHls.Core.Plan;
using LeNetHls.HlsCodegen;
using LeNetHls.Quantizer;
using LeNetHls.RtlCodegen;
using LeNetHls.Trainer.Qat;

namespace LeNetHls.Onnx.Tests;

/// <summary>Real qmodels: post-training 8-bit and briefly fine-tuned QAT models of the PyTorch lenet5 fixture, and lenet5-classic.</summary>
internal static class RealQModels
{
    public static MnistSet Train(int count) => MnistFiles.Train.Take(count);

    public static FloatModel TorchLenet5() => OnnxImporter.Import(Ort.Fixture("lenet5.onnx"), "torch-lenet5");

    public static QModel PostTraining(FloatModel model, int bits, string name)
    {
        var statistics = ActivationStatistics.Collect(model, Train(ActivationStatistics.DefaultImages), ActivationStatistics.DefaultImages);
        return ModelQuantizer.Quantize(model, statistics, new QuantizeOptions { WeightBits = bits, ActivationBits = bits }, name, "<test>");
    }

    /// <summary>One short QAT epoch (2,000 images) from the float model: enough to give trained, non-uniform integers.</summary>
    public static QModel Qat(FloatModel start, QatWidths widths, string name)
    {
        var options = new QatOptions { Epochs = 1, ImagesPerEpoch = 2000, CalibrationImages = 500, Threads = 2, Seed = 4 };
        var result = QatTrainer.FineTune(start, widths, options, Train(2000), Ort.Test(500), name);
        return result.Model;
    }
}

[Trait("Category", "Integration")]
public class FixedPointMnistTests
{
    public static TheoryData<string> Models() => ["torch-lenet5 8-bit", "lenet5-classic 8-bit", "torch-lenet5 QAT W4A4", "torch-lenet5 QAT bipolar mixed"];

    private static QModel Make(string which) => which switch
    {
        "torch-lenet5 8-bit" => RealQModels.PostTraining(RealQModels.TorchLenet5(), 8, "torch-lenet5-w8a8"),
        // Seeded random weights: tanh tables, average pools and the C3 connection table are what this checks.
        "lenet5-classic 8-bit" => RealQModels.PostTraining(FloatModel.CreateRandom(Presets.LeNet5Classic(), seed: 6), 8, "lenet5-classic-w8a8"),
        "torch-lenet5 QAT W4A4" => RealQModels.Qat(RealQModels.TorchLenet5(), QatWidths.Uniform(Presets.LeNet5(), 4, 4), "torch-lenet5-qat-w4a4"),
        // The search's lenet5-mixed widths: bipolar weights except conv2 (2 bits), activations 6, 4, 3, 6 and 8-bit scores.
        _ => RealQModels.Qat(RealQModels.TorchLenet5(), new QatWidths([1, 2, 1, 1, 1], [6, 4, 3, 6, 8]), "torch-lenet5-mixed"),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void The_exported_qmodel_scores_equal_the_golden_models_on_all_10000_test_images(string which)
    {
        var model = Make(which);
        if (which.Contains("bipolar")) Assert.Contains(model.Layers, l => l.Weights is { IsBipolar: true });
        if (which.Contains("classic")) Assert.Contains(model.Layers, l => l.Tanh is not null);
        QModels.AssertOrtEqualsGolden(model, Ort.Images(Ort.Test()));
    }
}

[Trait("Category", "Integration")]
public class ImportedModelHardwareTests
{
    [Fact]
    public void The_imported_pytorch_lenet5_quantized_to_8_bits_passes_codegen_csim_and_cosim_with_0_mismatches()
    {
        string dir = RepoPaths.NewTempDir("onnx-hw");
        try
        {
            var model = RealQModels.PostTraining(RealQModels.TorchLenet5(), 8, "torch-lenet5-w8a8");
            string qmodelPath = Path.Combine(dir, "torch-lenet5-w8a8.qmodel.json");
            QModelFile.Save(model, qmodelPath);
            string gen = Path.Combine(dir, "gen");
            var plan = AcceleratorPlan.Create(model, multiplierBudget: 64);
            HlsProject.Codegen(model, qmodelPath, gen, plan, HlsOptions.DefaultPart);
            RtlGenerator.Generate(model, Path.Combine(gen, CosimRunner.RtlFolder), plan);
            var generated = model;
            const int Images = 200;
            var csim = HlsProject.Csim(gen, Images, RepoPaths.MnistDir);
            Assert.Equal((Images, 0), (csim.Images, csim.MismatchedImages));
            var cosim = CosimRunner.Run(generated, gen, Ort.Test(Images).Images, new CosimOptions { StallProbability = 0.1 });
            Assert.Equal((Images, 0), (cosim.Images, cosim.Mismatches));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
