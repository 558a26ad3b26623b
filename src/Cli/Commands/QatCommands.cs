using System.CommandLine;
using System.Globalization;
using LeNetHls.Core.Data;
using LeNetHls.Core.IO;
using LeNetHls.Core.Model;
using LeNetHls.Core.Quantized;
using LeNetHls.Quantizer;
using LeNetHls.Quantizer.Search;
using LeNetHls.Trainer.Qat;

namespace LeNetHls.Cli.Commands;

/// <summary>
/// `qat MODEL --bits N` (quantization-aware fine-tuning to a qmodel) and `search MODEL --target-accuracy A`
/// (mixed-precision search). <see cref="FineTune"/> and <see cref="Search"/> are the entry points other
/// commands (quantize --target-accuracy, train --qat) can call.
/// </summary>
public static class QatCommands
{
    /// <summary>The search validates on the last images of the training set; the test set stays unseen.</summary>
    public const int DefaultValidationImages = 5000;

    public static IEnumerable<Command> Create()
    {
        yield return QatCommand();
        yield return SearchCommand();
    }

    private static Command QatCommand()
    {
        var model = new Argument<string>("model") { Description = "Float model to fine-tune (.modelstruct, .bin or base path)" };
        var bits = new Option<int?>("--bits") { Description = "Width of every weight and activation (2..8)" };
        var weightBits = new Option<int?>("--weight-bits") { Description = "Weight width (overrides --bits; 1 = bipolar ±1)" };
        var unsignedRelu = new Option<bool>("--unsigned-relu") { Description = "Hidden activations as unsigned ufx<W,F> (0 .. 2^W-1, docs/fixed-point.md §1)" };
        var actBits = new Option<int?>("--act-bits") { Description = "Hidden activation width (overrides --bits)" };
        var scoreBits = new Option<int>("--score-bits") { Description = "Width of the final scores", DefaultValueFactory = _ => QatWidths.DefaultScoreBits };
        var epochs = new Option<int>("--epochs") { Description = "Fine-tuning epochs over the 60,000 training images", DefaultValueFactory = _ => 3 };
        var lr = new Option<float>("--lr") { Description = "Peak AdamW learning rate (100 warm-up steps, cosine decay)", DefaultValueFactory = _ => new QatOptions().LearningRate };
        var seed = new Option<int>("--seed") { Description = "Seed for shuffling and shifts", DefaultValueFactory = _ => 1 };
        var rounding = new Option<string>("--rounding") { Description = "Requantization rounding: rnd, trn or rnd_conv (docs/fixed-point.md §4.1)", DefaultValueFactory = _ => "rnd" };
        var refine = new Option<bool>("--refine-scales") { Description = "Also move each power-of-two scale by ±1 where that lowers the calibration loss (helps at 2 bits)" };
        var threads = new Option<int>("--threads") { Description = "Worker threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var output = new Option<string>("--out") { Description = "Folder for <name>.qmodel.json and the QAT float weights <name>.modelstruct/.bin", DefaultValueFactory = _ => "out/qmodels" };
        var name = new Option<string?>("--name") { Description = "qmodel name (default: model name plus -qat-wNaM)" };
        var data = new Option<string>("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultDir };
        var cmd = new Command("qat", "Quantization-aware fine-tuning of a float model; reports the golden model's test accuracy of the exported qmodel")
        {
            model, bits, weightBits, actBits, unsignedRelu, scoreBits, epochs, lr, seed, rounding, refine, threads, output, name, data,
        };
        cmd.SetAction(r =>
        {
            int? all = r.GetValue(bits);
            int w = r.GetValue(weightBits) ?? all ?? throw new LeNetHlsException("qat: give --bits or both --weight-bits and --act-bits");
            int a = r.GetValue(actBits) ?? all ?? throw new LeNetHlsException("qat: give --bits or both --weight-bits and --act-bits");
            string modelPath = r.GetValue(model)!;
            var options = new QatOptions
            {
                Epochs = r.GetValue(epochs), LearningRate = r.GetValue(lr), Seed = r.GetValue(seed), Threads = r.GetValue(threads),
                RefineScalesByLoss = r.GetValue(refine), Rounding = QuantizeOptions.ParseRounding(r.GetValue(rounding)!),
            };
            string outDir = r.GetValue(output)!;
            string? qname = r.GetValue(name);
            var result = FineTune(modelPath, w, a, r.GetValue(scoreBits), options, r.GetValue(data)!, outDir, ref qname, Console.WriteLine, r.GetValue(unsignedRelu));
            Console.WriteLine(Invariant($"{qname}: golden model {result.Correct}/{result.Count} = {100 * result.Accuracy:F2} % on the test set (QAT forward and golden model disagree on {result.PredictionMismatches} images)"));
            Console.WriteLine($"wrote {Path.Combine(outDir, qname + ".qmodel.json")} and {Path.Combine(outDir, qname + ".modelstruct")}");
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// Fine-tunes MODEL at WwAa on all training images, evaluates the exported qmodel with the golden model
    /// on the test set, and writes DIR/NAME.qmodel.json plus the QAT float weights DIR/NAME.modelstruct/.bin.
    /// </summary>
    public static QatResult FineTune(string modelPath, int weightBits, int actBits, int scoreBits, QatOptions options,
        string dataDir, string outDir, ref string? name, Action<string>? log = null, bool unsignedRelu = false)
    {
        AtomicFile.EnsureWritableDirectory(outDir);
        var floatModel = ModelFile.Load(modelPath);
        var widths = QatWidths.Uniform(floatModel.Spec, weightBits, actBits, scoreBits, unsignedRelu);
        name ??= $"{Path.GetFileName(ModelFile.BasePath(modelPath))}-qat-w{weightBits}a{actBits}{(unsignedRelu ? "u" : "")}";
        Names.CheckModelNameOption(name, "--name");
        var train = Mnist.Load(dataDir, MnistSplit.Train);
        var test = Mnist.Load(dataDir, MnistSplit.Test);
        var result = QatTrainer.FineTune(floatModel, widths, options, train, test, GoldenPredictions, name,
                                         QuantizationRun.SourceSha256(modelPath), log);
        QModelFile.Save(result.Model, Path.Combine(outDir, name + ".qmodel.json"));
        ModelFile.Save(result.Weights, Path.Combine(outDir, name), Training(options, widths, floatModel.Spec, result));
        return result;
    }

    private static Command SearchCommand()
    {
        var model = new Argument<string>("model") { Description = "Float model (.modelstruct, .bin or base path)" };
        var target = new Option<double>("--target-accuracy") { Description = "Validation accuracy to keep, in percent (98.8) or as a fraction (0.988)", Required = true };
        var startBits = new Option<int>("--start-bits") { Description = "Uniform width the search starts from", DefaultValueFactory = _ => 8 };
        var candidateImages = new Option<int>("--candidate-images") { Description = "Training images each candidate is fine-tuned on (0: post-training quantization only)", DefaultValueFactory = _ => 10000 };
        var maxCandidates = new Option<int>("--max-candidates") { Description = "Stop after building this many candidates", DefaultValueFactory = _ => 60 };
        var finalEpochs = new Option<int>("--final-epochs") { Description = "Full QAT epochs for the chosen configuration (0: keep the screened candidate)", DefaultValueFactory = _ => 2 };
        var validation = new Option<int>("--validation-images") { Description = "Last training images held out for validation", DefaultValueFactory = _ => DefaultValidationImages };
        var threads = new Option<int>("--threads") { Description = "Worker threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var output = new Option<string>("--out") { Description = "Folder for NAME.qmodel.json, NAME-search.md, NAME-search.svg and NAME-search.json", DefaultValueFactory = _ => "out/qmodels" };
        var name = new Option<string?>("--name") { Description = "Name of the chosen qmodel (default: model name plus -mixed)" };
        var data = new Option<string>("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultDir };
        var unsignedRelu = new Option<bool>("--unsigned-relu") { Description = "Hidden activations as unsigned ufx<W,F> in every candidate (docs/fixed-point.md §1)" };
        var cmd = new Command("search", "Mixed-precision search: the cheapest per-layer widths that meet a validation accuracy; Pareto table and chart")
        {
            model, target, startBits, candidateImages, maxCandidates, finalEpochs, validation, threads, output, name, data, unsignedRelu,
        };
        cmd.SetAction(r =>
        {
            var request = new SearchRequest(r.GetValue(model)!, TargetFraction(r.GetValue(target)), r.GetValue(data)!, r.GetValue(output)!)
            {
                StartBits = r.GetValue(startBits), CandidateImages = r.GetValue(candidateImages), MaxCandidates = r.GetValue(maxCandidates),
                FinalEpochs = r.GetValue(finalEpochs),
                ValidationImages = r.GetValue(validation), Threads = r.GetValue(threads), Name = r.GetValue(name),
                UnsignedRelu = r.GetValue(unsignedRelu),
            };
            return RunSearch(request);
        });
        return cmd;
    }

    /// <summary>Runs the search and prints the Pareto front and the choice; `search` and `quantize --target-accuracy` share it.</summary>
    public static int RunSearch(SearchRequest request)
    {
        var outcome = Search(request, Console.WriteLine);
        Console.WriteLine();
        Console.WriteLine(MixedPrecisionSearch.ParetoTable(outcome.Result.Pareto));
        if (outcome.Result.Best is not { } best)
        {
            Console.WriteLine(Invariant($"the start configuration does not reach {100 * request.TargetAccuracy:F2} % on the validation images; wrote {outcome.ReportPath} and {outcome.JsonPath}"));
            return 1;
        }
        var cost = HardwareCost.Of(outcome.Final!);
        Console.WriteLine(Invariant($"chosen: {best.Widths}: ROM {cost.RomBits} bits ({cost.WeightRomBits} in weights), cost {cost.Total}, validation {100 * outcome.FinalValidationAccuracy:F2} %, test {100 * outcome.TestAccuracy:F2} % (golden model)"));
        Console.WriteLine($"wrote {outcome.QModelPath}, {outcome.ReportPath}, {outcome.ChartPath} and {outcome.JsonPath}");
        return 0;
    }

    public sealed record SearchRequest(string ModelPath, double TargetAccuracy, string DataDir, string OutDir)
    {
        public int StartBits { get; init; } = 8;
        /// <summary>Hidden activations as unsigned ufx&lt;W,F&gt; in every candidate.</summary>
        public bool UnsignedRelu { get; init; }
        /// <summary>Training images of each candidate's QAT fine-tune; 0 builds candidates by post-training rounding of the current weights.</summary>
        public int CandidateImages { get; init; } = 10000;
        public int MaxCandidates { get; init; } = 60;
        /// <summary>Full QAT epochs over the search's training images for the chosen configuration (0: keep the screened candidate).</summary>
        public int FinalEpochs { get; init; } = 2;
        public int ValidationImages { get; init; } = DefaultValidationImages;
        public int Threads { get; init; } = Environment.ProcessorCount;
        public string? Name { get; init; }
    }

    /// <param name="Final">The written qmodel: the chosen candidate after the final fine-tune (if that still meets the target), else the candidate.</param>
    /// <param name="FinalValidationAccuracy">Golden-model accuracy of Final on the validation images.</param>
    /// <param name="TestAccuracy">Golden-model accuracy of Final on the test images.</param>
    /// <param name="JsonPath">NAME-search.json: every candidate, the Pareto front and the choice (<see cref="SearchSummary"/>), for `report accuracy --search`.</param>
    public sealed record SearchOutcome(SearchResult Result, QModel? Final, double FinalValidationAccuracy, double TestAccuracy,
                                       string QModelPath, string ReportPath, string ChartPath, string JsonPath);

    /// <summary>
    /// Runs the search with QAT-fine-tuned candidates, validating on the last ValidationImages training
    /// images (the candidates train on the others), then measures the chosen qmodel on the test set and
    /// writes it with the Pareto table (NAME-search.md), chart (NAME-search.svg) and both as data (NAME-search.json).
    /// </summary>
    public static SearchOutcome Search(SearchRequest request, Action<string>? log = null)
    {
        AtomicFile.EnsureWritableDirectory(request.OutDir);
        var floatModel = ModelFile.Load(request.ModelPath);
        QatNetwork.CheckSupported(floatModel.Spec);
        string name = request.Name ?? $"{Path.GetFileName(ModelFile.BasePath(request.ModelPath))}-mixed";
        Names.CheckModelNameOption(name, "--name");
        string sha = QuantizationRun.SourceSha256(request.ModelPath);
        var all = Mnist.Load(request.DataDir, MnistSplit.Train);
        if (request.ValidationImages < 1 || request.ValidationImages >= all.Count)
            throw new LeNetHlsException($"--validation-images: {request.ValidationImages} must be between 1 and {all.Count - 1}");
        var (train, validation) = Split(all, all.Count - request.ValidationImages);
        int layers = floatModel.Spec.ParameterLayers().Length;
        var start = SearchWidths.Uniform(layers, request.StartBits, request.StartBits, QatWidths.DefaultScoreBits);
        int built = 0;
        BuiltCandidate Build(SearchWidths widths, FloatModel from)
        {
            var options = new QatOptions
            {
                Epochs = request.CandidateImages > 0 ? 1 : 0, ImagesPerEpoch = Math.Max(1, request.CandidateImages),
                Seed = ++built, Threads = request.Threads, WarmupSteps = 20,
            };
            var qat = QatTrainer.FineTune(from, new QatWidths(widths.WeightBits, widths.OutputBits) { UnsignedRelu = request.UnsignedRelu }, options, train, validation,
                                          GoldenPredictions, name, sha);
            if (qat.PredictionMismatches != 0)
                throw new InvalidOperationException($"QAT forward and golden model disagree on {qat.PredictionMismatches} validation images");
            return new BuiltCandidate(qat.Model, qat.Weights);
        }
        var result = MixedPrecisionSearch.Run(start, request.TargetAccuracy, Build, floatModel, validation,
                                              new SearchOptions { MaxCandidates = request.MaxCandidates }, log);
        string qpath = Path.Combine(request.OutDir, name + ".qmodel.json");
        string report = Path.Combine(request.OutDir, name + "-search.md");
        string chart = Path.Combine(request.OutDir, name + "-search.svg");
        QModel? final = null;
        double finalValidation = 0, testAccuracy = 0;
        if (result.BestModel is { } best && result.Best is { } chosen)
        {
            (final, finalValidation) = (best.Model, chosen.Accuracy);
            if (request.FinalEpochs > 0)
            {
                // Candidates were screened with short fine-tunes; the chosen one gets full epochs, and is
                // kept only if it still meets the target on the validation images.
                var options = new QatOptions { Epochs = request.FinalEpochs, Threads = request.Threads };
                var tuned = QatTrainer.FineTune(best.Weights, new QatWidths(chosen.Widths.WeightBits, chosen.Widths.OutputBits) { UnsignedRelu = request.UnsignedRelu }, options,
                                                train, validation, GoldenPredictions, name, sha);
                log?.Invoke(Invariant($"final fine-tune ({request.FinalEpochs} epochs): validation {100 * chosen.Accuracy:F2} % → {100 * tuned.Accuracy:F2} %"));
                if (tuned.Accuracy >= request.TargetAccuracy) (final, finalValidation) = (tuned.Model, tuned.Accuracy);
            }
            var test = Mnist.Load(request.DataDir, MnistSplit.Test);
            testAccuracy = (double)Evaluation.RunGolden(final, test).Correct(test.Labels) / test.Count;
            QModelFile.Save(final, qpath);
        }
        string json = Path.Combine(request.OutDir, name + "-search.json");
        var outcome = new SearchOutcome(result, final, finalValidation, testAccuracy, qpath, report, chart, json);
        AtomicFile.WriteAllText(report, Report(request, outcome, floatModel.Spec));
        var summary = Summary(request, outcome, floatModel.Spec);
        AtomicFile.WriteAllText(chart, MixedPrecisionSearch.ParetoChart(summary, floatModel.Spec.Name));
        summary.Save(json);
        return outcome;
    }

    /// <summary>The machine-readable twin of NAME-search.md.</summary>
    public static SearchSummary Summary(SearchRequest request, SearchOutcome outcome, ModelSpec spec)
    {
        var result = outcome.Result;
        SearchChoice? chosen = result.Best is { } best && outcome.Final is { } final
            ? new SearchChoice(best.Widths, HardwareCost.Of(final), outcome.FinalValidationAccuracy, outcome.TestAccuracy, Path.GetFileName(outcome.QModelPath))
            : null;
        var layers = spec.ParameterLayers().Select(i => spec.Layers[i].Name).ToList();
        return SearchSummary.From(result, Path.GetFileName(request.ModelPath), layers, request.ValidationImages, request.CandidateImages, chosen);
    }

    private static string Report(SearchRequest request, SearchOutcome outcome, ModelSpec spec)
    {
        var result = outcome.Result;
        var names = spec.ParameterLayers().Select(i => spec.Layers[i].Name);
        var lines = new List<string>
        {
            $"# Mixed-precision search: {Path.GetFileName(request.ModelPath)}",
            "",
            Invariant($"Target {100 * request.TargetAccuracy:F2} % on the last {request.ValidationImages} training images (validation); candidates fine-tuned on {request.CandidateImages} images each; layers {string.Join(", ", names)}."),
            "Cost = ROM bits (weights and biases at their widths) + multiplier bit-products (output channels × W_w × W_x per layer); see docs/qat.md."
                + (request.UnsignedRelu ? " Hidden activations are unsigned ufx<W,F> (--unsigned-relu)." : ""),
            "",
        };
        if (result.Best is { } best && outcome.Final is { } final)
        {
            var cost = HardwareCost.Of(final);
            string tuning = ReferenceEquals(final, result.BestModel!.Model) ? "no final fine-tune kept" : $"then {request.FinalEpochs} full fine-tuning epochs";
            lines.Add(Invariant($"Chosen: `{best.Widths}` (validation {100 * best.Accuracy:F2} % as screened), {tuning}: ROM {cost.RomBits} bits ({cost.WeightRomBits} in weights), cost {cost.Total}, validation {100 * outcome.FinalValidationAccuracy:F2} %, test {100 * outcome.TestAccuracy:F2} % (golden model, {Path.GetFileName(outcome.QModelPath)})."));
        }
        else
            lines.Add("The start configuration does not meet the target.");
        lines.Add("");
        lines.Add("## Pareto front");
        lines.Add("");
        lines.Add(MixedPrecisionSearch.ParetoTable(result.Pareto));
        lines.Add("## Every candidate, in the order built");
        lines.Add("");
        lines.Add("```");
        lines.AddRange(result.Evaluated.Select(MixedPrecisionSearch.Line));
        lines.Add("```");
        return string.Join('\n', lines) + "\n";
    }

    private static int[] GoldenPredictions(QModel model, MnistSet images) => Evaluation.RunGolden(model, images).Predictions;

    private static double TargetFraction(double value) => value > 1 ? value / 100 : value;

    private static (MnistSet Head, MnistSet Tail) Split(MnistSet set, int count)
    {
        int pixels = set.PixelsPerImage;
        return (new MnistSet(set.Images[..(count * pixels)], set.Labels[..count], set.Rows, set.Cols),
                new MnistSet(set.Images[(count * pixels)..], set.Labels[count..], set.Rows, set.Cols));
    }

    /// <summary>The .modelstruct training record of a QAT run (`qat` and `train --qat`).</summary>
    internal static Dictionary<string, string> Training(QatOptions options, QatWidths widths, ModelSpec spec, QatResult result) => new()
    {
        ["qat_widths"] = widths.Describe(spec),
        ["qat_epochs"] = options.Epochs.ToString(CultureInfo.InvariantCulture),
        ["qat_learning_rate"] = options.LearningRate.ToString(CultureInfo.InvariantCulture),
        ["qat_seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
        ["qat_refine_scales"] = options.RefineScalesByLoss ? "true" : "false",
        ["qat_golden_test_accuracy"] = result.Accuracy.ToString("F4", CultureInfo.InvariantCulture),
    };

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
