using LeNetHls.Cli.Report;
using LeNetHls.RtlCodegen;

namespace LeNetHls.Cli.Tests;

/// <summary>report.html shows synth-estimate's per-layer resources and logic depth, and says what the depth is not.</summary>
public class ReportDepthTests
{
    private static ReportModel Model(LogicDepthReport? depth) => new()
    {
        Title = "t", QModelName = "q", Confusion = new int[10, 10],
        Resources = [("LUT", "100")],
        LayerResources = [new LayerResources("conv1", 60, 0, 50, 3, 1, 0, 4), new LayerResources(SynthEstimator.IoAndControl, 40, 0, 10, 0, 0, 0, 0)],
        Depth = depth,
    };

    [Fact]
    public void The_worst_path_is_shown_with_its_levels_ends_and_the_caveat()
    {
        var worst = new LogicPath("conv2", 11, "l2_conv2_mvau.acc_q[3] (FDRE)", "l2_conv2_mvau.out_q[0] (FDRE.D)", ["LUT6", "CARRY4", "LUT3"]);
        string html = HtmlReport.Render(Model(new LogicDepthReport(worst, [worst, worst with { Layer = "fc1", Levels = 4 }])));
        TextAssert.ContainsAll(html,
            "<b>11 logic levels</b> in conv2",
            "l2_conv2_mvau.acc_q[3] (FDRE)",
            "not a signed-off Fmax",
            "<td class=\"l\">fc1</td><td>4</td>",
            "<td class=\"l\">conv1</td><td>60</td>");
    }

    [Fact]
    public void Without_a_depth_measurement_there_is_no_depth_section()
    {
        Assert.DoesNotContain("id=\"depth\"", HtmlReport.Render(Model(null)));
    }
}
