using LeNetHls.Quantizer.Reporting;

namespace LeNetHls.Quantizer.Tests;

public class AccuracySweepTests
{
    private static SweepReport Report()
    {
        var q = TinyQModels.PointwiseModel(2, 1, 0, new QActivation(8, 0, -128, 127));
        var points = new List<SweepPoint>
        {
            new(SweepSeries.Weights, 8, 8, 16, q, new AccuracyComparison(200, 198, 197, 1, [3]), null),
            new(SweepSeries.Activations, 8, 16, 8, q, new AccuracyComparison(200, 198, 196, 2, [4]), null),
            new(SweepSeries.Both, 8, 8, 8, q, new AccuracyComparison(200, 198, 195, 3, [5]), null),
            new(SweepSeries.Weights, 2, 2, 16, q, new AccuracyComparison(200, 198, 20, 180, [0]), null),
            new(SweepSeries.Activations, 2, 16, 2, null, null, "layer 'pw': broken"),
            new(SweepSeries.Both, 2, 2, 2, q, new AccuracyComparison(200, 198, 19, 181, [77]), null),
        };
        return new SweepReport("tiny", new QuantizeOptions(), 50, 200, 198, points);
    }

    [Theory]
    [InlineData("16,12,10,8,6,5,4,3,2", new[] { 16, 12, 10, 8, 6, 5, 4, 3, 2 })]
    [InlineData("4, 8,8", new[] { 8, 4 })]
    public void Sweep_widths_are_parsed_deduplicated_and_sorted_widest_first(string text, int[] widths) =>
        Assert.Equal(widths, AccuracySweep.ParseWidths(text));

    [Theory]
    [InlineData("8,x", "'x' is not a width")]
    [InlineData("8,1", "width 1 is outside 2..32")]
    [InlineData("", "no widths")]
    public void Bad_sweep_widths_are_rejected(string text, string problem) =>
        Assert.Contains(problem, Assert.Throws<LeNetHlsException>(() => AccuracySweep.ParseWidths(text)).Message);

    [Fact]
    public void The_csv_has_one_row_per_point_with_saturations_per_layer()
    {
        var lines = SweepReportWriter.Csv(Report()).TrimEnd('\n').Split('\n');
        Assert.Equal("series,bits,weight_bits,act_bits,images,float_accuracy,fixed_accuracy,changed_predictions,error,saturated_pw", lines[0]);
        Assert.Equal(7, lines.Length);
        Assert.Equal("both,8,8,8,200,99.00,97.50,3,,5", lines[3]);
        Assert.Equal("activations,2,16,2,200,99.00,,,\"layer 'pw': broken\",", lines[5]);
    }

    [Fact]
    public void The_markdown_tabulates_all_three_series_with_changed_predictions()
    {
        string md = SweepReportWriter.Markdown(Report());
        TextAssert.ContainsAll(md,
            "| 8 | 98.50 | 98.00 | 97.50 | 1 / 2 / 3 |",
            "| 2 | 10.00 | n/a | 9.50 | 180 / n/a / 181 |",
            "* activations at 2 bits: layer 'pw': broken",
            "| 2 | 77 |",
            "![accuracy vs bits](accuracy.svg)");
    }

    [Fact]
    public void The_markdown_says_its_accuracies_are_on_the_test_set_and_that_it_chooses_nothing()
    {
        string md = SweepReportWriter.Markdown(Report());
        TextAssert.ContainsAll(md,
            "on 200 MNIST test images",
            "## Fixed-point accuracy (%, test set)",
            "every accuracy in this report is on the test set, which chooses nothing");
    }

    [Fact]
    public void The_chart_draws_three_series_and_the_float_line()
    {
        var doc = System.Xml.Linq.XDocument.Parse(SweepReportWriter.Svg(Report()));
        var names = doc.Descendants().Where(e => e.Name.LocalName == "polyline").Select(e => e.Attribute("data-name")!.Value).ToList();
        Assert.Equal(4, names.Count);
        Assert.Equal("float 99.00 %", names[^1]);
        // The axis reaches 10 points below float; the two 2-bit results lie beneath it.
        Assert.Equal("88", doc.Descendants().First(e => e.Attribute("class")?.Value == "ytick").Value);
        Assert.Equal(2, doc.Descendants().Count(e => e.Attribute("class")?.Value == "below"));
    }

    [Fact]
    public void A_sweep_quantizes_and_evaluates_every_width_and_series_and_writes_three_files()
    {
        var model = TinyFloatModels.ReluModel();
        var images = TinyFloatModels.Images();
        var statistics = ActivationStatistics.Collect(model, images, images.Count);
        var report = AccuracySweep.Run(model, "tiny", "tiny.modelstruct", statistics, images, FloatPredictions.Of(model, images), [8, 3], new QuantizeOptions());
        Assert.Equal(6, report.Points.Count);
        Assert.All(report.Points, p => Assert.NotNull(p.Result));
        Assert.Equal(new[] { (8, 16), (16, 8), (8, 8) }, report.Points.Take(3).Select(p => (p.WeightBits, p.ActivationBits)));
        string dir = RepoPaths.NewTempDir("sweep");
        SweepReportWriter.Write(report, dir);
        Assert.Equal(new[] { "accuracy.csv", "accuracy.md", "accuracy.svg" }, Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        Directory.Delete(dir, true);
    }
}
