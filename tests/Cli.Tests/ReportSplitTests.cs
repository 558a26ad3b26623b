using LeNetHls.Cli.Report;

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
}
