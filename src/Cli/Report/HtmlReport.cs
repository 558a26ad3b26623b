using System.Net;

namespace LeNetHls.Cli.Report;

/// <summary>
/// Renders report.html: one self-contained file (inline CSS, inline SVG, digits as data: PNGs, no
/// scripts, no network fetches).
/// </summary>
public static class HtmlReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(ReportModel m)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        h.Append($"<title>{E(m.Title)}</title>");
        h.Append("<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}"
                 + "h1{margin-bottom:0}.sub{color:#666;margin-top:.2em}section{margin:2em 0}"
                 + "table{border-collapse:collapse;font-size:14px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}"
                 + "th{background:#f3f3f3}td.l,th.l{text-align:left}.ok{color:#080;font-weight:bold}.bad{color:#b00;font-weight:bold}"
                 + ".cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:.8em 1.2em;min-width:150px}"
                 + ".card b{display:block;font-size:1.6em}.digits{display:flex;flex-wrap:wrap;gap:8px}"
                 + ".digit{text-align:center;font-size:12px}.digit img{width:56px;height:56px;image-rendering:pixelated;border:1px solid #ccc}</style>");
        h.Append("</head><body>\n");
        h.Append($"<h1>{E(m.Title)}</h1><p class=\"sub\">{E(m.QModelName)} · generated {m.Generated:yyyy-MM-dd HH:mm} UTC · {m.TestImages:N0} MNIST test images</p>\n");
        h.Append($"<p class=\"sub\" id=\"splits\">{E(SplitNote(m))}</p>\n");

        int mismatches = m.Verification.Sum(v => v.Mismatches);
        h.Append("<section id=\"summary\"><div class=\"cards\">");
        Card(h, "float accuracy (test set)", Pct(m.FloatAccuracy));
        Card(h, "fixed-point accuracy (test set)", Pct(m.FixedAccuracy));
        if (m.FloatValidationAccuracy is { } validation) Card(h, "float accuracy (validation split)", Pct(validation));
        Card(h, "predictions changed", m.ChangedPredictions.ToString("N0", Inv));
        Card(h, "bit-exact mismatches", mismatches.ToString("N0", Inv), mismatches == 0 ? "ok" : "bad");
        if (m.Performance is { } p)
        {
            Card(h, "initiation interval", $"{p.InitiationInterval:N0} cycles");
            Card(h, $"images/s at {p.ClockMhz:0} MHz", p.ImagesPerSecond.ToString("N0", Inv));
        }
        h.Append("</div></section>\n");

        h.Append("<section id=\"verification\"><h2>Bit-exact verification against the golden model</h2>");
        Table(h, ["Backend", "Images compared", "Mismatches", "First divergence"],
            m.Verification.Select(v => new[] { v.Backend, v.Images.ToString("N0", Inv), v.Mismatches.ToString("N0", Inv), v.FirstDivergence.Length == 0 ? "none" : v.FirstDivergence }),
            leftColumns: [0, 3], cellClass: (r, c) => c == 2 ? (r[2] == "0" ? "ok" : "bad") : "");
        h.Append("</section>\n");

        h.Append("<section id=\"accuracy\"><h2>Accuracy against bits (test set)</h2>");
        h.Append(m.AccuracySvg.Length > 0 ? m.AccuracySvg : "<p>No sweep was run.</p>");
        // A QAT column only when the flow trained one (`flow --qat`); its scores stay 8 bits (docs/qat.md).
        bool qat = m.Sweep.Any(s => !double.IsNaN(s.Qat));
        string[] columns = ["Bits", "Weights only", "Activations only", "Both", "Both − float (pp)"];
        Table(h, qat ? [.. columns, "QAT, both (8-bit scores)"] : columns,
            m.Sweep.Select(s =>
            {
                string[] row = [s.Bits.ToString(Inv), Pct(s.WeightsOnly), Pct(s.ActivationsOnly), Pct(s.Both),
                                double.IsNaN(s.Both) ? "–" : ((s.Both - m.FloatAccuracy) * 100).ToString("+0.00;-0.00;0.00", Inv)];
                return qat ? [.. row, Pct(s.Qat)] : row;
            }));
        h.Append("</section>\n");

        h.Append("<section id=\"layers\"><h2>Per-layer formats</h2>");
        Table(h, ["Layer", "Kind", "Output shape", "Weights", "Accumulator", "Output", "MACs", "Saturated values"],
            m.Layers.Select(l => new[] { l.Name, l.Kind, l.Shape, l.Weights, l.Accumulator, l.Output, l.Macs.ToString("N0", Inv), l.Saturations.ToString("N0", Inv) }),
            leftColumns: [0, 1, 2, 3, 4, 5]);
        h.Append("</section>\n");

        if (m.Performance is { } perf)
        {
            h.Append("<section id=\"performance\"><h2>Accelerator performance (RTL co-simulation)</h2>");
            Table(h, ["Multipliers", "II (cycles)", "Latency (cycles)", "MAC utilization", $"Images/s at {perf.ClockMhz:0} MHz"],
                [[perf.Multipliers.ToString(Inv), perf.InitiationInterval.ToString("N0", Inv), perf.Latency.ToString("N0", Inv),
                  perf.MacUtilization.ToString("0.000", Inv), perf.ImagesPerSecond.ToString("N0", Inv)]]);
            h.Append("</section>\n");
        }
        if (m.Resources.Count > 0)
        {
            h.Append("<section id=\"resources\"><h2>Resources (yosys synth_xilinx, 7-series)</h2>");
            Table(h, m.Resources.Select(r => r.Resource).ToArray(), [m.Resources.Select(r => r.Value).ToArray()]);
            if (m.LayerResources.Count > 0)
            {
                h.Append("<h3>Per layer</h3>");
                Table(h, ["Layer", "LUT", "LUTRAM cells", "FF", "DSP48E1", "BRAM18", "BRAM36", "CARRY4"],
                    m.LayerResources.Select(l => new[] { l.Layer, l.Lut.ToString("N0", Inv), l.LutRamCells.ToString("N0", Inv), l.Ff.ToString("N0", Inv),
                                                         l.Dsp48E1.ToString(Inv), l.Bram18.ToString(Inv), l.Bram36.ToString(Inv), l.Carry4.ToString("N0", Inv) }), [0]);
            }
            h.Append("</section>\n");
        }
        if (m.Depth is { Worst: { } worst } depth)
        {
            h.Append("<section id=\"depth\"><h2>Logic depth (yosys synth_xilinx, 7-series)</h2>");
            h.Append($"<p>Worst register-to-register path, LUTs and carry cells counted: <b>{worst.Levels} logic levels</b> in {E(worst.Layer)}, " +
                     $"from {E(worst.Start)} to {E(worst.End)} ({E(string.Join(" → ", worst.Cells))}).</p>");
            if (depth.WorstAllCells is { } all)
                h.Append($"<p>Counting the MUXF7/MUXF8 wide-mux cells too, as Vivado does: <b>{all.Levels} logic levels</b> " +
                         $"({all.LutAndCarryCells} LUT/carry + {all.WideMuxCells} MUXF) in {E(all.Layer)}, from {E(all.Start)} to {E(all.End)} " +
                         $"({E(string.Join(" → ", all.Cells))}).</p>");
            Table(h, ["Layer", "Levels: LUT + carry", "From", "To", "Levels: with MUXF7/8", "From (with MUXF7/8)", "To (with MUXF7/8)"],
                depth.PerLayer.Select(p => depth.AllCellsOf(p.Layer) is { } a
                    ? new[] { p.Layer, p.Levels.ToString(Inv), p.Start, p.End, a.Levels.ToString(Inv), a.Start, a.End }
                    : [p.Layer, p.Levels.ToString(Inv), p.Start, p.End, "–", "", ""]), [0, 2, 3, 5, 6]);
            h.Append($"<p class=\"sub\">These are {E(LeNetHls.RtlCodegen.LogicDepthReport.Caveat)}.</p>");
            h.Append("</section>\n");
        }

        h.Append("<section id=\"confusion\"><h2>Confusion matrix (fixed point, test set)</h2>");
        h.Append(ConfusionMatrix(m.Confusion));
        h.Append("</section>\n");

        h.Append($"<section id=\"misclassified\"><h2>Misclassified test digits ({m.Misclassified.Count:N0} shown)</h2><div class=\"digits\">");
        foreach (var d in m.Misclassified)
        {
            string png = Convert.ToBase64String(PngWriter.Grayscale(d.Pixels, 28, 28));
            h.Append($"<div class=\"digit\"><img alt=\"test image {d.Index}\" src=\"data:image/png;base64,{png}\"><br>#{d.Index}<br>true {d.Label} · pred {d.Predicted}</div>");
        }
        h.Append("</div></section>\n");

        if (m.Timings.Count > 0)
        {
            h.Append("<section id=\"timings\"><h2>Flow stages</h2>");
            Table(h, ["Stage", "Time (s)", "Status"],
                m.Timings.Select(t => new[] { t.Stage, t.Seconds.ToString("0.0", Inv), t.Skipped ? "skipped (inputs unchanged)" : "ran" }),
                leftColumns: [0, 2]);
            h.Append("</section>\n");
        }
        h.Append("</body></html>\n");
        return h.ToString();
    }

    private static string ConfusionMatrix(int[,] c)
    {
        int n = c.GetLength(0);
        int max = 1;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) if (i != j) max = Math.Max(max, c[i, j]);
        var s = new StringBuilder("<table class=\"confusion\"><tr><th>true \\ predicted</th>");
        for (int j = 0; j < n; j++) s.Append($"<th>{j}</th>");
        s.Append("</tr>");
        for (int i = 0; i < n; i++)
        {
            s.Append($"<tr><th>{i}</th>");
            for (int j = 0; j < n; j++)
            {
                string bg = i == j ? "#dff0d8" : c[i, j] == 0 ? "#fff" : string.Format(Inv, "rgba(200,0,0,{0:0.00})", 0.15 + 0.85 * c[i, j] / max);
                s.Append($"<td style=\"background:{bg}\">{c[i, j]}</td>");
            }
            s.Append("</tr>");
        }
        return s.Append("</table>").ToString();
    }

    /// <summary>Which split each figure comes from, and that the test set chose nothing.</summary>
    private static string SplitNote(ReportModel m)
    {
        string epoch = m.EpochSelection switch
        {
            "best validation accuracy" => "the float model's epoch was chosen by its accuracy on the validation split (the last training images, never trained on)",
            "last epoch" => "the float model is its last training epoch",
            "best test accuracy" => "the float model was trained before validation existed and its epoch was chosen on the test set, so its test figures are optimistic; retrain it",
            _ => "the float model's training record names no epoch selection",
        };
        return string.Create(Inv, $"Splits: every accuracy here is measured on the {m.TestImages:N0} test images unless it says validation; {epoch}; ") +
               "calibration uses the first training images; the test set chooses nothing.";
    }

    private static void Card(StringBuilder h, string label, string value, string cls = "") =>
        h.Append($"<div class=\"card\"><b class=\"{cls}\">{E(value)}</b>{E(label)}</div>");

    private static void Table(StringBuilder h, string[] header, IEnumerable<string[]> rows, int[]? leftColumns = null,
                              Func<string[], int, string>? cellClass = null)
    {
        leftColumns ??= [];
        h.Append("<table><tr>");
        for (int i = 0; i < header.Length; i++) h.Append($"<th{(leftColumns.Contains(i) ? " class=\"l\"" : "")}>{E(header[i])}</th>");
        h.Append("</tr>");
        foreach (var r in rows)
        {
            h.Append("<tr>");
            for (int i = 0; i < r.Length; i++)
            {
                string cls = (leftColumns.Contains(i) ? "l " : "") + (cellClass?.Invoke(r, i) ?? "");
                h.Append(cls.Trim().Length > 0 ? $"<td class=\"{cls.Trim()}\">" : "<td>").Append(E(r[i])).Append("</td>");
            }
            h.Append("</tr>");
        }
        h.Append("</table>");
    }

    private static string Pct(double a) => double.IsNaN(a) ? "–" : (a * 100).ToString("0.00", Inv) + " %";
    private static string E(string s) => WebUtility.HtmlEncode(s);
}
