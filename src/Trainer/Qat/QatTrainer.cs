using LeNetHls.Core.Golden;

namespace LeNetHls.Trainer.Qat;

public sealed record QatOptions
{
    public int Epochs { get; init; } = 3;
    /// <summary>Train on only the first this-many images of each epoch's shuffled order (null: all); the search's short fine-tunes use it.</summary>
    public int? ImagesPerEpoch { get; init; }
    public int BatchSize { get; init; } = 64;
    /// <summary>Peak AdamW rate; fine-tuning starts from a trained model, so it is below the training default.</summary>
    public float LearningRate { get; init; } = 5e-4f;
    public float WeightDecay { get; init; } = 0f;
    public int WarmupSteps { get; init; } = 100;
    public int MaxShift { get; init; } = 1;
    public int Seed { get; init; } = 1;
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>Leading training images used to choose the activation scales.</summary>
    public int CalibrationImages { get; init; } = 1000;
    /// <summary>Re-choose every scale at the start of each epoch (the latent weights drift during training).</summary>
    public bool RecalibrateEachEpoch { get; init; } = true;
    /// <summary>After choosing scales by squared error, nudge each by ±1 where that lowers the calibration loss.</summary>
    public bool RefineScalesByLoss { get; init; }
    public RoundingMode Rounding { get; init; } = RoundingMode.Rnd;

    public void Validate()
    {
        void Require(bool ok, string what) { if (!ok) throw new LeNetHlsException(what); }
        Require(Epochs >= 0, $"--epochs must not be negative (got {Epochs})");
        Require(BatchSize >= 1, $"--batch-size must be at least 1 (got {BatchSize})");
        Require(Threads >= 1, $"--threads must be at least 1 (got {Threads})");
        Require(LearningRate > 0 && float.IsFinite(LearningRate), $"--lr must be a positive number (got {LearningRate})");
        Require(ImagesPerEpoch is null or >= 1, $"images per epoch must be at least 1 (got {ImagesPerEpoch})");
        Require(CalibrationImages >= 1, $"--calib-images must be at least 1 (got {CalibrationImages})");
        Require(MaxShift >= 0 && MaxShift < 14, $"shift must be between 0 and 13 (got {MaxShift})");
    }
}

/// <summary>One fine-tuning epoch, measured on the fake-quantized forward pass over the training images.</summary>
public sealed record QatEpoch(int Epoch, double TrainLoss, double TrainAccuracy, double Seconds);

/// <param name="Model">The exported qmodel (passes QModelFile.Validate).</param>
/// <param name="Weights">The latent float weights after fine-tuning (a normal float model).</param>
/// <param name="Correct">Images of the evaluation set the golden model classifies correctly with Model.</param>
/// <param name="PredictionMismatches">Images where the QAT forward pass and the golden model disagree (0 when bit-exact).</param>
public sealed record QatResult(QModel Model, FloatModel Weights, int Correct, int Count, int PredictionMismatches, IReadOnlyList<QatEpoch> History)
{
    public double Accuracy => Count == 0 ? 0 : (double)Correct / Count;
}

/// <summary>
/// Quantization-aware fine-tuning: AdamW on the latent float weights, forward through the exact
/// fixed-point arithmetic, gradients by the straight-through estimator. The accuracy it reports is the
/// golden model's on the exported qmodel, so training and hardware agree to the image.
/// </summary>
public static class QatTrainer
{
    public static QatResult FineTune(FloatModel start, QatWidths widths, QatOptions options, MnistSet train, MnistSet evaluation,
        string name, string sourceSha256 = "", Action<string>? log = null, CancellationToken cancel = default)
    {
        options.Validate();
        if (train.Count == 0) throw new LeNetHlsException("QAT: the training set is empty");
        var net = QatNetwork.FromFloatModel(start, widths, options.Rounding);
        var engine = new QatEngine(net, options.Threads, Math.Max(options.BatchSize, 256));
        var calibration = train.Take(options.CalibrationImages);
        Calibrate(net, engine, calibration, options.RefineScalesByLoss);
        log?.Invoke($"qat {name}: {widths.Describe(net.Spec)}; start {Describe(net)}");

        var optimizer = new AdamW(net.Latent.Parameters.Length, options.WeightDecay);
        var latentGradient = new float[net.Latent.Parameters.Length];
        int images = Math.Min(train.Count, options.ImagesPerEpoch ?? train.Count);
        int batches = (images + options.BatchSize - 1) / options.BatchSize;
        var schedule = new LearningRateSchedule(options.LearningRate, options.WarmupSteps, (long)options.Epochs * batches);
        var history = new List<QatEpoch>();
        long step = 0;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            cancel.ThrowIfCancellationRequested();
            if (epoch > 0 && options.RecalibrateEachEpoch) Calibrate(net, engine, calibration, options.RefineScalesByLoss);
            var clock = Stopwatch.StartNew();
            var order = Rng.EpochPermutation(train.Count, options.Seed, epoch);
            var (shiftX, shiftY) = Rng.EpochShifts(train.Count, options.MaxShift, options.Seed, 0x5141_5453, epoch);
            double lossSum = 0;
            int correct = 0;
            for (int b = 0; b < batches; b++)
            {
                cancel.ThrowIfCancellationRequested();
                int first = b * options.BatchSize, count = Math.Min(options.BatchSize, images - first);
                net.Quantize();
                var (loss, hits) = engine.ComputeGradients(train, order, first, count, shiftX, shiftY);
                if (!double.IsFinite(loss)) throw new LeNetHlsException($"QAT diverged at epoch {epoch + 1}, batch {b + 1}; try a smaller --lr");
                net.LatentGradient(engine.Gradient, latentGradient);
                optimizer.Step(net.Latent.Parameters, latentGradient, net.Latent.DecayMask, schedule.At(step), step + 1);
                step++;
                lossSum += loss;
                correct += hits;
            }
            var result = new QatEpoch(epoch + 1, lossSum / images, (double)correct / images, clock.Elapsed.TotalSeconds);
            history.Add(result);
            log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"  epoch {result.Epoch}/{options.Epochs}: loss {result.TrainLoss:F4}, train accuracy {100 * result.TrainAccuracy:F2} % (fake-quantized), {result.Seconds:F1} s"));
        }

        var model = QatExport.ToQModel(net, name, sourceSha256);
        var predictions = GoldenEvaluation.Predict(model, evaluation);
        var own = engine.Scores(evaluation);
        int classes = net.Classes, correctGolden = 0, mismatches = 0;
        for (int i = 0; i < evaluation.Count; i++)
        {
            if (predictions[i] == evaluation.Labels[i]) correctGolden++;
            if (predictions[i] != Argmax(own.AsSpan(i * classes, classes))) mismatches++;
        }
        return new QatResult(model, net.Latent.ToFloatModel(), correctGolden, evaluation.Count, mismatches, history);
    }

    /// <summary>Weight scales first (they do not depend on data), then activations layer by layer, optionally a loss-driven nudge of each.</summary>
    internal static void Calibrate(QatNetwork net, QatEngine engine, MnistSet images, bool refineByLoss)
    {
        QatCalibration.CalibrateWeights(net);
        QatCalibration.CalibrateActivations(net, engine, images);
        if (refineByLoss) QatCalibration.RefineByLoss(net, engine, images);
    }

    /// <summary>The integer scores the QAT forward pass computes for every image, [image][class].</summary>
    public static int[] Scores(QatNetwork net, MnistSet images, int threads = 1)
    {
        net.Quantize();
        return new QatEngine(net, threads, 256).Scores(images);
    }

    /// <summary>Chooses every scale from calibration images, as FineTune does before its first epoch.</summary>
    public static void Calibrate(QatNetwork net, MnistSet images, int threads = 1, bool refineByLoss = false) =>
        Calibrate(net, new QatEngine(net, threads, 256), images, refineByLoss);

    private static int Argmax(ReadOnlySpan<int> scores)
    {
        int best = 0;
        for (int i = 1; i < scores.Length; i++) if (scores[i] > scores[best]) best = i;
        return best;
    }

    private static string Describe(QatNetwork net) => string.Join(", ", net.Compute.Select((c, i) =>
        $"{net.Spec.Layers[c.SpecIndex].Name} w {new QFormat(c.WeightBits, c.WeightFrac)} out {net.OutputOf(i)}"));
}
