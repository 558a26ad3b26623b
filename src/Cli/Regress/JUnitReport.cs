using System.Xml.Linq;

namespace LeNetHls.Cli.Regress;

/// <summary>JUnit XML, the format CI systems (Jenkins, GitLab, GitHub reporters) show case by case.</summary>
public static class JUnitReport
{
    public static string Render(IReadOnlyList<RegressOutcome> outcomes, string suiteName, double totalSeconds)
    {
        string F(double s) => s.ToString("0.###", CultureInfo.InvariantCulture);
        var suite = new XElement("testsuite",
            new XAttribute("name", suiteName),
            new XAttribute("tests", outcomes.Count),
            new XAttribute("failures", outcomes.Count(o => !o.Passed)),
            new XAttribute("errors", 0),
            new XAttribute("time", F(totalSeconds)),
            outcomes.Select(o => new XElement("testcase",
                new XAttribute("classname", $"lenet-hls.regress.{o.Case.Preset}"),
                new XAttribute("name", o.Case.Id),
                new XAttribute("time", F(o.Seconds)),
                o.Passed ? new XElement("system-out", o.Detail) : new XElement("failure", new XAttribute("message", o.Detail), o.Detail))));
        var doc = new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement("testsuites", suite));
        return doc.Declaration + "\n" + doc.Root + "\n";
    }
}
