using LeNetHls.Quantizer.Search;

namespace LeNetHls.Quantizer.Reporting;

/// <summary>NAME-search.md: the target, the choice, the Pareto front and every candidate in the order built.</summary>
public static class SearchReport
{
    public static string Markdown(SearchRequest request, SearchOutcome outcome, ModelSpec spec)
    {
        var result = outcome.Result;
        var names = spec.ParameterLayers().Select(i => spec.Layers[i].Name);
        var lines = new List<string>
        {
            $"# Mixed-precision search: {Path.GetFileName(request.ModelPath)}",
            "",
            Invariant($"Target {100 * request.TargetAccuracy:F2} % on the last {request.ValidationImages} training images (validation); candidates fine-tuned on {request.CandidateImages} images each; layers {string.Join(", ", names)}."),
            "Cost = ROM bits (weights and biases at their widths) + multiplier bit-products (output channels × W_w × W_x per layer); see docs/qat.md."
                + (request.UnsignedRelu ? " Hidden activations are unsigned ufx<W,F> (--unsigned-relu)." : ""),
            "",
        };
        if (result.Best is { } best && outcome.Final is { } final)
        {
            var cost = HardwareCost.Of(final);
            string tuning = ReferenceEquals(final, result.BestModel!.Model) ? "no final fine-tune kept" : $"then {request.FinalEpochs} full fine-tuning epochs";
            lines.Add(Invariant($"Chosen: `{best.Widths}` (validation {100 * best.Accuracy:F2} % as screened), {tuning}: ROM {cost.RomBits} bits ({cost.WeightRomBits} in weights), cost {cost.Total}, validation {100 * outcome.FinalValidationAccuracy:F2} %, test {100 * outcome.TestAccuracy:F2} % (golden model, {Path.GetFileName(outcome.QModelPath)})."));
        }
        else
            lines.Add("The start configuration does not meet the target.");
        lines.Add("");
        lines.Add("## Pareto front");
        lines.Add("");
        lines.Add(ParetoReport.Table(result.Pareto));
        lines.Add("## Every candidate, in the order built");
        lines.Add("");
        lines.Add("```");
        lines.AddRange(result.Evaluated.Select(ParetoReport.Line));
        lines.Add("```");
        return string.Join('\n', lines) + "\n";
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
