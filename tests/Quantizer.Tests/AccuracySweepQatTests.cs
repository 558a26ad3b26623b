using System.Xml.Linq;
using LeNetHls.Quantizer.Reporting;
using LeNetHls.Quantizer.Search;
using LeNetHls.Quantizer.Tests.Search;

namespace LeNetHls.Quantizer.Tests;

/// <summary>`report accuracy --qat QMODEL... --search NAME-search.json`: QAT beside post-training, and the Pareto front.</summary>
public class AccuracySweepQatTests
{
    private static readonly Core.Model.FloatModel Model = TinyFloatModels.ReluModel();
    private static readonly Core.Data.MnistSet Images = TinyFloatModels.Images();
    private static readonly ActivationStatistics Statistics = ActivationStatistics.Collect(Model, Images, Images.Count);

    private static QModel PostTraining(QuantizeOptions options, string name) => ModelQuantizer.Quantize(Model, Statistics, options, name, "tiny.modelstruct");

    private static QModel Mixed() => PostTraining(new QuantizeOptions
    {
        Overrides = new FormatOverrides("mixed.json", new Dictionary<string, LayerOverride>
        {
            ["conv1"] = new(new FormatOverride(3, null), new FormatOverride(5, null)),
            ["fc1"] = new(new FormatOverride(6, null), new FormatOverride(8, null)),
        }),
    }, "tiny-mixed");

    private static SweepReport RunWith(params (string Path, QModel Model)[] qat) =>
        AccuracySweep.Run(Model, "tiny", "tiny.modelstruct", Statistics, Images, FloatPredictions.Of(Model, Images), [8, 4], new QuantizeOptions(), null, qat);

    [Fact]
    public void Post_training_at_a_qat_models_widths_reproduces_a_model_that_was_itself_post_training_quantized()
    {
        // The comparison row must differ from its QAT model by the training only: given a post-training
        // model in QAT's place, it rebuilds that model, down to every saturation count.
        var uniform = PostTraining(new QuantizeOptions { WeightBits = 4, ActivationBits = 4 }, "tiny-w4a4");
        var report = RunWith(("/q/tiny-w4a4.qmodel.json", uniform), ("/q/tiny-mixed.qmodel.json", Mixed()));
        Assert.Equal(2, report.Qat.Count);
        foreach (var q in report.Qat)
        {
            var ptq = Assert.IsType<AccuracyComparison>(q.PostTraining);
            Assert.Equal((q.Result.FixedCorrect, q.Result.Changed), (ptq.FixedCorrect, ptq.Changed));
            Assert.Equal(q.Result.Saturations, ptq.Saturations);
        }
        Assert.Equal(["tiny-w4a4", "tiny-mixed"], report.Qat.Select(q => q.Name));
    }

    [Fact]
    public void A_uniform_qat_model_sits_in_the_row_of_its_width_and_a_mixed_one_only_in_the_qat_table()
    {
        var report = RunWith(("/q/tiny-w4a4.qmodel.json", PostTraining(new QuantizeOptions { WeightBits = 4, ActivationBits = 4 }, "tiny-w4a4")),
                             ("/q/tiny-mixed.qmodel.json", Mixed()));
        Assert.Equal([4, null], report.Qat.Select(q => q.UniformBits));
        Assert.Equal(["W4A4, scores 4", "w 3,6 a 5 s 8"], report.Qat.Select(q => q.Widths));
        string md = SweepReportWriter.Markdown(report);
        Assert.Contains("| bits | weights only | activations only | both | QAT (both) | changed (w / a / both) |", md);
        string qat = report.Qat[0].Result.FixedAccuracy.ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Matches($@"\| 4 \| [^|]+ \| [^|]+ \| [^|]+ \| \*\*{qat}\*\* \|", md);
        Assert.Matches(@"\| 8 \| [^|]+ \| [^|]+ \| [^|]+ \| – \|", md);
        Assert.Contains("| `tiny-mixed` | w 3,6 a 5 s 8 |", md);
    }

    private static SweepReport Constructed()
    {
        var q = TinyQModels.PointwiseModel(2, 1, 0, new QActivation(8, 0, -128, 127));
        var points = new List<SweepPoint>
        {
            new(SweepSeries.Weights, 8, 8, 16, q, new AccuracyComparison(200, 198, 197, 1, [3]), null),
            new(SweepSeries.Activations, 8, 16, 8, q, new AccuracyComparison(200, 198, 196, 2, [4]), null),
            new(SweepSeries.Both, 8, 8, 8, q, new AccuracyComparison(200, 198, 195, 3, [5]), null),
        };
        var qat = new QatPoint("tiny-qat-w8a8", q, new AccuracyComparison(200, 198, 199, 1, [2]), new AccuracyComparison(200, 198, 190, 8, [6]), null);
        return new SweepReport("tiny", new QuantizeOptions(), 50, 200, 198, points) { Qat = [qat] };
    }

    [Fact]
    public void A_qat_model_sits_in_a_sweep_row_only_when_its_relu_outputs_are_signed_as_the_sweeps_are()
    {
        var result = new AccuracyComparison(200, 198, 199, 1, [2]);
        var unsignedModel = TinyQModels.PointwiseModel(2, 1, 0, QActivation.UnsignedRelu(8, 0), activation: Activation.ReLU);
        Assert.Null(new QatPoint("u", unsignedModel, result, null, null).UniformBits);
        Assert.Equal(8, new QatPoint("u", unsignedModel, result, null, null, SweepUnsigned: true).UniformBits);
        var signedModel = TinyQModels.PointwiseModel(2, 1, 0, new QActivation(8, 0, -128, 127));
        Assert.Null(new QatPoint("s", signedModel, result, null, null, SweepUnsigned: true).UniformBits);
    }

    [Fact]
    public void The_qat_table_gives_the_gain_over_post_training_and_the_hardware_cost()
    {
        string md = SweepReportWriter.Markdown(Constructed());
        var cost = HardwareCost.Of(Constructed().Qat[0].Model);
        Assert.Contains($"| `tiny-qat-w8a8` | w 8 s 8 | **99.50** | 95.00 | +4.50 | 1 | {cost.RomBits} | {cost.WeightRomBits} | {cost.Total} |", md);
        Assert.Contains("| 8 | 98.50 | 98.00 | 97.50 | **99.50** | 1 / 2 / 3 |", md);
    }

    [Fact]
    public void The_csv_adds_a_qat_row_and_its_post_training_twin_naming_the_qmodel()
    {
        var lines = SweepReportWriter.Csv(Constructed()).TrimEnd('\n').Split('\n');
        Assert.EndsWith(",saturated_pw,qmodel", lines[0]);
        Assert.Equal("both,8,8,8,200,99.00,97.50,3,,5,", lines[3]);
        Assert.Equal("qat,8,8,,200,99.00,99.50,1,,2,tiny-qat-w8a8", lines[4]);
        Assert.Equal("ptq_at_qat_widths,8,8,,200,99.00,95.00,8,,6,tiny-qat-w8a8", lines[5]);
    }

    [Fact]
    public void The_chart_draws_a_qat_series()
    {
        var doc = XDocument.Parse(SweepReportWriter.Svg(Constructed()));
        var names = doc.Descendants().Where(e => e.Name.LocalName == "polyline").Select(e => e.Attribute("data-name")!.Value).ToList();
        Assert.Contains("QAT (both)", names);
    }

    [Fact]
    public void A_qat_model_of_another_architecture_is_rejected_naming_its_file()
    {
        var other = ModelQuantizer.Quantize(TinyFloatModels.TanhModel(), ActivationStatistics.Collect(TinyFloatModels.TanhModel(), Images, Images.Count),
                                            new QuantizeOptions(), "tanh", "tanh.modelstruct");
        var e = Assert.Throws<LeNetHlsException>(() => RunWith(("/q/tanh.qmodel.json", other)));
        Assert.StartsWith("/q/tanh.qmodel.json: does not match model 'tiny' (its conv/dense layers are c1, out", e.Message);
    }

    [Fact]
    public void A_search_adds_the_pareto_table_and_chart()
    {
        var report = Constructed() with { Search = SearchSummaryTests.Sample() };
        string md = SweepReportWriter.Markdown(report);
        TextAssert.ContainsAll(md,
            "## Mixed-precision search: the Pareto front",
            $"![Pareto front]({SweepReportWriter.ParetoChartFile})",
            "Chosen: `w 8,4,8 a 8,8 s 8` (`tiny-mixed.qmodel.json`): ROM 3200 bits (3000 in weights), cost 3460, validation 97.60 %, **test 97.12 %**",
            "| `w 1,4,8 a 8,4 s 8` | 3100 | 2950 | 180 | 3280 | 93.00 % |");
        Assert.Equal(4, md.Split('\n').Count(l => l.StartsWith("| `w ", StringComparison.Ordinal)));

        var svg = XDocument.Parse(ParetoReport.Chart(report.Search!, "tiny"));
        var front = svg.Descendants().Single(e => e.Attribute("data-name")?.Value == "Pareto front");
        Assert.Equal(4, front.Attribute("points")!.Value.Split(' ').Length);
        var every = svg.Descendants().Single(e => e.Attribute("data-name")?.Value == "every candidate");
        Assert.Equal(5, every.Elements().Count());
    }

    [Fact]
    public void Writing_a_report_with_a_search_adds_the_pareto_chart_file()
    {
        string dir = TestSupport.RepoPaths.NewTempDir("sweep-qat");
        SweepReportWriter.Write(Constructed() with { Search = SearchSummaryTests.Sample() }, dir);
        Assert.Equal(["accuracy-pareto.svg", "accuracy.csv", "accuracy.md", "accuracy.svg"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        Directory.Delete(dir, true);
    }
}
