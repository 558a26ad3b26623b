using System.Security;

namespace LeNetHls.Quantizer.Reporting;

/// <summary>
/// One line of a chart: its points in data coordinates, drawn in order. MarkersOnly draws the points
/// without joining them (a scatter, for points that are not a sequence, such as every candidate of a search).
/// Emphasized draws large outlined markers, so that a few points (QAT models) stay visible on top of the
/// curves they sit next to.
/// </summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, string Color, bool Dashed = false, bool MarkersOnly = false,
                                 bool Emphasized = false);

/// <summary>
/// A minimal SVG line-chart writer (no charting package is available): axes with rounded ticks,
/// polylines with point markers, and a legend.
/// </summary>
public static class SvgChart
{
    public const int Width = 720, Height = 440;
    public const double Left = 70, Right = 190, Top = 50, Bottom = 60;

    /// <param name="yFloor">
    /// If set, the y axis starts there so that the interesting range is not squashed; points below it
    /// are drawn on the bottom edge as hollow markers and a note says so.
    /// </param>
    /// <param name="logX">A logarithmic x axis (ticks at 1, 2, 5 × 10^k), for costs that span several times over; x must be positive.</param>
    public static string LineChart(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series, double? yFloor = null, bool logX = false)
    {
        var all = series.SelectMany(s => s.Points).ToList();
        if (all.Count == 0) throw new ArgumentException("a chart needs at least one point");
        if (logX && all.Any(p => !(p.X > 0))) throw new ArgumentException("a logarithmic x axis needs positive x values");
        var xTicks = logX ? LogTicks(all.Min(p => p.X), all.Max(p => p.X)) : Ticks(all.Min(p => p.X), all.Max(p => p.X));
        double yLow = yFloor is { } f ? Math.Max(f, all.Min(p => p.Y)) : all.Min(p => p.Y);
        var yTicks = Ticks(Math.Min(yLow, all.Max(p => p.Y)), all.Max(p => p.Y));
        double x0 = xTicks[0], x1 = xTicks[^1], y0 = yTicks[0], y1 = yTicks[^1];
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double Px(double x) => logX
            ? Left + (Math.Log10(x) - Math.Log10(x0)) / (Math.Log10(x1) - Math.Log10(x0)) * plotW
            : Left + (x - x0) / (x1 - x0) * plotW;
        double Py(double y) => Top + plotH - (Math.Max(y, y0) - y0) / (y1 - y0) * plotH;

        var svg = new StringBuilder();
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append($"<text x=\"{F(Width / 2.0)}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n");
        foreach (double t in yTicks)
        {
            svg.Append($"<line class=\"grid\" x1=\"{F(Left)}\" y1=\"{F(Py(t))}\" x2=\"{F(Left + plotW)}\" y2=\"{F(Py(t))}\" stroke=\"#e0e0e0\"/>\n");
            svg.Append($"<text class=\"ytick\" x=\"{F(Left - 6)}\" y=\"{F(Py(t) + 4)}\" text-anchor=\"end\">{Label(t)}</text>\n");
        }
        foreach (double t in xTicks)
        {
            svg.Append($"<line x1=\"{F(Px(t))}\" y1=\"{F(Top + plotH)}\" x2=\"{F(Px(t))}\" y2=\"{F(Top + plotH + 5)}\" stroke=\"black\"/>\n");
            svg.Append($"<text class=\"xtick\" x=\"{F(Px(t))}\" y=\"{F(Top + plotH + 18)}\" text-anchor=\"middle\">{Label(t)}</text>\n");
        }
        svg.Append($"<line class=\"axis\" x1=\"{F(Left)}\" y1=\"{F(Top + plotH)}\" x2=\"{F(Left + plotW)}\" y2=\"{F(Top + plotH)}\" stroke=\"black\"/>\n");
        svg.Append($"<line class=\"axis\" x1=\"{F(Left)}\" y1=\"{F(Top)}\" x2=\"{F(Left)}\" y2=\"{F(Top + plotH)}\" stroke=\"black\"/>\n");
        svg.Append($"<text x=\"{F(Left + plotW / 2)}\" y=\"{F(Height - 18)}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n");
        svg.Append($"<text x=\"18\" y=\"{F(Top + plotH / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {F(Top + plotH / 2)})\">{Escape(yLabel)}</text>\n");
        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i];
            string dash = s.Dashed ? " stroke-dasharray=\"6 4\"" : "";
            string points = string.Join(" ", s.Points.Select(p => $"{F(Px(p.X))},{F(Py(p.Y))}"));
            if (s.MarkersOnly)
                svg.Append($"<g class=\"scatter\" data-name=\"{Escape(s.Name)}\">\n");
            else
                svg.Append($"<polyline class=\"series\" data-name=\"{Escape(s.Name)}\" points=\"{points}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2\"{dash}/>\n");
            if (!s.Dashed || s.MarkersOnly)
                foreach (var p in s.Points)
                    svg.Append(p.Y < y0
                        ? $"<circle class=\"below\" cx=\"{F(Px(p.X))}\" cy=\"{F(Py(p.Y))}\" r=\"4\" fill=\"white\" stroke=\"{s.Color}\" stroke-width=\"2\"/>\n"
                        : Marker(Px(p.X), Py(p.Y), s));
            if (s.MarkersOnly) svg.Append("</g>\n");
            double ly = Top + 10 + i * 20, lx = Left + plotW + 15;
            svg.Append(s.MarkersOnly
                ? Marker(lx + 12, ly, s)
                : $"<line x1=\"{F(lx)}\" y1=\"{F(ly)}\" x2=\"{F(lx + 24)}\" y2=\"{F(ly)}\" stroke=\"{s.Color}\" stroke-width=\"2\"{dash}/>\n");
            svg.Append($"<text class=\"legend\" x=\"{F(lx + 30)}\" y=\"{F(ly + 4)}\">{Escape(s.Name)}</text>\n");
        }
        if (all.Any(p => p.Y < y0))
            svg.Append($"<text class=\"note\" x=\"{F(Left + plotW + 15)}\" y=\"{F(Top + plotH)}\" font-size=\"11\">hollow: below {Label(y0)}</text>\n");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Marker(double x, double y, ChartSeries s) => s.Emphasized
        ? $"<circle class=\"emphasized\" cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"6\" fill=\"{s.Color}\" stroke=\"white\" stroke-width=\"2\"/>\n"
        : $"<circle cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"3\" fill=\"{s.Color}\"/>\n";

    /// <summary>
    /// Evenly spaced ticks at 1, 2 or 5 × 10^k that enclose [min, max], about five to ten of them.
    /// A single value gets a unit range around it.
    /// </summary>
    public static double[] Ticks(double min, double max)
    {
        if (max - min < 1e-12)
        {
            min -= 0.5;
            max += 0.5;
        }
        double raw = (max - min) / 8;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(m => m * magnitude).First(s => s >= raw);
        double first = Math.Floor(min / step + 1e-9) * step, last = Math.Ceiling(max / step - 1e-9) * step;
        int count = (int)Math.Round((last - first) / step) + 1;
        return Enumerable.Range(0, count).Select(i => Math.Round(first + i * step, 10)).ToArray();
    }

    /// <summary>The values 1, 2 and 5 × 10^k from the largest one at or below min to the smallest one at or above max.</summary>
    public static double[] LogTicks(double min, double max)
    {
        var ticks = new List<double>();
        for (int k = (int)Math.Floor(Math.Log10(min)) - 1; k <= (int)Math.Ceiling(Math.Log10(max)); k++)
            foreach (double m in (double[])[1, 2, 5])
                ticks.Add(m * Math.Pow(10, k));
        int first = ticks.FindLastIndex(t => t <= min * (1 + 1e-12)), last = ticks.FindIndex(t => t >= max * (1 - 1e-12));
        if (last == first) last++;
        return ticks.GetRange(first, last - first + 1).ToArray();
    }

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    private static string Label(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
    private static string Escape(string s) => SecurityElement.Escape(s);
}
