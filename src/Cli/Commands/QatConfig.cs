using LeNetHls.Quantizer;
using LeNetHls.Trainer.Qat;

namespace LeNetHls.Cli.Commands;

/// <summary>
/// QCONFIG of `train --qat`: per-layer QAT widths in the override-file format of docs/qmodel.md,
/// <c>{"conv1": {"weights": {"bits": 4}, "output": {"bits": 4}}, ...}</c>. Only conv/dense layers and
/// only <c>bits</c>: QAT chooses every scale (<c>frac</c>) itself, and a maxpool keeps its input's
/// format. The output of the last layer is the score width. Tensors not named take the defaults.
/// </summary>
public static class QatConfig
{
    /// <summary>Width of the tensors a QCONFIG leaves out when neither --bits nor --weight-bits/--act-bits is given.</summary>
    public const int DefaultBits = 8;

    public static QatWidths Load(string path, ModelSpec spec, int weightBits, int actBits, int scoreBits)
    {
        if (!File.Exists(path)) throw LeNetHlsException.InFile(path, "QAT config file not found");
        return Parse(File.ReadAllText(path), path, spec, weightBits, actBits, scoreBits);
    }

    public static QatWidths Parse(string json, string source, ModelSpec spec, int weightBits, int actBits, int scoreBits)
    {
        void Fail(string problem) => throw LeNetHlsException.InFile(source, problem);
        FormatOverrides overrides;
        try { overrides = FormatOverrides.Parse(json, source); }
        catch (JsonException e) { throw LeNetHlsException.InFile(source, $"invalid JSON ({e.Message.Split('\n')[0]})"); }

        var compute = spec.ParameterLayers();
        var names = compute.Select(i => spec.Layers[i].Name).ToList();
        var weights = Enumerable.Repeat(weightBits, names.Count).ToArray();
        var outputs = Enumerable.Repeat(actBits, names.Count).ToArray();
        outputs[^1] = scoreBits;
        foreach (var (name, entry) in overrides.Layers)
        {
            int c = names.IndexOf(name);
            if (c < 0) Fail(NotAQatLayer(spec, name, names));
            if (entry.Weights is { } w)
            {
                if (w.Frac is not null) Fail($"layer '{name}' weights: 'frac' is not allowed (QAT calibrates every scale itself); give only 'bits'");
                if (w.Bits is < QatWidths.MinWeightBits or > QatWidths.MaxBits)
                    Fail($"layer '{name}' weights.bits: width {w.Bits} is outside the QAT range {QatWidths.MinWeightBits}..{QatWidths.MaxBits}");
                weights[c] = w.Bits!.Value;
            }
            if (entry.Output is { } o)
            {
                string what = c == names.Count - 1 ? "output (the scores)" : "output";
                if (o.Frac is not null) Fail($"layer '{name}' {what}: 'frac' is not allowed (QAT calibrates every scale itself); give only 'bits'");
                if (o.Bits is < QatWidths.MinBits or > QatWidths.MaxBits)
                    Fail($"layer '{name}' {what}.bits: width {o.Bits} is outside the QAT range {QatWidths.MinBits}..{QatWidths.MaxBits}");
                outputs[c] = o.Bits!.Value;
            }
        }
        return new QatWidths(weights, outputs);
    }

    private static string NotAQatLayer(ModelSpec spec, string name, List<string> qatLayers)
    {
        int index = spec.Layers.ToList().FindIndex(l => l.Name == name);
        string list = string.Join(", ", qatLayers);
        if (index < 0) return $"layer '{name}' does not exist in model '{spec.Name}' (QAT layers: {list})";
        var kind = spec.Layers[index].Kind;
        return kind switch
        {
            LayerKind.ReLU or LayerKind.Tanh when index > 0 => $"layer '{name}' is fused into '{spec.Layers[index - 1].Name}'; set that layer",
            LayerKind.MaxPool or LayerKind.AvgPool => $"layer '{name}' is a {kind.ToString().ToLowerInvariant()} and keeps its input's format; set the layer before it",
            _ => $"layer '{name}' has no widths of its own (QAT layers: {list})",
        };
    }
}
