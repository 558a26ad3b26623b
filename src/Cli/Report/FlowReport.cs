using LeNetHls.Cli.Flow;

namespace LeNetHls.Cli.Report;

/// <summary>The flow's last stage: report.html from everything the earlier stages wrote into the flow's folder.</summary>
public static class FlowReport
{
    public static (ReportModel Report, string Path) Write(FlowPlan plan, IReadOnlyList<(string, double, bool)> timings)
    {
        var test = Mnist.Load(plan.DataDir, MnistSplit.Test);
        var report = ReportBuilder.Build($"LeNetHls report: {plan.Preset}, {plan.WidthLabel}", plan.ModelBase, plan.QModelPath, plan.SweepDir, plan.GenDir, test, timings);
        string path = Path.Combine(plan.OutDir, "report.html");
        AtomicFile.WriteAllText(path, HtmlReport.Render(report));
        return (report, path);
    }
}
