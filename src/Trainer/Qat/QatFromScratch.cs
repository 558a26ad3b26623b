namespace LeNetHls.Trainer.Qat;

/// <summary>
/// Quantization-aware training from scratch (`train --qat`). It is not a second algorithm: the float
/// trainer's seeded random initialization (<see cref="Network.CreateRandom"/>) is handed to
/// <see cref="QatTrainer.FineTune"/>, so every epoch, from the first, runs through the exact integer
/// forward pass, and the reported accuracy is the golden model's on the exported qmodel.
/// </summary>
public static class QatFromScratch
{
    /// <summary>
    /// The float trainer's schedule (peak rate, warm-up, weight decay, shifts, seed, threads): a random
    /// network needs the larger steps of training, not the gentle ones of a fine-tune.
    /// </summary>
    public static QatOptions Options(TrainOptions train)
    {
        train.Validate();
        if (train.Optimizer != OptimizerKind.Adam)
            throw new LeNetHlsException("--optimizer: QAT training uses adam (AdamW on the latent weights)");
        return new QatOptions
        {
            Epochs = train.Epochs, BatchSize = train.BatchSize, LearningRate = train.PeakLearningRate,
            WeightDecay = train.WeightDecay, WarmupSteps = train.WarmupSteps, MaxShift = train.MaxShift,
            Seed = train.Seed, Threads = train.Threads,
        };
    }

    /// <summary>The latent weights QAT starts from: exactly what `train` without --qat starts from with the same seed.</summary>
    public static FloatModel InitialWeights(ModelSpec spec, int seed) => Network.CreateRandom(spec, seed).ToFloatModel();

    /// <summary>Trains spec at the given widths from the random init of options.Seed; evaluates the exported qmodel with golden on evaluation.</summary>
    public static QatResult Train(ModelSpec spec, QatWidths widths, QatOptions options, MnistSet train, MnistSet evaluation,
        string name, Action<string>? log = null, CancellationToken cancel = default)
    {
        // Before building the random network, so an unsupported layer fails with QAT's message, not deep in the init.
        QatNetwork.CheckSupported(spec);
        return QatTrainer.FineTune(InitialWeights(spec, options.Seed), widths, options, train, evaluation, name, "", log, cancel);
    }
}
