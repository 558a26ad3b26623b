using LeNetHls.Core.Golden;

namespace LeNetHls.Trainer.Qat;

/// <summary>
/// The QAT runs of `qat` and `train --qat`, from files to files: each writes NAME.qmodel.json and the latent
/// float weights NAME.modelstruct/.bin with a training record.
/// </summary>
public static class QatRuns
{
    /// <summary>
    /// Fine-tunes MODEL at WwAa on the training images minus the last validationImages, logs the exported
    /// qmodel's validation accuracy, evaluates it with the golden model on the test set, and writes
    /// DIR/NAME.qmodel.json plus the QAT float weights DIR/NAME.modelstruct/.bin.
    /// </summary>
    /// <param name="name">The qmodel name; null names it after the model and its widths (MODEL-qat-wNaM).</param>
    public static (QatResult Result, string Name) FineTune(string modelPath, int weightBits, int actBits, int scoreBits, QatOptions options,
        string dataDir, string outDir, string? name, Action<string>? log = null, bool unsignedRelu = false,
        int validationImages = ValidationSplit.DefaultImages)
    {
        AtomicFile.EnsureWritableDirectory(outDir);
        var floatModel = ModelFile.Load(modelPath);
        var widths = QatWidths.Uniform(floatModel.Spec, weightBits, actBits, scoreBits, unsignedRelu);
        name ??= $"{Path.GetFileName(ModelFile.BasePath(modelPath))}-qat-w{weightBits}a{actBits}{(unsignedRelu ? "u" : "")}";
        Names.CheckModelNameOption(name, "--name");
        var (train, validation) = ValidationSplit.Of(Mnist.Load(dataDir, MnistSplit.Train), validationImages);
        var test = Mnist.Load(dataDir, MnistSplit.Test);
        string bin = ModelFile.BinPath(modelPath);
        var result = QatTrainer.FineTune(floatModel, widths, options, train, test, name, File.Exists(bin) ? Hashing.Sha256OfFile(bin) : "", log);
        if (validation.Count > 0) log?.Invoke($"{name}: {DescribeValidation(result.Model, validation)} (last epoch kept)");
        QModelFile.Save(result.Model, Path.Combine(outDir, name + ".qmodel.json"));
        ModelFile.Save(result.Weights, Path.Combine(outDir, name), TrainingRecord(options, widths, floatModel.Spec, result));
        return (result, name);
    }

    /// <summary>
    /// QAT from the seeded random init; writes BASE.qmodel.json and the latent float weights
    /// BASE.modelstruct/.bin, then reads the qmodel back and checks that the golden model's accuracy on
    /// the written file is the one the trainer reported, image for image.
    /// </summary>
    public static QatResult FromScratch(ModelSpec spec, QatWidths widths, QatOptions options, string outBase, MnistSet train, MnistSet test,
                                        Action<string>? log = null, CancellationToken cancel = default)
    {
        AtomicFile.EnsureWritableDirectory(Path.GetDirectoryName(Path.GetFullPath(outBase))!);
        var result = QatFromScratch.Train(spec, widths, options, train, test, Path.GetFileName(outBase), log, cancel);
        string qpath = outBase + ".qmodel.json";
        QModelFile.Save(result.Model, qpath);
        var training = TrainingRecord(options, widths, spec, result);
        training["qat_start"] = "random init (seed " + options.Seed.ToString(CultureInfo.InvariantCulture) + ")";
        ModelFile.Save(result.Weights, outBase, training);

        int reread = GoldenEvaluation.Run(QModelFile.Load(qpath), test).Correct(test.Labels);
        if (reread != result.Correct)
            throw new InvalidOperationException($"{qpath}: the golden model classifies {reread} test images correctly, the trainer reported {result.Correct}");
        return result;
    }

    /// <summary>"golden model C/N = A % on the validation split (last N training images)".</summary>
    public static string DescribeValidation(QModel model, MnistSet validation)
    {
        int correct = GoldenEvaluation.Run(model, validation).Correct(validation.Labels);
        return string.Create(CultureInfo.InvariantCulture, $"golden model {correct}/{validation.Count} = {100.0 * correct / validation.Count:F2} % on the validation split (last {validation.Count} training images)");
    }

    /// <summary>The .modelstruct training record of a QAT run.</summary>
    public static Dictionary<string, string> TrainingRecord(QatOptions options, QatWidths widths, ModelSpec spec, QatResult result) => new()
    {
        ["qat_widths"] = widths.Describe(spec),
        ["qat_epochs"] = options.Epochs.ToString(CultureInfo.InvariantCulture),
        ["qat_learning_rate"] = options.LearningRate.ToString(CultureInfo.InvariantCulture),
        ["qat_seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
        ["qat_refine_scales"] = options.RefineScalesByLoss ? "true" : "false",
        ["qat_golden_test_accuracy"] = result.Accuracy.ToString("F4", CultureInfo.InvariantCulture),
    };
}
