using LeNetHls.Cli.Report;
using LeNetHls.Core.Data;
using LeNetHls.Core.IO;
using LeNetHls.Core.Model;
using LeNetHls.Core.Quantized;
using LeNetHls.TestSupport;

namespace LeNetHls.Cli.Tests;

/// <summary>report.html names the split every accuracy comes from (issue 17).</summary>
public class ReportSplitTests
{
    [Fact]
    public void Every_accuracy_in_the_report_names_its_split()
    {
        string html = HtmlReport.Render(ReportBrowserTests.SampleReport());
        Assert.Contains("float accuracy (test set)", html);
        Assert.Contains("fixed-point accuracy (test set)", html);
        Assert.Contains("Accuracy against bits (test set)", html);
        Assert.Contains("Confusion matrix (fixed point, test set)", html);
        Assert.Contains("the test set chooses nothing", html);
        Assert.DoesNotContain("float accuracy</", html);
        Assert.DoesNotContain("validation split)</", html);
    }

    [Fact]
    public void A_model_chosen_on_validation_shows_its_validation_accuracy_and_says_how_it_was_chosen()
    {
        var report = ReportBrowserTests.SampleReport();
        string html = HtmlReport.Render(new ReportModel
        {
            Title = report.Title, QModelName = report.QModelName, TestImages = report.TestImages, Confusion = report.Confusion,
            FloatAccuracy = report.FloatAccuracy, FixedAccuracy = report.FixedAccuracy,
            FloatValidationAccuracy = 0.9934, EpochSelection = "best validation accuracy",
        });
        Assert.Contains("<b class=\"\">99.34 %</b>float accuracy (validation split)", html);
        Assert.Contains("epoch was chosen by its accuracy on the validation split", html);
    }

    [Fact]
    public void A_model_chosen_on_the_test_set_before_validation_existed_is_flagged()
    {
        var report = ReportBrowserTests.SampleReport();
        string html = HtmlReport.Render(new ReportModel
        {
            Title = report.Title, QModelName = report.QModelName, TestImages = report.TestImages, Confusion = report.Confusion,
            EpochSelection = "best test accuracy",
        });
        Assert.Contains("its epoch was chosen on the test set, so its test figures are optimistic", html);
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
