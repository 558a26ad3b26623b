using LeNetHls.Cli.Report;

namespace LeNetHls.Cli.Tests;

/// <summary>report.html names the split every accuracy comes from (issue 17).</summary>
public class ReportSplitTests
{
    [Fact]
    public void Every_accuracy_in_the_report_names_its_split()
    {
        string html = HtmlReport.Render(ReportBrowserTests.SampleReport());
        TextAssert.ContainsAll(html,
            "float accuracy (test set)",
            "fixed-point accuracy (test set)",
            "Accuracy against bits (test set)",
            "Confusion matrix (fixed point, test set)",
            "the test set chooses nothing");
        Assert.DoesNotContain("float accuracy</", html);
        Assert.DoesNotContain("validation split)</", html);
    }

    /// <summary>The sample report's figures, from a model whose training record says how its epoch was chosen.</summary>
    private static string RenderChosenBy(string selection, double? validationAccuracy = null)
    {
        var sample = ReportBrowserTests.SampleReport();
        return HtmlReport.Render(new ReportModel
        {
            Title = sample.Title, QModelName = sample.QModelName, TestImages = sample.TestImages, Confusion = sample.Confusion,
            FloatAccuracy = sample.FloatAccuracy, FixedAccuracy = sample.FixedAccuracy,
            FloatValidationAccuracy = validationAccuracy, EpochSelection = selection,
        });
    }

    [Fact]
    public void A_model_chosen_on_validation_shows_its_validation_accuracy_and_says_how_it_was_chosen()
    {
        string html = RenderChosenBy("best validation accuracy", validationAccuracy: 0.9934);
        Assert.Contains("<b class=\"\">99.34 %</b>float accuracy (validation split)", html);
        Assert.Contains("epoch was chosen by its accuracy on the validation split", html);
    }

    [Fact]
    public void A_model_chosen_on_the_test_set_before_validation_existed_is_flagged()
    {
        Assert.Contains("its epoch was chosen on the test set, so its test figures are optimistic", RenderChosenBy("best test accuracy"));
    }

    [Fact]
    public void The_builder_reads_the_validation_accuracy_and_the_selection_from_the_models_training_record()
    {
        string dir = RepoPaths.NewTempDir("report-split");
        string model = Path.Combine(dir, "lenet5"), qmodel = Path.Combine(dir, "q.qmodel.json");
        ModelFile.Save(FloatModel.CreateRandom(Presets.LeNet5(), 1), model,
            new Dictionary<string, string> { ["selection"] = "best validation accuracy", ["validation_accuracy"] = "0.9934" });
        QModelFile.Save(SyntheticQModel.Create(Presets.LeNet5()), qmodel);
        var images = new MnistSet(new byte[3 * 784], [1, 2, 3], 28, 28);
        var report = ReportBuilder.Build("t", model, qmodel, Path.Combine(dir, "no-sweep"), Path.Combine(dir, "no-gen"), images, []);
        Assert.Equal(0.9934, report.FloatValidationAccuracy);
        Assert.Equal("best validation accuracy", report.EpochSelection);
        Directory.Delete(dir, true);
    }
}
