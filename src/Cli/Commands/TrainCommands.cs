using LeNetHls.Core.Golden;
using LeNetHls.Quantizer;
using LeNetHls.Trainer;
using LeNetHls.Trainer.Qat;
using Spectre.Console;

namespace LeNetHls.Cli.Commands;

/// <summary>
/// `train`: float LeNet-5 on MNIST, or with --qat/--bits quantization-aware training from scratch to a qmodel;
/// the epoch is chosen on the validation split, and the test set only reports the result.
/// </summary>
public static class TrainCommands
{
    public static IEnumerable<Command> Create() => [Train()];

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
        var outPath = new Option<string?>("--out") { Description = "Base path of the kept model (PATH.modelstruct/.bin, PATH.ckpt, PATH.log); default out/models/NAME" };
        var resume = new Option<string?>("--resume") { Description = "Continue from a checkpoint (PATH.ckpt or the model base path) with its settings" };
        var data = new Option<string>("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultDir };
        var trainImages = new Option<int>("--train-images") { Description = "Use only the first N training images, validation split included (a smoke run; 0 = all 60,000)", DefaultValueFactory = _ => 0 };
        var valImages = new Option<int>("--val-images") { Description = "Hold out the last N training images for validation: the epoch is chosen on them, never on the test set (0: no validation, keep the last epoch)", DefaultValueFactory = _ => ValidationSplit.DefaultImages };
        var keepLast = new Option<bool>("--keep-last") { Description = "Keep the last epoch instead of the one with the best validation accuracy" };
        var qat = new TrainQatOptions();
        var command = new Command("train", "Train a float LeNet-5 on MNIST (keeps the epoch with the best validation accuracy; the test set is read once, to report it), or with --qat/--bits train quantization-aware from scratch to a qmodel")
        {
            preset, specFile, epochs, batch, lr, optimizer, seed, threads, shift, outPath, resume, data, trainImages, valImages, keepLast,
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
                ValidationImages = r.GetValue(valImages),
                KeepLast = r.GetValue(keepLast),
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
                var (qatTrain, qatValidation) = ValidationSplit.Of(LoadTrain(qatData), options.ValidationImages);
                return RunQatTraining(spec, widths, qatOptions, outBase, qatTrain, qatValidation, Mnist.Load(qatData, MnistSplit.Test));
            }
            qat.RejectWithoutQat(r);
            if (resumePath is null) options.Validate();
            string dir = r.GetValue(data)!;
            return TrainConsole.Run(options, LoadTrain(dir), Mnist.Load(dir, MnistSplit.Test));
        });
        return command;
    }

    /// <summary>--out names the files' common base; a path to one of them (.qmodel.json, .modelstruct, .bin) means the same base.</summary>
    private static string QatBasePath(string path) =>
        ModelFile.BasePath(path.EndsWith(".qmodel.json", StringComparison.Ordinal) ? path[..^".qmodel.json".Length] : path);

    /// <summary>QAT from the seeded random init to BASE.qmodel.json and BASE.modelstruct/.bin (read back and checked by QatRuns).</summary>
    private static int RunQatTraining(ModelSpec spec, QatWidths widths, QatOptions options, string outBase, MnistSet train, MnistSet validation, MnistSet test)
    {
        Console.WriteLine(Invariant($"train --qat {spec.Name} from scratch: {widths.Describe(spec)}; {options.Epochs} epochs, batch {options.BatchSize}, adamw lr {options.LearningRate}, warm-up {options.WarmupSteps}, shift ±{options.MaxShift}, seed {options.Seed}, {options.Threads} threads"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = QatRuns.FromScratch(spec, widths, options, outBase, train, test, Console.WriteLine, Interrupt.Token);
        string qpath = outBase + ".qmodel.json";
        if (validation.Count > 0)
            Console.WriteLine(Invariant($"{Path.GetFileName(outBase)}: {QatRuns.DescribeValidation(QModelFile.Load(qpath), validation)} (last epoch kept)"));
        Console.WriteLine(Invariant($"{Path.GetFileName(outBase)}: golden model {result.Correct}/{test.Count} = {100.0 * result.Correct / test.Count:F2} % on the test set (read once, after training), read back from {qpath} (equal to the trainer's count; QAT forward and golden model disagree on {result.PredictionMismatches} images) [{clock.Elapsed.TotalSeconds:F0} s]"));
        Console.WriteLine($"wrote {qpath} and {outBase}{ModelFile.StructExtension} + {ModelFile.BinExtension}");
        return 0;
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
