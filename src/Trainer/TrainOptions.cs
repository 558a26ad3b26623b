namespace LeNetHls.Trainer;

/// <summary>Everything that decides a training run. The defaults reach ≥ 99 % on MNIST for lenet5 in 10 epochs.</summary>
public sealed record TrainOptions
{
    public required ModelSpec Spec { get; init; }
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 64;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    /// <summary>Peak learning rate; null picks the optimizer's default.</summary>
    public float? LearningRate { get; init; }
    public float Momentum { get; init; } = 0.9f;
    public float WeightDecay { get; init; } = 1e-4f;
    public int WarmupSteps { get; init; } = 200;
    /// <summary>Random shift of each training image by up to this many pixels in x and y (0: off).</summary>
    public int MaxShift { get; init; } = 1;
    public int Seed { get; init; } = 1;
    /// <summary>Worker threads; results are bit-identical for the same seed and thread count.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>Last training images held out to choose the epoch (0: none, the last epoch is kept); see <see cref="ValidationSplit"/>.</summary>
    public int ValidationImages { get; init; } = ValidationSplit.DefaultImages;
    /// <summary>Keep the last epoch instead of the one with the best validation accuracy (validation is still measured).</summary>
    public bool KeepLast { get; init; }
    /// <summary>Base path of the selected model (PATH.modelstruct + PATH.bin); PATH.ckpt and PATH.log go next to it.</summary>
    public string? OutPath { get; init; }
    /// <summary>Checkpoint (PATH.ckpt or the model base path) to continue from.</summary>
    public string? ResumePath { get; init; }
    /// <summary>Log file; defaults to OutPath.log.</summary>
    public string? LogPath { get; init; }

    public const int MaxBatchSize = 4096;

    public float PeakLearningRate => LearningRate ?? DefaultLearningRate(Optimizer);

    public static float DefaultLearningRate(OptimizerKind kind) => kind == OptimizerKind.Adam ? 2e-3f : 0.05f;

    public void Validate()
    {
        void Require(bool ok, string what) { if (!ok) throw new Core.IO.LeNetHlsException(what); }
        Require(Epochs >= 1, $"--epochs must be at least 1 (got {Epochs})");
        // Every image of a batch keeps its activations and their gradients, about 100 KB for lenet5.
        Require(BatchSize is >= 1 and <= MaxBatchSize, $"--batch-size must be between 1 and {MaxBatchSize} (got {BatchSize})");
        Require(ValidationImages >= 0, $"--val-images must not be negative (got {ValidationImages})");
        Require(Threads >= 1, $"--threads must be at least 1 (got {Threads})");
        Require(PeakLearningRate > 0 && float.IsFinite(PeakLearningRate), $"--lr must be a positive number (got {PeakLearningRate})");
        Require(MaxShift >= 0 && MaxShift < Math.Min(Spec.Input.H, Spec.Input.W), $"shift must be between 0 and the image size (got {MaxShift})");
        Require(WeightDecay >= 0 && Momentum >= 0 && Momentum < 1 && WarmupSteps >= 0, "weight decay, momentum (< 1) and warm-up steps must not be negative");
    }
}

/// <summary>Reported during training, every few batches.</summary>
public sealed record TrainProgress(int Epoch, int Epochs, int Batch, int BatchesPerEpoch, double Loss, double Accuracy, double ImagesPerSecond);

/// <summary>One finished epoch: training loss/accuracy over the epoch and the validation accuracy after it (null without validation).</summary>
/// <param name="IsSelected">The model after this epoch is the one kept so far (best validation accuracy, or the last epoch).</param>
public sealed record EpochResult(int Epoch, double TrainLoss, double TrainAccuracy, double? ValidationAccuracy, double Seconds, double ImagesPerSecond, bool IsSelected);

/// <summary>How the kept epoch was chosen.</summary>
public enum EpochSelection { BestValidation, Last }

/// <summary>Outcome of a run; ModelPath is the base path of the selected model's files, CheckpointPath the resumable state.</summary>
/// <param name="Final">The network after the last epoch run.</param>
/// <param name="Selected">The kept network: the epoch with the best validation accuracy, or the last one.</param>
/// <param name="SelectedValidationAccuracy">Validation accuracy of Selected (null without validation).</param>
/// <param name="Test">Selected's accuracy on the test set, measured once after training (null when no test set was given or the run was cancelled).</param>
public sealed record TrainResult(Network Final, Network Selected, IReadOnlyList<EpochResult> History, EpochSelection Selection,
    int SelectedEpoch, double? SelectedValidationAccuracy, EvalResult? Test, bool Cancelled, string? ModelPath, string? CheckpointPath);
