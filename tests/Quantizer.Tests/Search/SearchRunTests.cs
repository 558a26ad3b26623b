using LeNetHls.Quantizer.Search;

namespace LeNetHls.Quantizer.Tests.Search;

/// <summary>The whole search run, with post-training quantization standing in for QAT (reads all of MNIST).</summary>
[Trait("Category", "Integration")]
public class SearchRunTests
{
    /// <summary>Builds each candidate by post-training quantization at its widths and records how long it was asked to train.</summary>
    private sealed class PostTrainingTrainer(ActivationStatistics statistics) : ISearchTrainer
    {
        public List<(FineTuneSchedule Schedule, int TrainImages, int EvaluationImages)> Calls { get; } = [];
        public int DefaultScoreBits => 8;
        public void CheckSupported(ModelSpec spec) { }

        public FineTuned FineTune(FloatModel start, SearchWidths widths, bool unsignedRelu, FineTuneSchedule schedule,
                                  MnistSet train, MnistSet evaluation, string name, string sourceSha256)
        {
            Calls.Add((schedule, train.Count, evaluation.Count));
            var layers = start.Spec.ParameterLayers().Select(i => start.Spec.Layers[i].Name).ToArray();
            var overrides = layers.Select((n, k) => (n, new LayerOverride(new FormatOverride(widths.WeightBits[k], null), new FormatOverride(widths.OutputBits[k], null))))
                                  .ToDictionary(x => x.n, x => x.Item2);
            var q = ModelQuantizer.Quantize(start, statistics, new QuantizeOptions { Overrides = new FormatOverrides("search-run-test", overrides) }, name, "search-run-test");
            return new FineTuned(q, start, (double)GoldenEvaluation.Run(q, evaluation).Correct(evaluation.Labels) / evaluation.Count, 0);
        }
    }

    [Fact]
    public void Candidates_get_one_short_fine_tune_each_the_choice_gets_the_final_epochs_and_four_files_are_written()
    {
        var model = FloatModel.CreateRandom(Presets.LeNet5(), 3);
        string modelPath = Path.Combine(RepoPaths.NewTempDir(), "random");
        ModelFile.Save(model, modelPath);
        var trainer = new PostTrainingTrainer(ActivationStatistics.Collect(model, MnistFiles.Train.Take(50), 50));
        var request = new SearchRequest(modelPath, TargetAccuracy: 0.02, RepoPaths.MnistDir, RepoPaths.NewTempDir("search-run"))
        {
            ValidationImages = 300, CandidateImages = 100, MaxCandidates = 3, FinalEpochs = 2, Threads = 2, Name = "chosen",
        };

        var outcome = SearchRun.Run(request, trainer);

        var candidates = trainer.Calls.SkipLast(1).ToList();
        Assert.Equal(outcome.Result.Evaluated.Count, candidates.Count);
        Assert.Equal(Enumerable.Range(1, candidates.Count), candidates.Select(c => c.Schedule.Seed));
        Assert.All(candidates, c => Assert.Equal(new FineTuneSchedule(1, 100, c.Schedule.Seed, 2, 20), c.Schedule));
        Assert.Equal(new FineTuneSchedule(2, null, 1, 2, null), trainer.Calls[^1].Schedule);
        Assert.All(trainer.Calls, c => Assert.Equal((60000 - 300, 300), (c.TrainImages, c.EvaluationImages)));
        foreach (var file in new[] { outcome.QModelPath, outcome.ReportPath, outcome.ChartPath, outcome.JsonPath }) Assert.True(File.Exists(file), file);
        Assert.Equal("chosen.qmodel.json", SearchSummary.Load(outcome.JsonPath).Chosen?.QModel);
    }
}
