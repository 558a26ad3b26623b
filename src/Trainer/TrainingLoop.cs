namespace LeNetHls.Trainer;

/// <summary>
/// Mini-batch training on the training images minus the validation split (<see cref="ValidationSplit"/>),
/// validation accuracy after every epoch, the selected model's file (best validation accuracy, or the last
/// epoch), a resumable checkpoint after every epoch (and on cancellation, mid-epoch) and a log. The test
/// set is read once, after the last epoch, to report the selected model: nothing written before that
/// depends on it. All files are written atomically.
/// </summary>
public static class TrainingLoop
{
    private const int ProgressEveryBatches = 20;

    /// <param name="train">All training images; the last options.ValidationImages of them are held out for validation.</param>
    /// <param name="test">Evaluated once, on the selected model, after training (null: not read).</param>
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
        var (fit, validation) = ValidationSplit.Of(train, options.ValidationImages);
        var selection = validation.Count > 0 && !options.KeepLast ? EpochSelection.BestValidation : EpochSelection.Last;
        string? outBase = options.OutPath is null ? null : ModelFile.BasePath(options.OutPath);
        string? checkpointPath = outBase is null ? null : Checkpoint.PathFor(outBase);
        string? logPath = options.LogPath ?? (outBase is null ? null : outBase + ".log");
        if (outBase is not null) AtomicFile.EnsureWritableDirectory(Path.GetDirectoryName(Path.GetFullPath(outBase))!);

        var network = Network.CreateRandom(options.Spec, options.Seed);
        var optimizer = Optimizer.Create(options.Optimizer, network.Parameters.Length, options.Momentum, options.WeightDecay);
        int startEpoch = 0, startBatch = 0;
        long step = 0;
        var selected = new Selection();
        var history = new List<EpochResult>();
        var log = new List<string>();
        double partialLoss = 0, partialSeconds = 0;
        int partialCorrect = 0, partialImages = 0;
        if (resume is not null)
        {
            if (resume.Parameters.Length != network.Parameters.Length || resume.OptimizerState.Length != optimizer.State.Length
                || resume.SelectedParameters.Length is not 0 && resume.SelectedParameters.Length != network.Parameters.Length)
                throw LeNetHlsException.InFile(resumePath!, "checkpoint arrays do not match its architecture");
            resume.Parameters.CopyTo(network.Parameters, 0);
            resume.OptimizerState.CopyTo(optimizer.State, 0);
            (startEpoch, startBatch, step) = (resume.Epoch, resume.Batch, resume.Step);
            selected = new Selection
            {
                Epoch = resume.SelectedEpoch, ValidationAccuracy = resume.SelectedValidationAccuracy,
                Parameters = resume.SelectedParameters.Length == 0 ? null : resume.SelectedParameters,
            };
            history.AddRange(resume.History);
            log.AddRange(resume.LogLines);
            (partialLoss, partialCorrect, partialImages, partialSeconds) = (resume.EpochLossSum, resume.EpochCorrect, resume.EpochImages, resume.EpochSeconds);
            log.Add($"# resumed at epoch {startEpoch + 1}, batch {startBatch}, step {step}");
        }
        else
        {
            log.Add($"# lenet-hls train {options.Spec.Name}: epochs {options.Epochs}, batch {options.BatchSize}, {options.Optimizer} lr {options.PeakLearningRate.ToString(CultureInfo.InvariantCulture)}, " +
                    $"weight decay {options.WeightDecay.ToString(CultureInfo.InvariantCulture)}, warm-up {options.WarmupSteps} steps, shift ±{options.MaxShift}, seed {options.Seed}, threads {options.Threads}");
            log.Add($"# {DescribeProtocol(fit.Count, validation.Count, selection)}");
            log.Add("# epoch  train_loss  train_acc  val_acc  seconds  images_per_s");
        }

        var engine = new BatchEngine(network, options.Threads, options.BatchSize);
        var evaluator = validation.Count == 0 ? null : new FloatInference(network, options.Threads);
        int batches = (fit.Count + options.BatchSize - 1) / options.BatchSize;
        var schedule = new LearningRateSchedule(options.PeakLearningRate, options.WarmupSteps, (long)options.Epochs * batches);

        for (int epoch = startEpoch; epoch < options.Epochs; epoch++)
        {
            var order = Rng.EpochPermutation(fit.Count, options.Seed, epoch);
            var (shiftX, shiftY) = Rng.EpochShifts(fit.Count, options.MaxShift, options.Seed, 0x5348_4946, epoch);
            var clock = Stopwatch.StartNew();
            double lossSum = partialLoss, secondsBefore = partialSeconds;
            int correct = partialCorrect, images = partialImages;
            partialLoss = 0; partialCorrect = 0; partialImages = 0; partialSeconds = 0;
            for (int b = epoch == startEpoch ? startBatch : 0; b < batches; b++)
            {
                if (cancel.IsCancellationRequested)
                {
                    var state = MakeCheckpoint(options, network, optimizer, epoch, b, step, selected, history, log) with
                    {
                        EpochLossSum = lossSum, EpochCorrect = correct, EpochImages = images, EpochSeconds = secondsBefore + clock.Elapsed.TotalSeconds,
                    };
                    if (checkpointPath is not null) state.Save(checkpointPath);
                    return Result(network, selected, history, selection, test: null, cancelled: true, outBase, checkpointPath, options);
                }
                int start = b * options.BatchSize, count = Math.Min(options.BatchSize, fit.Count - start);
                var (loss, hits) = engine.ComputeGradients(fit, order, start, count, shiftX, shiftY);
                optimizer.Step(network.Parameters, engine.Gradient, network.DecayMask, schedule.At(step), step + 1);
                step++;
                lossSum += loss; correct += hits; images += count;
                if (!double.IsFinite(loss)) throw new LeNetHlsException($"training diverged at epoch {epoch + 1}, batch {b + 1} (loss is {loss}); try a smaller --lr");
                if (onProgress is not null && ((b + 1) % ProgressEveryBatches == 0 || b + 1 == batches))
                    onProgress(new TrainProgress(epoch + 1, options.Epochs, b + 1, batches, lossSum / images, (double)correct / images,
                        images / (secondsBefore + clock.Elapsed.TotalSeconds)));
            }
            double seconds = secondsBefore + clock.Elapsed.TotalSeconds;
            double? validationAccuracy = evaluator?.Evaluate(validation).Accuracy;
            bool isSelected = selection == EpochSelection.Last || selected.ValidationAccuracy is null || validationAccuracy > selected.ValidationAccuracy;
            if (isSelected)
            {
                selected = new Selection { Epoch = epoch + 1, ValidationAccuracy = validationAccuracy, Parameters = (float[])network.Parameters.Clone() };
                if (outBase is not null) SaveModel(network, outBase, options, epoch + 1, validationAccuracy, validation.Count, selection);
            }
            var result = new EpochResult(epoch + 1, lossSum / images, (double)correct / images, validationAccuracy, seconds, images / seconds, isSelected);
            history.Add(result);
            log.Add(string.Create(CultureInfo.InvariantCulture,
                $"{epoch + 1,7}  {result.TrainLoss,10:F5}  {result.TrainAccuracy,9:P2}  {(validationAccuracy is null ? "-" : validationAccuracy.Value.ToString("P2", CultureInfo.InvariantCulture)),7}  {seconds,7:F2}  {result.ImagesPerSecond,12:F0}{(isSelected ? "  kept" : "")}"));
            if (checkpointPath is not null) MakeCheckpoint(options, network, optimizer, epoch + 1, 0, step, selected, history, log).Save(checkpointPath);
            if (logPath is not null) AtomicFile.WriteAllText(logPath, string.Join('\n', log) + "\n");
            onEpoch?.Invoke(result);
        }

        // The only read of the test set: after every choice has been made and every model byte written.
        var kept = SelectedNetwork(network, selected, options);
        EvalResult? testResult = test is null ? null : new FloatInference(kept, options.Threads).Evaluate(test);
        if (testResult is not null && logPath is not null)
        {
            log.Add(string.Create(CultureInfo.InvariantCulture,
                $"# test accuracy of the kept model (epoch {selected.Epoch}), measured once after training: {testResult.Accuracy:P2} ({testResult.Correct}/{testResult.Count})"));
            AtomicFile.WriteAllText(logPath, string.Join('\n', log) + "\n");
        }
        return Result(network, selected, history, selection, testResult, cancelled: false, outBase, checkpointPath, options);
    }

    /// <summary>One line naming the splits and how the epoch is chosen, for logs and the command line.</summary>
    public static string DescribeProtocol(int trainImages, int validationImages, EpochSelection selection) => validationImages == 0
        ? string.Create(CultureInfo.InvariantCulture, $"training on {trainImages:N0} images, no validation split; keeping the last epoch; test set read once, after training")
        : string.Create(CultureInfo.InvariantCulture,
            $"training on {trainImages:N0} images, validation on the last {validationImages:N0} training images; keeping {(selection == EpochSelection.Last ? "the last epoch" : "the epoch with the best validation accuracy")}; test set read once, after training");

    /// <summary>The kept epoch so far: its number, validation accuracy and parameters.</summary>
    private sealed record Selection
    {
        public int Epoch { get; init; }
        public double? ValidationAccuracy { get; init; }
        public float[]? Parameters { get; init; }
    }

    private static Network SelectedNetwork(Network final, Selection selected, TrainOptions options)
    {
        if (selected.Parameters is null) return final;
        var network = Network.CreateRandom(options.Spec, options.Seed);
        selected.Parameters.CopyTo(network.Parameters, 0);
        return network;
    }

    private static TrainResult Result(Network final, Selection selected, List<EpochResult> history, EpochSelection selection, EvalResult? test,
        bool cancelled, string? outBase, string? checkpointPath, TrainOptions options) =>
        new(final, SelectedNetwork(final, selected, options), history, selection, selected.Epoch, selected.ValidationAccuracy, test, cancelled, outBase, checkpointPath);

    private static string StripCheckpoint(string path) =>
        path.EndsWith(Checkpoint.Extension, StringComparison.Ordinal) ? path[..^Checkpoint.Extension.Length] : path;

    private static void SaveModel(Network network, string outBase, TrainOptions options, int epoch, double? validationAccuracy, int validationImages, EpochSelection selection)
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
        training["validation_images"] = validationImages.ToString(CultureInfo.InvariantCulture);
        training["selection"] = selection == EpochSelection.Last ? "last epoch" : "best validation accuracy";
        if (validationAccuracy is not null) training["validation_accuracy"] = validationAccuracy.Value.ToString("F4", CultureInfo.InvariantCulture);
        ModelFile.Save(network.ToFloatModel(), outBase, training);
    }

    private static Checkpoint MakeCheckpoint(TrainOptions o, Network network, Optimizer optimizer, int epoch, int batch, long step,
        Selection selected, List<EpochResult> history, List<string> log) => new()
    {
        SpecJson = o.Spec.ToJson(), BatchSize = o.BatchSize, Optimizer = o.Optimizer, LearningRate = o.PeakLearningRate,
        Momentum = o.Momentum, WeightDecay = o.WeightDecay, WarmupSteps = o.WarmupSteps, MaxShift = o.MaxShift,
        Seed = o.Seed, Threads = o.Threads, ValidationImages = o.ValidationImages, KeepLast = o.KeepLast, Epoch = epoch, Batch = batch, Step = step,
        SelectedValidationAccuracy = selected.ValidationAccuracy, SelectedEpoch = selected.Epoch, History = [.. history], LogLines = [.. log],
        Parameters = (float[])network.Parameters.Clone(), OptimizerState = (float[])optimizer.State.Clone(),
        SelectedParameters = selected.Parameters is null ? [] : (float[])selected.Parameters.Clone(),
    };
}
