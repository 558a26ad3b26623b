using LeNetHls.Trainer;
using Spectre.Console;

namespace LeNetHls.Cli.Commands;

/// <summary>What `train` prints while the float trainer runs.</summary>
internal static class TrainConsole
{
    /// <summary>Float training with a progress bar on a terminal and one line per epoch; exit code 130 when Ctrl-C stopped it.</summary>
    public static int Run(TrainOptions options, MnistSet train, MnistSet test)
    {
        Interrupt.UseGracefulStop(TimeSpan.FromSeconds(60));
        if (options.ResumePath is null)
        {
            AnsiConsole.MarkupLine($"[bold]train[/] {Markup.Escape(options.Spec.Name)}: {options.Epochs} epochs, batch {options.BatchSize}, {options.Optimizer.ToString().ToLowerInvariant()} lr {F(options.PeakLearningRate)}, shift ±{options.MaxShift}, seed {options.Seed}, {options.Threads} threads");
            var selection = options.ValidationImages > 0 && !options.KeepLast ? EpochSelection.BestValidation : EpochSelection.Last;
            // Plain lines: the protocol and the final figures are read by scripts, so no markup and no wrapping.
            Console.WriteLine(TrainingLoop.DescribeProtocol(train.Count - options.ValidationImages, options.ValidationImages, selection));
        }
        else
        {
            var checkpoint = Checkpoint.Load(options.ResumePath);
            AnsiConsole.MarkupLine($"[bold]train[/] resuming {Markup.Escape(options.ResumePath)} at epoch {checkpoint.Epoch + 1}, batch {checkpoint.Batch} (its settings: batch {checkpoint.BatchSize}, {checkpoint.Optimizer.ToString().ToLowerInvariant()}, seed {checkpoint.Seed}, {checkpoint.Threads} threads), up to {options.Epochs} epochs");
        }
        // Plain lines: a log keeps one line per epoch, without colour codes or wrapping at 80 columns.
        void PrintEpoch(EpochResult e) => Console.WriteLine(
            $"epoch {e.Epoch,2}  loss {F(e.TrainLoss, "F4")}  train {F(e.TrainAccuracy, "P2")}  validation {(e.ValidationAccuracy is null ? "-" : F(e.ValidationAccuracy.Value, "P2"))}  {F(e.Seconds, "F1")} s  {F(e.ImagesPerSecond, "N0")} img/s{(e.IsSelected ? "  kept" : "")}");

        TrainResult result;
        if (AnsiConsole.Profile.Capabilities.Interactive)
        {
            result = AnsiConsole.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    ProgressTask? task = null;
                    return TrainingLoop.Run(options, train, test,
                        onProgress: p =>
                        {
                            task ??= ctx.AddTask("training", maxValue: (double)p.Epochs * p.BatchesPerEpoch);
                            task.Value = (double)(p.Epoch - 1) * p.BatchesPerEpoch + p.Batch;
                            task.Description = $"epoch {p.Epoch}/{p.Epochs}  loss {F(p.Loss, "F4")}  acc {F(p.Accuracy, "P2")}  {F(p.ImagesPerSecond, "N0")} img/s";
                        },
                        onEpoch: PrintEpoch, cancel: Interrupt.Token);
                });
        }
        else result = TrainingLoop.Run(options, train, test, onEpoch: PrintEpoch, cancel: Interrupt.Token);

        string outBase = result.ModelPath ?? "";
        if (result.Cancelled)
        {
            AnsiConsole.MarkupLine($"[yellow]stopped[/]: checkpoint {Markup.Escape(result.CheckpointPath ?? "-")}; continue with --resume {Markup.Escape(result.CheckpointPath ?? "")}");
            return 130;
        }
        string why = result.Selection == EpochSelection.Last ? "the last epoch" : "best validation accuracy";
        string validation = result.SelectedValidationAccuracy is null ? "" : $", validation {F(result.SelectedValidationAccuracy.Value, "P2")}";
        Console.WriteLine($"kept epoch {result.SelectedEpoch} ({why}{validation}), saved as {outBase}{ModelFile.StructExtension} + {ModelFile.BinExtension}");
        if (result.Test is { } final)
            Console.WriteLine($"test accuracy (read once, after training): {F(final.Accuracy, "P2")} ({final.Correct}/{final.Count})");
        return 0;
    }

    private static string F(double v, string format = "G4") => v.ToString(format, CultureInfo.InvariantCulture);
}
