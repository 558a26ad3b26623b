using System.Globalization;
using System.Xml.Linq;
using LeNetHls.Quantizer.Reporting;

namespace LeNetHls.Quantizer.Tests;

public class SvgChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static XDocument Chart() => XDocument.Parse(SvgChart.LineChart("acc <vs> bits", "bits", "accuracy (%)",
    [
        new ChartSeries("weights", [(2, 10.0), (4, 90.0), (8, 99.0)], "#1f77b4"),
        new ChartSeries("both & more", [(2, 9.0), (8, 98.5)], "#2ca02c"),
        new ChartSeries("float", [(2, 99.2), (8, 99.2)], "#555555", Dashed: true),
    ]));

    [Theory]
    [InlineData(2, 16, new[] { 2.0, 4, 6, 8, 10, 12, 14, 16 })]
    [InlineData(97.3, 99.4, new[] { 97.0, 97.5, 98, 98.5, 99, 99.5 })]
    [InlineData(0, 100, new[] { 0.0, 20, 40, 60, 80, 100 })]
    [InlineData(5, 5, new[] { 4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6 })]
    public void Ticks_are_round_steps_that_enclose_the_data(double min, double max, double[] expected) =>
        Assert.Equal(expected, SvgChart.Ticks(min, max));

    [Theory]
    [InlineData(63214, 509124, new[] { 50000.0, 100000, 200000, 500000, 1000000 })]
    [InlineData(100, 100, new[] { 100.0, 200 })]
    [InlineData(0.3, 7, new[] { 0.2, 0.5, 1, 2, 5, 10 })]
    public void Log_ticks_are_1_2_5_decades_that_enclose_the_data(double min, double max, double[] expected) =>
        Assert.Equal(expected, SvgChart.LogTicks(min, max));

    [Fact]
    public void On_a_log_axis_equal_ratios_are_equal_distances()
    {
        var doc = XDocument.Parse(SvgChart.LineChart("cost", "cost", "acc", [new ChartSeries("s", [(1000, 1.0), (10000, 2.0), (100000, 3.0)], "#000")], logX: true));
        var xs = doc.Descendants(Svg + "polyline").Single().Attribute("points")!.Value.Split(' ')
            .Select(v => double.Parse(v.Split(',')[0], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(xs[1] - xs[0], xs[2] - xs[1], 1e-6);
    }

    [Fact]
    public void The_chart_is_well_formed_svg_with_escaped_text()
    {
        var doc = Chart();
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "acc <vs> bits");
    }

    [Fact]
    public void Every_series_is_a_polyline_with_one_vertex_per_point_and_a_legend_entry()
    {
        var doc = Chart();
        var lines = doc.Descendants(Svg + "polyline").ToList();
        Assert.Equal(new[] { "weights", "both & more", "float" }, lines.Select(l => l.Attribute("data-name")!.Value));
        Assert.Equal(new[] { 3, 2, 2 }, lines.Select(l => l.Attribute("points")!.Value.Split(' ').Length));
        Assert.Equal(new[] { "weights", "both & more", "float" },
                     doc.Descendants(Svg + "text").Where(t => t.Attribute("class")?.Value == "legend").Select(t => t.Value));
        Assert.Equal("6 4", lines[2].Attribute("stroke-dasharray")?.Value);
    }

    [Fact]
    public void An_emphasized_series_draws_large_outlined_markers_and_others_small_ones()
    {
        var doc = XDocument.Parse(SvgChart.LineChart("t", "x", "y",
        [
            new ChartSeries("sweep", [(2, 90), (4, 98)], "#1f77b4"),
            new ChartSeries("qat", [(4, 99)], "#9467bd", Emphasized: true),
        ]));
        var circles = doc.Descendants(Svg + "circle").ToList();
        Assert.Equal(["3", "3"], circles.Where(c => c.Attribute("fill")!.Value == "#1f77b4").Select(c => c.Attribute("r")!.Value));
        var qat = circles.Where(c => c.Attribute("fill")!.Value == "#9467bd").ToList();
        Assert.Single(qat);
        Assert.Equal(("6", "white"), (qat[0].Attribute("r")!.Value, qat[0].Attribute("stroke")!.Value));
    }

    [Fact]
    public void Axes_carry_tick_labels_and_points_lie_inside_the_plot_area()
    {
        var doc = Chart();
        Assert.Equal(new[] { "2", "3", "4", "5", "6", "7", "8" }, doc.Descendants(Svg + "text").Where(t => t.Attribute("class")?.Value == "xtick").Select(t => t.Value));
        Assert.Equal(new[] { "0", "20", "40", "60", "80", "100" }, doc.Descendants(Svg + "text").Where(t => t.Attribute("class")?.Value == "ytick").Select(t => t.Value));
        Assert.Equal(2, doc.Descendants(Svg + "line").Count(l => l.Attribute("class")?.Value == "axis"));
        foreach (var vertex in doc.Descendants(Svg + "polyline").SelectMany(l => l.Attribute("points")!.Value.Split(' ')))
        {
            var xy = vertex.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Assert.InRange(xy[0], SvgChart.Left, SvgChart.Width - SvgChart.Right);
            Assert.InRange(xy[1], SvgChart.Top, SvgChart.Height - SvgChart.Bottom);
        }
    }

    [Fact]
    public void Higher_values_are_drawn_higher_up()
    {
        var points = Chart().Descendants(Svg + "polyline").First().Attribute("points")!.Value.Split(' ')
            .Select(p => double.Parse(p.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        Assert.True(points[0] > points[1] && points[1] > points[2]);
    }

    [Fact]
    public void With_a_floor_the_axis_starts_there_and_lower_points_sit_hollow_on_the_bottom_edge()
    {
        var doc = XDocument.Parse(SvgChart.LineChart("t", "bits", "%", [new ChartSeries("s", [(2, 10.0), (4, 95.0), (8, 99.0)], "#000000")], yFloor: 90));
        Assert.Equal("90", doc.Descendants(Svg + "text").First(t => t.Attribute("class")?.Value == "ytick").Value);
        var below = doc.Descendants(Svg + "circle").Where(c => c.Attribute("class")?.Value == "below").ToList();
        Assert.Single(below);
        Assert.Equal(SvgChart.Height - SvgChart.Bottom, double.Parse(below[0].Attribute("cy")!.Value, CultureInfo.InvariantCulture));
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "hollow: below 90");
    }

    [Fact]
    public void Without_points_below_the_floor_there_is_no_note()
    {
        var doc = XDocument.Parse(SvgChart.LineChart("t", "bits", "%", [new ChartSeries("s", [(2, 95.0), (8, 99.0)], "#000000")], yFloor: 90));
        Assert.DoesNotContain(doc.Descendants(Svg + "text"), t => t.Attribute("class")?.Value == "note");
    }
}
