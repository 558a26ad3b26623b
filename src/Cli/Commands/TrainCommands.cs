using System.CommandLine;
using System.Globalization;
using LeNetHls.Core.Data;
using LeNetHls.Core.IO;
using LeNetHls.Core.Model;
using LeNetHls.Trainer;
using Spectre.Console;

namespace LeNetHls.Cli.Commands;

/// <summary>`train` (float LeNet-5 on MNIST) and `eval` (test accuracy and confusion matrix of a float model).</summary>
public static class TrainCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return Train();
        yield return Eval();
    }

    private static Command Train()
    {
        var preset = new Option<string>("--preset") { Description = $"Architecture: {string.Join(" or ", Presets.Names)}", DefaultValueFactory = _ => "lenet5" };
        var specFile = new Option<string?>("--spec") { Description = "Architecture from a model spec JSON file instead of a preset" };
        var epochs = new Option<int>("--epochs") { Description = "Epochs (with --resume: the total to reach)", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch-size") { Description = "Images per batch", DefaultValueFactory = _ => 64 };
        var lr = new Option<float?>("--lr") { Description = $"Peak learning rate (default: adam {TrainOptions.DefaultLearningRate(OptimizerKind.Adam)}, sgd {TrainOptions.DefaultLearningRate(OptimizerKind.Sgd)}); 200 warm-up steps, then cosine decay" };
        var optimizer = new Option<string>("--optimizer") { Description = "adam (AdamW) or sgd (momentum 0.9)", DefaultValueFactory = _ => "adam" };
        var seed = new Option<int>("--seed") { Description = "Seed for init, shuffling and shifts", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Worker threads (same seed and threads give identical weights)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var shift = new Option<int>("--shift") { Description = "Augmentation: random shift of up to this many pixels (0: off)", DefaultValueFactory = _ => 1 };
        var outPath = new Option<string?>("--out") { Description = "Base path of the best model (PATH.modelstruct/.bin, PATH.ckpt, PATH.log); default out/models/NAME" };
        var resume = new Option<string?>("--resume") { Description = "Continue from a checkpoint (PATH.ckpt or the model base path) with its settings" };
        var data = new Option<string>("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultDir };
        var command = new Command("train", "Train a float LeNet-5 on MNIST; keeps the best model by test accuracy")
        {
            preset, specFile, epochs, batch, lr, optimizer, seed, threads, shift, outPath, resume, data,
        };
        command.SetAction(r =>
        {
            string? specPath = r.GetValue(specFile);
            var spec = specPath is null ? Presets.Get(r.GetValue(preset)!) : LoadSpec(specPath);
            string? resumePath = r.GetValue(resume);
            var options = new TrainOptions
            {
                Spec = spec,
                Epochs = r.GetValue(epochs),
                BatchSize = r.GetValue(batch),
                LearningRate = r.GetValue(lr),
                Optimizer = ParseOptimizer(r.GetValue(optimizer)!),
                Seed = r.GetValue(seed),
                Threads = r.GetValue(threads),
                MaxShift = r.GetValue(shift),
                ResumePath = resumePath,
                // A resumed run keeps writing next to its checkpoint unless told otherwise.
                OutPath = r.GetValue(outPath) ?? (resumePath is null ? Path.Combine("out", "models", spec.Name) : null),
            };
            if (resumePath is null) options.Validate();
            string dir = r.GetValue(data)!;
            var train = Mnist.Load(dir, MnistSplit.Train);
            var test = Mnist.Load(dir, MnistSplit.Test);
            return RunTraining(options, train, test);
        });
        return command;
    }

    private static int RunTraining(TrainOptions options, MnistSet train, MnistSet test)
    {
        if (options.ResumePath is null)
            AnsiConsole.MarkupLine($"[bold]train[/] {Markup.Escape(options.Spec.Name)}: {options.Epochs} epochs, batch {options.BatchSize}, {options.Optimizer.ToString().ToLowerInvariant()} lr {F(options.PeakLearningRate)}, shift ±{options.MaxShift}, seed {options.Seed}, {options.Threads} threads");
        else
        {
            var checkpoint = Checkpoint.Load(options.ResumePath);
            AnsiConsole.MarkupLine($"[bold]train[/] resuming {Markup.Escape(options.ResumePath)} at epoch {checkpoint.Epoch + 1}, batch {checkpoint.Batch} (its settings: batch {checkpoint.BatchSize}, {checkpoint.Optimizer.ToString().ToLowerInvariant()}, seed {checkpoint.Seed}, {checkpoint.Threads} threads), up to {options.Epochs} epochs");
        }
        void PrintEpoch(EpochResult e) => AnsiConsole.MarkupLine(
            $"epoch {e.Epoch,2}  loss {F(e.TrainLoss, "F4")}  train {F(e.TrainAccuracy, "P2")}  [bold]test {(e.TestAccuracy is null ? "-" : F(e.TestAccuracy.Value, "P2"))}[/]  {F(e.Seconds, "F1")} s  {F(e.ImagesPerSecond, "N0")} img/s{(e.IsBest ? "  [green]best[/]" : "")}");

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
        AnsiConsole.MarkupLine($"best test accuracy [bold]{(result.BestTestAccuracy is null ? "-" : F(result.BestTestAccuracy.Value, "P2"))}[/] (epoch {result.BestEpoch}), saved as {Markup.Escape(outBase)}{ModelFile.StructExtension} + {ModelFile.BinExtension}");
        return 0;
    }

    private static Command Eval()
    {
        var model = new Argument<string>("model") { Description = "Float model: PATH.modelstruct, PATH.bin or PATH" };
        var data = new Option<string>("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultDir };
        var threads = new Option<int>("--threads") { Description = "Worker threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("eval", "Test accuracy and confusion matrix of a float model on MNIST") { model, data, threads };
        command.SetAction(r =>
        {
            if (r.GetValue(threads) < 1) throw new LeNetHlsException($"--threads must be at least 1 (got {r.GetValue(threads)})");
            var floatModel = ModelFile.Load(r.GetValue(model)!);
            var test = Mnist.Load(r.GetValue(data)!, MnistSplit.Test);
            var result = new FloatInference(floatModel, r.GetValue(threads)).Evaluate(test);
            PrintConfusion(result);
            AnsiConsole.MarkupLine($"{Markup.Escape(floatModel.Spec.Name)}: test accuracy [bold]{F(result.Accuracy, "P2")}[/] ({result.Correct}/{result.Count})");
            return 0;
        });
        return command;
    }

    private static void PrintConfusion(EvalResult result)
    {
        int classes = result.Confusion.GetLength(0);
        var table = new Table().Title("confusion matrix (rows: true label, columns: predicted)");
        table.AddColumn(new TableColumn("true").RightAligned());
        for (int c = 0; c < classes; c++) table.AddColumn(new TableColumn(c.ToString(CultureInfo.InvariantCulture)).RightAligned());
        table.AddColumn(new TableColumn("recall %").RightAligned());
        for (int t = 0; t < classes; t++)
        {
            int total = 0;
            var cells = new List<string> { t.ToString(CultureInfo.InvariantCulture) };
            for (int p = 0; p < classes; p++)
            {
                int v = result.Confusion[t, p];
                total += v;
                cells.Add(p == t ? $"[green]{v}[/]" : v == 0 ? "[grey]0[/]" : $"[red]{v}[/]");
            }
            cells.Add(total == 0 ? "-" : F(100.0 * result.Confusion[t, t] / total, "F1"));
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
    }

    private static ModelSpec LoadSpec(string path)
    {
        if (!File.Exists(path)) throw LeNetHlsException.InFile(path, "model spec not found");
        return ModelSpec.FromJson(File.ReadAllText(path), path);
    }

    private static OptimizerKind ParseOptimizer(string name) => name.ToLowerInvariant() switch
    {
        "adam" => OptimizerKind.Adam,
        "sgd" => OptimizerKind.Sgd,
        _ => throw new LeNetHlsException($"--optimizer: unknown optimizer '{name}' (choose adam or sgd)"),
    };

    private static string F(double v, string format = "G4") => v.ToString(format, CultureInfo.InvariantCulture);
}
