using LeNetHls.Quantizer.Reporting;
using LeNetHls.Quantizer.Search;

namespace LeNetHls.Quantizer;

/// <summary>Which tensors a sweep point narrows; the others stay at the reference width.</summary>
public enum SweepSeries { Weights, Activations, Both }

/// <summary>One quantization of the sweep: its widths and either its result or why it could not be built.</summary>
public sealed record SweepPoint(SweepSeries Series, int Bits, int WeightBits, int ActivationBits, QModel? Model, AccuracyComparison? Result, string? Error);

public sealed record SweepReport(string ModelName, QuantizeOptions BaseOptions, int CalibrationImages, int Images, int FloatCorrect,
                                 IReadOnlyList<SweepPoint> Points)
{
    public double FloatAccuracy => 100.0 * FloatCorrect / Images;

    /// <summary>Quantization-aware trained qmodels measured on the same test images (`--qat`).</summary>
    public IReadOnlyList<QatPoint> Qat { get; init; } = [];

    /// <summary>A mixed-precision search to chart as its Pareto front (`--search`).</summary>
    public SearchSummary? Search { get; init; }
}

/// <summary>
/// A quantization-aware trained qmodel in the report, beside post-training quantization of the report's
/// float model at exactly the same per-layer widths and arithmetic, so that the difference is the training.
/// </summary>
/// <param name="PostTraining">The post-training qmodel's result, or null with PostTrainingError when it cannot be built.</param>
/// <param name="SweepUnsigned">The sweep beside it quantizes relu outputs unsigned (`--unsigned-relu`).</param>
public sealed record QatPoint(string Name, QModel Model, AccuracyComparison Result, AccuracyComparison? PostTraining, string? PostTrainingError,
                              bool SweepUnsigned = false)
{
    public IReadOnlyList<int> WeightBits => [.. Model.Layers.Where(l => l.HasWeights).Select(l => l.Weights!.Bits)];
    /// <summary>Output widths of the conv/dense layers; the last is the scores.</summary>
    public IReadOnlyList<int> OutputBits => [.. Model.Layers.Where(l => l.HasWeights).Select(l => l.Output.Bits)];

    /// <summary>Hidden activations are unsigned ufx&lt;W,F&gt; (docs/fixed-point.md §1).</summary>
    public bool UnsignedRelu => Model.Layers.Any(l => l.Output.Unsigned);

    /// <summary>
    /// n when every weight and every hidden activation is n bits wide (the scores may differ): the row of the
    /// sweep it sits beside. Activations of the other signedness than the sweep's sit in no row.
    /// </summary>
    public int? UniformBits
    {
        get
        {
            if (UnsignedRelu != SweepUnsigned) return null;
            var hidden = OutputBits.Take(OutputBits.Count - 1).ToList();
            int w = WeightBits[0];
            return WeightBits.All(b => b == w) && hidden.All(b => b == w) ? w : null;
        }
    }

    /// <summary>"W4A4, scores 8" or per layer "w 3,2,2,2,2 a 6,2,3,8 s 8".</summary>
    public string Widths
    {
        get
        {
            var hidden = OutputBits.Take(OutputBits.Count - 1).ToList();
            bool uniform = WeightBits.All(b => b == WeightBits[0]) && hidden.All(b => b == hidden.FirstOrDefault(OutputBits[0]));
            string u = UnsignedRelu ? "u" : "";
            if (uniform && hidden.Count > 0) return $"W{WeightBits[0]}A{hidden[0]}{u}, scores {OutputBits[^1]}";
            return hidden.Count == 0
                ? $"w {string.Join(",", WeightBits)} s {OutputBits[^1]}"
                : $"w {string.Join(",", WeightBits)} a {string.Join(",", hidden)}{(UnsignedRelu ? " unsigned" : "")} s {OutputBits[^1]}";
        }
    }

    public HardwareCost Cost => HardwareCost.Of(Model);
}

/// <summary>
/// "How many bits do I need?": quantizes the model at each width, narrowing weights alone,
/// activations alone (the other at <see cref="ReferenceBits"/>) and both, and evaluates every
/// qmodel on the test set. <see cref="Reporting.SweepReportWriter"/> writes the result as accuracy.md, .csv and .svg.
/// </summary>
public static class AccuracySweep
{
    /// <summary>Width of the tensors a series does not narrow: the widest that keeps accumulators within 48 bits.</summary>
    public const int ReferenceBits = 16;
    public static readonly int[] DefaultWidths = [16, 12, 10, 8, 6, 5, 4, 3, 2];

    public static int[] ParseWidths(string text)
    {
        var widths = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int w))
                throw new LeNetHlsException($"--sweep: '{part}' is not a width");
            QuantizeOptions.CheckBits(w, "--sweep");
            widths.Add(w);
        }
        if (widths.Count == 0) throw new LeNetHlsException("--sweep: no widths given");
        return widths.Distinct().OrderByDescending(w => w).ToArray();
    }

    /// <param name="floatPredictions">The float model's prediction of every test image (the trainer's inference; Quantizer does not run float models).</param>
    /// <param name="qat">Quantization-aware trained qmodels (file path, model) to measure on the same test images beside the sweep.</param>
    public static SweepReport Run(FloatModel model, string modelName, string modelPath, ActivationStatistics statistics, MnistSet test, int[] floatPredictions,
                                  IReadOnlyList<int> widths, QuantizeOptions baseOptions, Action<string>? progress = null,
                                  IReadOnlyList<(string Path, QModel Model)>? qat = null)
    {
        var points = new List<SweepPoint>();
        foreach (int bits in widths)
        foreach (var series in Enum.GetValues<SweepSeries>())
        {
            int wBits = series == SweepSeries.Activations ? ReferenceBits : bits;
            int aBits = series == SweepSeries.Weights ? ReferenceBits : bits;
            var options = baseOptions with { WeightBits = wBits, ActivationBits = aBits };
            try
            {
                var q = ModelQuantizer.Quantize(model, statistics, options, $"{modelName}-w{wBits}a{aBits}", modelPath);
                var result = AccuracyComparison.Measure(q, test, floatPredictions);
                points.Add(new SweepPoint(series, bits, wBits, aBits, q, result, null));
                progress?.Invoke($"{series,-11} {bits,2} bits: {result.FixedAccuracy:F2} % ({result.Changed} changed)");
            }
            catch (LeNetHlsException e)
            {
                points.Add(new SweepPoint(series, bits, wBits, aBits, null, null, e.Message));
                progress?.Invoke($"{series,-11} {bits,2} bits: not quantizable ({e.Message})");
            }
        }
        var qatPoints = (qat ?? []).Select(x => MeasureQat(x.Path, x.Model, model, modelName, modelPath, statistics, test, floatPredictions, baseOptions, progress)).ToList();
        return new SweepReport(modelName, baseOptions, statistics.Images, test.Count,
                               Evaluation.CountCorrect(floatPredictions, test.Labels), points) { Qat = qatPoints };
    }

    /// <summary>
    /// The golden model's accuracy of a QAT qmodel, and of post-training quantization of the float model
    /// with the same per-layer widths, rounding and overflow (an override for every conv/dense layer).
    /// </summary>
    public static QatPoint MeasureQat(string path, QModel q, FloatModel model, string modelName, string modelPath, ActivationStatistics statistics,
                                      MnistSet test, int[] floatPredictions, QuantizeOptions baseOptions, Action<string>? progress = null)
    {
        CheckMatches(path, q, model.Spec);
        string name = QatName(path);
        var result = AccuracyComparison.Measure(q, test, floatPredictions);
        var layers = q.Layers.Where(l => l.HasWeights).ToDictionary(l => l.Name,
            l => new LayerOverride(new FormatOverride(l.Weights!.Bits, null), new FormatOverride(l.Output.Bits, null)));
        var options = baseOptions with
        {
            Overrides = new FormatOverrides($"{path} (its widths)", layers), Rounding = q.Rounding, Overflow = q.Overflow,
            UnsignedRelu = q.Layers.Any(l => l.Output.Unsigned),
        };
        AccuracyComparison? ptq = null;
        string? error = null;
        try
        {
            var p = ModelQuantizer.Quantize(model, statistics, options, $"{modelName}-ptq-as-{name}", modelPath);
            ptq = AccuracyComparison.Measure(p, test, floatPredictions);
        }
        catch (LeNetHlsException e) { error = e.Message; }
        var point = new QatPoint(name, q, result, ptq, error, baseOptions.UnsignedRelu);
        progress?.Invoke($"qat {name} ({point.Widths}): {result.FixedAccuracy:F2} %; post-training at the same widths: " +
                         (ptq is null ? $"not quantizable ({error})" : $"{ptq.FixedAccuracy:F2} %"));
        return point;
    }

    /// <summary>A QAT qmodel is compared with this spec's post-training quantization layer by layer, so they must have the same conv/dense layers.</summary>
    public static void CheckMatches(string path, QModel q, ModelSpec spec)
    {
        var ours = spec.ParameterLayers().Select(i => spec.Layers[i].Name).ToList();
        var theirs = q.Layers.Where(l => l.HasWeights).Select(l => l.Name).ToList();
        if (q.InputShape != spec.Input || !ours.SequenceEqual(theirs))
            throw LeNetHlsException.InFile(path, $"does not match model '{spec.Name}' (its conv/dense layers are {string.Join(", ", theirs)} on {q.InputShape}; the model's are {string.Join(", ", ours)} on {spec.Input})");
    }

    /// <summary>The search's width lists must name this spec's conv/dense layers.</summary>
    public static void CheckMatches(string path, SearchSummary search, ModelSpec spec)
    {
        var ours = spec.ParameterLayers().Select(i => spec.Layers[i].Name).ToList();
        if (!ours.SequenceEqual(search.Layers))
            throw LeNetHlsException.InFile(path, $"the search's layers ({string.Join(", ", search.Layers)}) are not model '{spec.Name}''s ({string.Join(", ", ours)})");
    }

    private static string QatName(string path)
    {
        string file = Path.GetFileName(path);
        return file.EndsWith(".qmodel.json", StringComparison.Ordinal) ? file[..^".qmodel.json".Length] : Path.GetFileNameWithoutExtension(file);
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
