using System.Net;
using System.Xml;
using System.Xml.Linq;

namespace LeNetHls.Cli.Regress;

/// <summary>One test case read back from a shard's JUnit file.</summary>
public sealed record JUnitCase(string ClassName, string Name, double Seconds, bool Passed, string Detail, string Source);

/// <summary>
/// `regress merge`: the JUnit files of the shards of one matrix become one JUnit file and one HTML
/// summary, after checking that every case of the matrix ran exactly once.
/// </summary>
public static class JUnitMerge
{
    public const string MergedJUnit = "junit.xml";
    public const string Summary = "summary.html";

    public static List<JUnitCase> Read(string path)
    {
        if (!File.Exists(path)) throw LeNetHlsException.InFile(path, "JUnit file not found");
        XDocument doc;
        try { doc = XDocument.Load(path); }
        catch (XmlException e) { throw LeNetHlsException.InFile(path, $"not valid XML ({e.Message.Split('\n')[0]})"); }
        var cases = doc.Descendants("testcase").Select(t =>
        {
            string name = (string?)t.Attribute("name") ?? throw LeNetHlsException.InFile(path, "a testcase has no name");
            var failure = t.Element("failure") ?? t.Element("error");
            double seconds = double.TryParse((string?)t.Attribute("time"), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) ? s : 0;
            string detail = failure is not null ? (string?)failure.Attribute("message") ?? failure.Value : (string?)t.Element("system-out") ?? "";
            return new JUnitCase((string?)t.Attribute("classname") ?? "", name, seconds, failure is null, detail, path);
        }).ToList();
        if (doc.Root?.Name.LocalName is not ("testsuites" or "testsuite")) throw LeNetHlsException.InFile(path, "not a JUnit file (no testsuites element)");
        return cases;
    }

    /// <summary>The cases in matrix order; one line naming what is wrong when a case is missing, repeated or foreign.</summary>
    public static List<JUnitCase> Check(IReadOnlyList<JUnitCase> cases, IReadOnlyList<RegressCase> matrix)
    {
        var expected = matrix.Select(c => c.Id).ToList();
        var known = expected.ToHashSet(StringComparer.Ordinal);
        if (cases.FirstOrDefault(c => !known.Contains(c.Name)) is { } foreign)
            throw LeNetHlsException.InFile(foreign.Source, $"case '{foreign.Name}' is not in the matrix (wrong --matrix, or shards of another run?)");
        if (cases.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new LeNetHlsException($"case '{twice.Key}' ran {twice.Count()} times ({string.Join(", ", twice.Select(c => c.Source).Distinct())}); every case must run exactly once");
        var ran = cases.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var missing = expected.Where(id => !ran.Contains(id)).ToList();
        if (missing.Count > 0)
            throw new LeNetHlsException($"{missing.Count} of {expected.Count} matrix cases did not run (a shard missing or failed to start?): {string.Join(", ", missing)}");
        var byName = cases.ToDictionary(c => c.Name, StringComparer.Ordinal);
        return expected.Select(id => byName[id]).ToList();
    }

    public static string RenderJUnit(IReadOnlyList<JUnitCase> cases, string suiteName)
    {
        string F(double s) => s.ToString("0.###", CultureInfo.InvariantCulture);
        var suite = new XElement("testsuite",
            new XAttribute("name", suiteName),
            new XAttribute("tests", cases.Count),
            new XAttribute("failures", cases.Count(c => !c.Passed)),
            new XAttribute("errors", 0),
            new XAttribute("time", F(cases.Sum(c => c.Seconds))),
            cases.Select(c => new XElement("testcase",
                new XAttribute("classname", c.ClassName),
                new XAttribute("name", c.Name),
                new XAttribute("time", F(c.Seconds)),
                c.Passed ? new XElement("system-out", c.Detail) : new XElement("failure", new XAttribute("message", c.Detail), c.Detail))));
        var doc = new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement("testsuites", suite));
        return doc.Declaration + "\n" + doc.Root + "\n";
    }

    public static string RenderHtml(IReadOnlyList<JUnitCase> cases, string title, int shards)
    {
        string E(string s) => WebUtility.HtmlEncode(s);
        int failed = cases.Count(c => !c.Passed);
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title>\n<style>")
         .Append("body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}")
         .Append("td.num{text-align:right}.pass{color:#080}.fail{color:#b00;font-weight:bold}</style></head><body>\n")
         .Append("<h1>").Append(E(title)).Append("</h1>\n<p>")
         .Append(CultureInfo.InvariantCulture, $"{cases.Count - failed} passed, {failed} failed; {cases.Count} cases from {shards} shard file(s), each case exactly once; ")
         .Append(CultureInfo.InvariantCulture, $"{cases.Sum(c => c.Seconds):F1} s of case time.</p>\n")
         .Append("<table><tr><th>case</th><th>result</th><th>seconds</th><th>detail</th><th>shard file</th></tr>\n");
        foreach (var c in cases)
            h.Append("<tr><td>").Append(E(c.Name)).Append("</td><td class=\"").Append(c.Passed ? "pass\">PASS" : "fail\">FAIL")
             .Append("</td><td class=\"num\">").Append(c.Seconds.ToString("F1", CultureInfo.InvariantCulture))
             .Append("</td><td>").Append(E(c.Detail)).Append("</td><td>").Append(E(Path.GetFileName(c.Source))).Append("</td></tr>\n");
        return h.Append("</table>\n</body></html>\n").ToString();
    }
}
