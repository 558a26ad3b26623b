using LeNetHls.Cli.Search;
using LeNetHls.Core.Golden;
using LeNetHls.Quantizer.Reporting;
using LeNetHls.Quantizer;
using LeNetHls.Quantizer.Search;
using LeNetHls.Trainer;
using LeNetHls.Trainer.Qat;

namespace LeNetHls.Cli.Commands;

/// <summary>
/// `qat MODEL --bits N` (quantization-aware fine-tuning to a qmodel) and `search MODEL --target-accuracy A`
/// (mixed-precision search); <see cref="RunSearch"/> also serves `quantize --target-accuracy`.
/// </summary>
public static class QatCommands
{
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
        var epochs = new Option<int>("--epochs") { Description = "Fine-tuning epochs over the training images (minus the validation split); the last epoch is kept", DefaultValueFactory = _ => 3 };
        var valImages = new Option<int>("--val-images") { Description = "Last training images held out for validation (not trained on; 0: none)", DefaultValueFactory = _ => ValidationSplit.DefaultImages };
        var lr = new Option<float>("--lr") { Description = "Peak AdamW learning rate (100 warm-up steps, cosine decay)", DefaultValueFactory = _ => new QatOptions().LearningRate };
        var seed = new Option<int>("--seed") { Description = "Seed for shuffling and shifts", DefaultValueFactory = _ => 1 };
        var rounding = new Option<string>("--rounding") { Description = "Requantization rounding: rnd, trn or rnd_conv (docs/fixed-point.md §4.1)", DefaultValueFactory = _ => "rnd" };
        var refine = new Option<bool>("--refine-scales") { Description = "Also move each power-of-two scale by ±1 where that lowers the calibration loss (helps at 2 bits)" };
        var threads = new Option<int>("--threads") { Description = "Worker threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var output = new Option<string>("--out") { Description = "Folder for <name>.qmodel.json and the QAT float weights <name>.modelstruct/.bin", DefaultValueFactory = _ => "out/qmodels" };
        var name = new Option<string?>("--name") { Description = "qmodel name (default: model name plus -qat-wNaM)" };
        var data = new Option<string>("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultDir };
        var cmd = new Command("qat", "Quantization-aware fine-tuning of a float model; reports the golden model's validation accuracy and, once, its test accuracy of the exported qmodel")
        {
            model, bits, weightBits, actBits, unsignedRelu, scoreBits, epochs, valImages, lr, seed, rounding, refine, threads, output, name, data,
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
            var (result, qname) = QatRuns.FineTune(modelPath, w, a, r.GetValue(scoreBits), options, r.GetValue(data)!, outDir, r.GetValue(name), Console.WriteLine, r.GetValue(unsignedRelu), r.GetValue(valImages));
            Console.WriteLine(Invariant($"{qname}: golden model {result.Correct}/{result.Count} = {100 * result.Accuracy:F2} % on the test set, read once after training (QAT forward and golden model disagree on {result.PredictionMismatches} images)"));
            Console.WriteLine($"wrote {Path.Combine(outDir, qname + ".qmodel.json")} and {Path.Combine(outDir, qname + ".modelstruct")}");
            return 0;
        });
        return cmd;
    }

    private static Command SearchCommand()
    {
        var model = new Argument<string>("model") { Description = "Float model (.modelstruct, .bin or base path)" };
        var target = new Option<double>("--target-accuracy") { Description = "Validation accuracy to keep, in percent (98.8) or as a fraction (0.988)", Required = true };
        var startBits = new Option<int>("--start-bits") { Description = "Uniform width the search starts from", DefaultValueFactory = _ => 8 };
        var candidateImages = new Option<int>("--candidate-images") { Description = "Training images each candidate is fine-tuned on (0: post-training quantization only)", DefaultValueFactory = _ => 10000 };
        var maxCandidates = new Option<int>("--max-candidates") { Description = "Stop after building this many candidates", DefaultValueFactory = _ => 60 };
        var finalEpochs = new Option<int>("--final-epochs") { Description = "Full QAT epochs for the chosen configuration (0: keep the screened candidate)", DefaultValueFactory = _ => 2 };
        var validation = new Option<int>("--validation-images") { Description = "Last training images held out for validation", DefaultValueFactory = _ => SearchRequest.DefaultValidationImages };
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
            var request = new SearchRequest(r.GetValue(model)!, SearchRequest.TargetFraction(r.GetValue(target)), r.GetValue(data)!, r.GetValue(output)!)
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
        var outcome = SearchRun.Run(request, new QatSearchTrainer(), Console.WriteLine);
        Console.WriteLine();
        Console.WriteLine(ParetoReport.Table(outcome.Result.Pareto));
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

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
