using System.Diagnostics;
using System.Globalization;
using LeNetHls.Core.Data;
using LeNetHls.Core.IO;

namespace LeNetHls.Trainer;

/// <summary>
/// Mini-batch training with per-epoch test accuracy, a best-model file, a resumable checkpoint after
/// every epoch (and on cancellation, mid-epoch) and a log. All files are written atomically.
/// </summary>
public static class TrainingLoop
{
    private const int ProgressEveryBatches = 20;

    public static TrainResult Run(TrainOptions options, MnistSet train, MnistSet? test,
        Action<TrainProgress>? onProgress = null, Action<EpochResult>? onEpoch = null, CancellationToken cancel = default)
    {
        string? resumePath = options.ResumePath;
        Checkpoint? resume = resumePath is null ? null : Checkpoint.Load(resumePath);
        if (resume is not null)
        {
            string outPath = options.OutPath ?? ModelFile.BasePath(StripCheckpoint(resumePath!));
            options = resume.ToOptions(options.Epochs, outPath, options.LogPath);
        }
        options.Validate();
        if (train.Count == 0) throw new LeNetHlsException("training set is empty");
        string? outBase = options.OutPath is null ? null : ModelFile.BasePath(options.OutPath);
        string? checkpointPath = outBase is null ? null : Checkpoint.PathFor(outBase);
        string? logPath = options.LogPath ?? (outBase is null ? null : outBase + ".log");
        if (outBase is not null) AtomicFile.EnsureWritableDirectory(Path.GetDirectoryName(Path.GetFullPath(outBase))!);

        var network = Network.CreateRandom(options.Spec, options.Seed);
        var optimizer = Optimizer.Create(options.Optimizer, network.Parameters.Length, options.Momentum, options.WeightDecay);
        int startEpoch = 0, startBatch = 0, bestEpoch = 0;
        long step = 0;
        double? best = null;
        var history = new List<EpochResult>();
        var log = new List<string>();
        double partialLoss = 0, partialSeconds = 0;
        int partialCorrect = 0, partialImages = 0;
        if (resume is not null)
        {
            if (resume.Parameters.Length != network.Parameters.Length || resume.OptimizerState.Length != optimizer.State.Length)
                throw LeNetHlsException.InFile(resumePath!, "checkpoint arrays do not match its architecture");
            resume.Parameters.CopyTo(network.Parameters, 0);
            resume.OptimizerState.CopyTo(optimizer.State, 0);
            (startEpoch, startBatch, step, best, bestEpoch) = (resume.Epoch, resume.Batch, resume.Step, resume.BestAccuracy, resume.BestEpoch);
            history.AddRange(resume.History);
            log.AddRange(resume.LogLines);
            (partialLoss, partialCorrect, partialImages, partialSeconds) = (resume.EpochLossSum, resume.EpochCorrect, resume.EpochImages, resume.EpochSeconds);
            log.Add($"# resumed at epoch {startEpoch + 1}, batch {startBatch}, step {step}");
        }
        else
        {
            log.Add($"# lenet-hls train {options.Spec.Name}: epochs {options.Epochs}, batch {options.BatchSize}, {options.Optimizer} lr {options.PeakLearningRate.ToString(CultureInfo.InvariantCulture)}, " +
                    $"weight decay {options.WeightDecay.ToString(CultureInfo.InvariantCulture)}, warm-up {options.WarmupSteps} steps, shift ±{options.MaxShift}, seed {options.Seed}, threads {options.Threads}");
            log.Add("# epoch  train_loss  train_acc  test_acc  seconds  images_per_s");
        }

        var engine = new BatchEngine(network, options.Threads, options.BatchSize);
        var evaluator = test is null ? null : new FloatInference(network, options.Threads);
        int batches = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var schedule = new LearningRateSchedule(options.PeakLearningRate, options.WarmupSteps, (long)options.Epochs * batches);

        for (int epoch = startEpoch; epoch < options.Epochs; epoch++)
        {
            var order = Rng.EpochPermutation(train.Count, options.Seed, epoch);
            var (shiftX, shiftY) = Rng.EpochShifts(train.Count, options.MaxShift, options.Seed, 0x5348_4946, epoch);
            var clock = Stopwatch.StartNew();
            double lossSum = partialLoss, secondsBefore = partialSeconds;
            int correct = partialCorrect, images = partialImages;
            partialLoss = 0; partialCorrect = 0; partialImages = 0; partialSeconds = 0;
            for (int b = epoch == startEpoch ? startBatch : 0; b < batches; b++)
            {
                if (cancel.IsCancellationRequested)
                {
                    var state = MakeCheckpoint(options, network, optimizer, epoch, b, step, best, bestEpoch, history, log) with
                    {
                        EpochLossSum = lossSum, EpochCorrect = correct, EpochImages = images, EpochSeconds = secondsBefore + clock.Elapsed.TotalSeconds,
                    };
                    if (checkpointPath is not null) state.Save(checkpointPath);
                    return new TrainResult(network, history, best, bestEpoch, Cancelled: true, outBase, checkpointPath);
                }
                int start = b * options.BatchSize, count = Math.Min(options.BatchSize, train.Count - start);
                var (loss, hits) = engine.ComputeGradients(train, order, start, count, shiftX, shiftY);
                optimizer.Step(network.Parameters, engine.Gradient, network.DecayMask, schedule.At(step), step + 1);
                step++;
                lossSum += loss; correct += hits; images += count;
                if (!double.IsFinite(loss)) throw new LeNetHlsException($"training diverged at epoch {epoch + 1}, batch {b + 1} (loss is {loss}); try a smaller --lr");
                if (onProgress is not null && ((b + 1) % ProgressEveryBatches == 0 || b + 1 == batches))
                    onProgress(new TrainProgress(epoch + 1, options.Epochs, b + 1, batches, lossSum / images, (double)correct / images,
                        images / (secondsBefore + clock.Elapsed.TotalSeconds)));
            }
            double seconds = secondsBefore + clock.Elapsed.TotalSeconds;
            double? testAccuracy = evaluator?.Evaluate(test!).Accuracy;
            bool isBest = testAccuracy is null || best is null || testAccuracy > best;
            if (isBest)
            {
                best = testAccuracy;
                bestEpoch = epoch + 1;
                if (outBase is not null) SaveModel(network, outBase, options, epoch + 1, testAccuracy);
            }
            var result = new EpochResult(epoch + 1, lossSum / images, (double)correct / images, testAccuracy, seconds, images / seconds, isBest);
            history.Add(result);
            log.Add(string.Create(CultureInfo.InvariantCulture,
                $"{epoch + 1,7}  {result.TrainLoss,10:F5}  {result.TrainAccuracy,9:P2}  {(testAccuracy is null ? "-" : testAccuracy.Value.ToString("P2", CultureInfo.InvariantCulture)),8}  {seconds,7:F2}  {result.ImagesPerSecond,12:F0}{(isBest ? "  best" : "")}"));
            if (checkpointPath is not null) MakeCheckpoint(options, network, optimizer, epoch + 1, 0, step, best, bestEpoch, history, log).Save(checkpointPath);
            if (logPath is not null) AtomicFile.WriteAllText(logPath, string.Join('\n', log) + "\n");
            onEpoch?.Invoke(result);
        }
        return new TrainResult(network, history, best, bestEpoch, Cancelled: false, outBase, checkpointPath);
    }

    private static string StripCheckpoint(string path) =>
        path.EndsWith(Checkpoint.Extension, StringComparison.Ordinal) ? path[..^Checkpoint.Extension.Length] : path;

    private static void SaveModel(Network network, string outBase, TrainOptions options, int epoch, double? testAccuracy)
    {
        var training = new Dictionary<string, string>
        {
            ["preset"] = options.Spec.Name,
            ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
            ["epochs"] = options.Epochs.ToString(CultureInfo.InvariantCulture),
            ["batch_size"] = options.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = options.Optimizer.ToString().ToLowerInvariant(),
            ["learning_rate"] = options.PeakLearningRate.ToString(CultureInfo.InvariantCulture),
            ["weight_decay"] = options.WeightDecay.ToString(CultureInfo.InvariantCulture),
            ["max_shift"] = options.MaxShift.ToString(CultureInfo.InvariantCulture),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["threads"] = options.Threads.ToString(CultureInfo.InvariantCulture),
        };
        if (testAccuracy is not null) training["test_accuracy"] = testAccuracy.Value.ToString("F4", CultureInfo.InvariantCulture);
        ModelFile.Save(network.ToFloatModel(), outBase, training);
    }

    private static Checkpoint MakeCheckpoint(TrainOptions o, Network network, Optimizer optimizer, int epoch, int batch, long step,
        double? best, int bestEpoch, List<EpochResult> history, List<string> log) => new()
    {
        SpecJson = o.Spec.ToJson(), BatchSize = o.BatchSize, Optimizer = o.Optimizer, LearningRate = o.PeakLearningRate,
        Momentum = o.Momentum, WeightDecay = o.WeightDecay, WarmupSteps = o.WarmupSteps, MaxShift = o.MaxShift,
        Seed = o.Seed, Threads = o.Threads, Epoch = epoch, Batch = batch, Step = step,
        BestAccuracy = best, BestEpoch = bestEpoch, History = [.. history], LogLines = [.. log],
        Parameters = (float[])network.Parameters.Clone(), OptimizerState = (float[])optimizer.State.Clone(),
    };
}
