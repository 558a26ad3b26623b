using System.CommandLine;
using System.Globalization;
using LeNetHls.Core.Data;
using LeNetHls.Core.IO;
using LeNetHls.Core.Model;
using LeNetHls.Core.Quantized;
using LeNetHls.Quantizer;
using LeNetHls.Trainer;
using LeNetHls.Trainer.Qat;
using Spectre.Console;

namespace LeNetHls.Cli.Commands;

/// <summary>
/// `train` (float LeNet-5 on MNIST, or with --qat/--bits quantization-aware training from scratch to a
/// qmodel) and `eval` (test accuracy and confusion matrix of a float model).
/// </summary>
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
        var trainImages = new Option<int>("--train-images") { Description = "Train on only the first N training images (a smoke run, or a hold-out for the search; 0 = all 60,000)", DefaultValueFactory = _ => 0 };
        var keepLast = new Option<bool>("--keep-last") { Description = "Keep the last epoch and never read the test set (instead of keeping the best epoch by test accuracy)" };
        var qat = new QatTrainingOptions();
        var command = new Command("train", "Train a float LeNet-5 on MNIST (keeps the best model by test accuracy), or with --qat/--bits train quantization-aware from scratch to a qmodel")
        {
            preset, specFile, epochs, batch, lr, optimizer, seed, threads, shift, outPath, resume, data, trainImages, keepLast,
            qat.Config, qat.Bits, qat.WeightBits, qat.ActBits, qat.ScoreBits, qat.Rounding, qat.Refine, qat.UnsignedRelu,
        };
        command.SetAction(r =>
        {
            string? specPath = r.GetValue(specFile);
            var spec = specPath is null ? Presets.Get(r.GetValue(preset)!) : LoadSpec(specPath);
            string? resumePath = r.GetValue(resume);
            int firstImages = r.GetValue(trainImages);
            if (firstImages < 0) throw new LeNetHlsException($"--train-images must not be negative (got {firstImages})");
            MnistSet LoadTrain(string dir)
            {
                var all = Mnist.Load(dir, MnistSplit.Train);
                return firstImages == 0 ? all : all.Take(firstImages);
            }
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
            if (qat.Requested(r))
            {
                if (resumePath is not null) throw new LeNetHlsException("--resume: QAT training (--qat/--bits) keeps no checkpoint; start it again");
                var widths = qat.Widths(r, spec);
                string outBase = QatBasePath(r.GetValue(outPath) ?? Path.Combine("out", "qmodels", $"{spec.Name}-qat-scratch-{qat.Tag(r)}"));
                var qatOptions = QatFromScratch.Options(options) with
                {
                    Rounding = QuantizeOptions.ParseRounding(r.GetValue(qat.Rounding) ?? "rnd"), RefineScalesByLoss = r.GetValue(qat.Refine),
                };
                string qatData = r.GetValue(data)!;
                return RunQatTraining(spec, widths, qatOptions, outBase, LoadTrain(qatData), Mnist.Load(qatData, MnistSplit.Test));
            }
            qat.RejectWithoutQat(r);
            if (resumePath is null) options.Validate();
            string dir = r.GetValue(data)!;
            var train = LoadTrain(dir);
            // The mixed-precision search's start model must not be picked by test accuracy: --keep-last.
            var test = r.GetValue(keepLast) ? null : Mnist.Load(dir, MnistSplit.Test);
            return RunTraining(options, train, test);
        });
        return command;
    }

    /// <summary>--out names the files' common base; a path to one of them (.qmodel.json, .modelstruct, .bin) means the same base.</summary>
    private static string QatBasePath(string path) =>
        ModelFile.BasePath(path.EndsWith(".qmodel.json", StringComparison.Ordinal) ? path[..^".qmodel.json".Length] : path);

    /// <summary>The options that turn `train` into quantization-aware training from scratch.</summary>
    private sealed class QatTrainingOptions
    {
        public readonly Option<string?> Config = new("--qat") { Description = "QAT from scratch with per-layer widths from this JSON file ({\"conv1\": {\"weights\": {\"bits\": 4}, \"output\": {\"bits\": 4}}}; unnamed layers take --bits, else 8)" };
        public readonly Option<int?> Bits = new("--bits") { Description = "QAT from scratch: width of every weight and hidden activation" };
        public readonly Option<int?> WeightBits = new("--weight-bits") { Description = "QAT from scratch: weight width (overrides --bits)" };
        public readonly Option<int?> ActBits = new("--act-bits") { Description = "QAT from scratch: hidden activation width (overrides --bits)" };
        public readonly Option<int?> ScoreBits = new("--score-bits") { Description = $"QAT: width of the final scores (default {QatWidths.DefaultScoreBits})" };
        public readonly Option<string?> Rounding = new("--rounding") { Description = "QAT: requantization rounding rnd, trn or rnd_conv (default rnd)" };
        public readonly Option<bool> Refine = new("--refine-scales") { Description = "QAT: also move each power-of-two scale by ±1 where that lowers the calibration loss" };
        public readonly Option<bool> UnsignedRelu = new("--unsigned-relu") { Description = "QAT: hidden activations as unsigned ufx<W,F> (0 .. 2^W-1)" };

        public bool Requested(ParseResult r) =>
            r.GetValue(Config) is not null || r.GetValue(Bits) is not null || r.GetValue(WeightBits) is not null || r.GetValue(ActBits) is not null;

        public void RejectWithoutQat(ParseResult r)
        {
            if (r.GetValue(ScoreBits) is not null || r.GetValue(Rounding) is not null || r.GetValue(Refine) || r.GetValue(UnsignedRelu))
                throw new LeNetHlsException("--score-bits, --rounding, --refine-scales and --unsigned-relu apply to QAT training: add --qat QCONFIG or --bits N");
        }

        public QatWidths Widths(ParseResult r, ModelSpec spec)
        {
            QatNetwork.CheckSupported(spec);
            string? config = r.GetValue(Config);
            int? all = r.GetValue(Bits);
            // A QCONFIG may name every layer, so it needs no --bits; without one the widths must all be given.
            int? fallback = config is null ? null : QatConfig.DefaultBits;
            const string missing = "train: give --bits, both --weight-bits and --act-bits, or --qat QCONFIG";
            int w = r.GetValue(WeightBits) ?? all ?? fallback ?? throw new LeNetHlsException(missing);
            int a = r.GetValue(ActBits) ?? all ?? fallback ?? throw new LeNetHlsException(missing);
            int s = r.GetValue(ScoreBits) ?? QatWidths.DefaultScoreBits;
            // Activations first: --bits sets both, and activations allow the narrower range.
            Check(a, r.GetValue(ActBits) is null ? "--bits" : "--act-bits", QatWidths.MinBits);
            Check(w, r.GetValue(WeightBits) is null ? "--bits" : "--weight-bits", QatWidths.MinWeightBits);
            Check(s, "--score-bits", QatWidths.MinBits);
            var widths = config is null ? QatWidths.Uniform(spec, w, a, s) : QatConfig.Load(config, spec, w, a, s);
            return widths with { UnsignedRelu = r.GetValue(UnsignedRelu) };
        }

        /// <summary>Names the run: wNaM, or the QCONFIG's file name.</summary>
        public string Tag(ParseResult r)
        {
            if (r.GetValue(Config) is { } config) return Path.GetFileNameWithoutExtension(config);
            int? all = r.GetValue(Bits);
            return Invariant($"w{r.GetValue(WeightBits) ?? all}a{r.GetValue(ActBits) ?? all}{(r.GetValue(UnsignedRelu) ? "u" : "")}");
        }

        private static void Check(int bits, string option, int min)
        {
            if (bits < min || bits > QatWidths.MaxBits)
                throw new LeNetHlsException(Invariant($"{option}: width {bits} is outside the QAT range {min}..{QatWidths.MaxBits}"));
        }
    }

    /// <summary>
    /// QAT from the seeded random init; writes BASE.qmodel.json and the latent float weights
    /// BASE.modelstruct/.bin, then reads the qmodel back and checks that the golden model's accuracy on
    /// the written file is the one the trainer reported, image for image.
    /// </summary>
    private static int RunQatTraining(ModelSpec spec, QatWidths widths, QatOptions options, string outBase, MnistSet train, MnistSet test)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(outBase))!;
        AtomicFile.EnsureWritableDirectory(dir);
        string name = Path.GetFileName(outBase);
        Console.WriteLine(Invariant($"train --qat {spec.Name} from scratch: {widths.Describe(spec)}; {options.Epochs} epochs, batch {options.BatchSize}, adamw lr {options.LearningRate}, warm-up {options.WarmupSteps}, shift ±{options.MaxShift}, seed {options.Seed}, {options.Threads} threads"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = QatFromScratch.Train(spec, widths, options, train, test, (q, images) => Evaluation.RunGolden(q, images).Predictions,
                                          name, Console.WriteLine, Interrupt.Token);
        string qpath = outBase + ".qmodel.json";
        QModelFile.Save(result.Model, qpath);
        var training = QatCommands.Training(options, widths, spec, result);
        training["qat_start"] = "random init (seed " + options.Seed.ToString(CultureInfo.InvariantCulture) + ")";
        ModelFile.Save(result.Weights, outBase, training);

        int reread = Evaluation.RunGolden(QModelFile.Load(qpath), test).Correct(test.Labels);
        if (reread != result.Correct)
            throw new InvalidOperationException($"{qpath}: the golden model classifies {reread} test images correctly, the trainer reported {result.Correct}");
        Console.WriteLine(Invariant($"{name}: golden model {reread}/{test.Count} = {100.0 * reread / test.Count:F2} % on the test set, read back from {qpath} (equal to the trainer's count; QAT forward and golden model disagree on {result.PredictionMismatches} images) [{clock.Elapsed.TotalSeconds:F0} s]"));
        Console.WriteLine($"wrote {qpath} and {outBase}{ModelFile.StructExtension} + {ModelFile.BinExtension}");
        return 0;
    }

    private static int RunTraining(TrainOptions options, MnistSet train, MnistSet? test)
    {
        Interrupt.UseGracefulStop(TimeSpan.FromSeconds(60));
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
        if (test is null)
            AnsiConsole.MarkupLine($"kept the last epoch ({result.BestEpoch}; test set not read), saved as {Markup.Escape(outBase)}{ModelFile.StructExtension} + {ModelFile.BinExtension}");
        else
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

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
