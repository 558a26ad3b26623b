using LeNetHls.Core.Golden;
using LeNetHls.Quantizer.Reporting;

namespace LeNetHls.Quantizer.Search;

/// <summary>How long one fine-tune runs: the search screens candidates briefly and gives the chosen one full epochs.</summary>
/// <param name="ImagesPerEpoch">Train on only the first this-many images of each epoch (null: all).</param>
/// <param name="WarmupSteps">Learning-rate warm-up (null: the trainer's default).</param>
public sealed record FineTuneSchedule(int Epochs, int? ImagesPerEpoch, int Seed, int Threads, int? WarmupSteps);

/// <param name="Accuracy">The golden model's accuracy of Model on the evaluation images.</param>
/// <param name="PredictionMismatches">Evaluation images where the training forward pass and the golden model disagree.</param>
public sealed record FineTuned(QModel Model, FloatModel Weights, double Accuracy, int PredictionMismatches);

/// <summary>
/// Quantization-aware fine-tuning as the search needs it. The trainer implements it (Cli passes it in), so
/// Quantizer does not reference Trainer.
/// </summary>
public interface ISearchTrainer
{
    /// <summary>Width of the final scores when the search does not narrow them.</summary>
    int DefaultScoreBits { get; }

    /// <summary>Throws a one-line error when the trainer cannot train this architecture.</summary>
    void CheckSupported(ModelSpec spec);

    FineTuned FineTune(FloatModel start, SearchWidths widths, bool unsignedRelu, FineTuneSchedule schedule,
                       MnistSet train, MnistSet evaluation, string name, string sourceSha256);
}

public sealed record SearchRequest(string ModelPath, double TargetAccuracy, string DataDir, string OutDir)
{
    /// <summary>The search validates on the last images of the training set; the test set stays unseen.</summary>
    public const int DefaultValidationImages = 5000;

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

    /// <summary>A target given in percent (98.8) or as a fraction (0.988), as a fraction.</summary>
    public static double TargetFraction(double value) => value > 1 ? value / 100 : value;
}

/// <param name="Final">The written qmodel: the chosen candidate after the final fine-tune (if that still meets the target), else the candidate.</param>
/// <param name="FinalValidationAccuracy">Golden-model accuracy of Final on the validation images.</param>
/// <param name="TestAccuracy">Golden-model accuracy of Final on the test images.</param>
/// <param name="JsonPath">NAME-search.json: every candidate, the Pareto front and the choice (<see cref="SearchSummary"/>), for `report accuracy --search`.</param>
public sealed record SearchOutcome(SearchResult Result, QModel? Final, double FinalValidationAccuracy, double TestAccuracy,
                                   string QModelPath, string ReportPath, string ChartPath, string JsonPath);

/// <summary>
/// The whole mixed-precision search of `search` and `quantize --target-accuracy`: splits the training set,
/// builds QAT-fine-tuned candidates, gives the chosen one a final fine-tune, scores it on the test set and
/// writes NAME.qmodel.json, the Pareto table (NAME-search.md), chart (NAME-search.svg) and both as data (NAME-search.json).
/// </summary>
public static class SearchRun
{
    public static SearchOutcome Run(SearchRequest request, ISearchTrainer trainer, Action<string>? log = null)
    {
        AtomicFile.EnsureWritableDirectory(request.OutDir);
        var floatModel = ModelFile.Load(request.ModelPath);
        trainer.CheckSupported(floatModel.Spec);
        string name = request.Name ?? $"{Path.GetFileName(ModelFile.BasePath(request.ModelPath))}-mixed";
        Names.CheckModelNameOption(name, "--name");
        string sha = QuantizationRun.SourceSha256(request.ModelPath);
        var all = Mnist.Load(request.DataDir, MnistSplit.Train);
        if (request.ValidationImages < 1 || request.ValidationImages >= all.Count)
            throw new LeNetHlsException($"--validation-images: {request.ValidationImages} must be between 1 and {all.Count - 1}");
        var (train, validation) = Split(all, all.Count - request.ValidationImages);
        int layers = floatModel.Spec.ParameterLayers().Length;
        var start = SearchWidths.Uniform(layers, request.StartBits, request.StartBits, trainer.DefaultScoreBits);
        int built = 0;
        BuiltCandidate Build(SearchWidths widths, FloatModel from)
        {
            var schedule = new FineTuneSchedule(Epochs: request.CandidateImages > 0 ? 1 : 0, ImagesPerEpoch: Math.Max(1, request.CandidateImages),
                                                Seed: ++built, request.Threads, WarmupSteps: 20);
            var candidate = trainer.FineTune(from, widths, request.UnsignedRelu, schedule, train, validation, name, sha);
            if (candidate.PredictionMismatches != 0)
                throw new InvalidOperationException($"QAT forward and golden model disagree on {candidate.PredictionMismatches} validation images");
            return new BuiltCandidate(candidate.Model, candidate.Weights);
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
                var schedule = new FineTuneSchedule(request.FinalEpochs, ImagesPerEpoch: null, Seed: 1, request.Threads, WarmupSteps: null);
                var tuned = trainer.FineTune(best.Weights, chosen.Widths, request.UnsignedRelu, schedule, train, validation, name, sha);
                log?.Invoke(Invariant($"final fine-tune ({request.FinalEpochs} epochs): validation {100 * chosen.Accuracy:F2} % → {100 * tuned.Accuracy:F2} %"));
                if (tuned.Accuracy >= request.TargetAccuracy) (final, finalValidation) = (tuned.Model, tuned.Accuracy);
            }
            var test = Mnist.Load(request.DataDir, MnistSplit.Test);
            testAccuracy = (double)GoldenEvaluation.Run(final, test).Correct(test.Labels) / test.Count;
            QModelFile.Save(final, qpath);
        }
        string json = Path.Combine(request.OutDir, name + "-search.json");
        var outcome = new SearchOutcome(result, final, finalValidation, testAccuracy, qpath, report, chart, json);
        AtomicFile.WriteAllText(report, SearchReport.Markdown(request, outcome, floatModel.Spec));
        var summary = Summary(request, outcome, floatModel.Spec);
        AtomicFile.WriteAllText(chart, ParetoReport.Chart(summary, floatModel.Spec.Name));
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

    /// <summary>The first <paramref name="count"/> images, and the rest.</summary>
    public static (MnistSet Head, MnistSet Tail) Split(MnistSet set, int count)
    {
        int pixels = set.PixelsPerImage;
        return (new MnistSet(set.Images[..(count * pixels)], set.Labels[..count], set.Rows, set.Cols),
                new MnistSet(set.Images[(count * pixels)..], set.Labels[count..], set.Rows, set.Cols));
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
