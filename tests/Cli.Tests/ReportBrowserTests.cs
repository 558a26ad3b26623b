using LeNetHls.Cli.Report;
using Microsoft.Playwright;

namespace LeNetHls.Cli.Tests;

/// <summary>
/// report.html renders in headless Chromium (Debian's /usr/bin/chromium) with its charts and tables and
/// no console errors. With LENET_REPORT_HTML=FILE it checks that report instead and saves the screenshot
/// to docs/report.png (bench/screenshot.sh does this for the demo report).
/// </summary>
[Trait("Category", "Integration")]
public class ReportBrowserTests
{
    public static ReportModel SampleReport()
    {
        var rng = new Random(4);
        var confusion = new int[10, 10];
        for (int i = 0; i < 10; i++) for (int j = 0; j < 10; j++) confusion[i, j] = i == j ? 980 : rng.Next(0, 4);
        var digit = new byte[784];
        for (int i = 0; i < 784; i++) digit[i] = (byte)(((i / 28 - 14) * (i / 28 - 14) + (i % 28 - 14) * (i % 28 - 14)) is > 40 and < 90 ? 255 : 0);
        return new ReportModel
        {
            Title = "LeNetHls report: lenet5, 8-bit",
            QModelName = "lenet5-w8a8",
            TestImages = 10_000,
            FloatAccuracy = 0.9938,
            FixedAccuracy = 0.9935,
            ChangedPredictions = 7,
            AccuracySvg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"300\" height=\"100\"><polyline points=\"0,90 150,20 300,10\" stroke=\"#2ca02c\" fill=\"none\"/></svg>",
            Sweep = [new SweepPoint(8, 0.9936, 0.9937, 0.9935), new SweepPoint(4, 0.98, 0.97, 0.95)],
            Layers = [new LayerRow("conv1", "conv2d+relu", "28x28x6", "fx<8,14>", "fx<19,14>", "fx<8,5>", 117_600, 6026)],
            Verification = [new VerificationRow("HLS C simulation (g++)", 10_000, 0, ""), new VerificationRow("RTL co-simulation (Verilator)", 10_000, 0, "")],
            Performance = new PerformanceSummary(128, 4000, 9000, 0.81, 100),
            Resources = [("LUT", "12000"), ("DSP48E1", "128")],
            Confusion = confusion,
            Misclassified = [new Misclassified(18, digit, 3, 8), new Misclassified(247, digit, 4, 6)],
        };
    }

    [Fact]
    public async Task Report_renders_in_chromium_with_charts_tables_digits_and_no_console_errors()
    {
        string? given = Environment.GetEnvironmentVariable("LENET_REPORT_HTML");
        string html = given ?? Path.Combine(RepoPaths.NewTempDir(), "report.html");
        if (given is null) File.WriteAllText(html, HtmlReport.Render(SampleReport()));
        Assert.True(File.Exists("/usr/bin/chromium"), "Chromium missing: apt-get install chromium (make deps installs it)");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        var problems = new List<string>();
        page.Console += (_, m) => { if (m.Type is "error" or "warning") problems.Add($"{m.Type}: {m.Text}"); };
        page.PageError += (_, e) => problems.Add("page error: " + e);
        page.RequestFailed += (_, r) => problems.Add("request failed: " + r.Url);
        page.Request += (_, r) => { if (!r.Url.StartsWith("file:", StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal)) problems.Add("network fetch: " + r.Url); };
        await page.GotoAsync("file://" + html);

        Assert.True(await page.Locator("#accuracy svg").CountAsync() >= 1, "accuracy chart missing");
        Assert.True(await page.Locator("#verification table tr").CountAsync() >= 3, "verification table missing");
        Assert.True(await page.Locator("#layers table").CountAsync() == 1, "layer table missing");
        Assert.Equal(11, await page.Locator("#confusion table tr").CountAsync());
        Assert.True(await page.Locator("#misclassified img").CountAsync() >= 1, "misclassified digits missing");
        Assert.True(await page.Locator("#misclassified img").First.EvaluateAsync<bool>("img => img.complete && img.naturalWidth === 28"),
                    "digit image did not decode");
        Assert.Empty(problems);

        string shot = given is null ? Path.Combine(Path.GetDirectoryName(html)!, "report.png") : Path.Combine(RepoPaths.Root, "docs", "report.png");
        await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
        Assert.True(new FileInfo(shot).Length > 10_000);
    }
}
