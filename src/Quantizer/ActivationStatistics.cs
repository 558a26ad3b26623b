namespace LeNetHls.Quantizer;

/// <summary>
/// The float activations of calibration images, kept per spec layer as sorted magnitudes, from which
/// max, percentile and MSE calibration pick formats (docs/fixed-point.md §8).
/// </summary>
public sealed class ActivationStatistics
{
    public const int DefaultImages = 2000;
    /// <summary>MSE calibration evaluates a quantile sample of this many magnitudes: enough to be stable, cheap to repeat.</summary>
    private const int MseSampleSize = 100_000;

    private readonly Dictionary<int, float[]> _sortedMagnitudes;

    private ActivationStatistics(int images, Dictionary<int, float[]> sortedMagnitudes)
    {
        Images = images;
        _sortedMagnitudes = sortedMagnitudes;
    }

    /// <summary>How many calibration images the statistics come from.</summary>
    public int Images { get; }

    /// <summary>Runs the float model on the first <paramref name="count"/> images, in parallel, and keeps every layer output the quantizer calibrates.</summary>
    public static ActivationStatistics Collect(FloatModel model, MnistSet images, int count)
    {
        if (count < 1) throw new LeNetHlsException($"--calib-images: {count} must be at least 1");
        count = Math.Min(count, images.Count);
        var layers = CalibratedLayers(model.Spec);
        var shapes = model.Spec.OutputShapes();
        var values = layers.ToDictionary(i => i, i => new float[(long)count * shapes[i].Size]);
        Parallel.For(0, count, image =>
        {
            var trace = FloatReference.ForwardTrace(model, images.Image(image));
            foreach (int layer in layers)
                trace[layer].CopyTo(values[layer], (long)image * shapes[layer].Size);
        });
        Parallel.ForEach(values.Values, v =>
        {
            for (long i = 0; i < v.LongLength; i++) v[i] = Math.Abs(v[i]);
            Array.Sort(v);
        });
        return new ActivationStatistics(count, values);
    }

    /// <summary>
    /// Spec layers whose float output sets a format: the output of each conv/dense after its fused
    /// ReLU, and the pre-activation of each conv/dense followed by tanh (the table's input range).
    /// </summary>
    public static int[] CalibratedLayers(ModelSpec spec) =>
        spec.ParameterLayers().Select(i => FusedOutputLayer(spec, i)).ToArray();

    /// <summary>The spec layer whose output a conv/dense's calibration reads: its ReLU if one follows, else itself.</summary>
    public static int FusedOutputLayer(ModelSpec spec, int layer) =>
        layer + 1 < spec.Layers.Count && spec.Layers[layer + 1].Kind == LayerKind.ReLU ? layer + 1 : layer;

    /// <summary>The calibrated magnitude of a layer's output: its maximum, or the given percentile of |value|.</summary>
    public double Magnitude(int specLayer, CalibrationMethod method, double percentile)
    {
        var sorted = Sorted(specLayer);
        if (method != CalibrationMethod.Percentile) return sorted[^1];
        long index = (long)Math.Ceiling(percentile / 100.0 * sorted.LongLength) - 1;
        return sorted[Math.Clamp(index, 0, sorted.LongLength - 1)];
    }

    /// <summary>F for a W-bit activation tensor by the chosen method.</summary>
    public int ChooseFrac(int specLayer, int bits, CalibrationMethod method, double percentile)
    {
        if (method == CalibrationMethod.Mse) return FormatChoice.MseFrac(MseSample(specLayer), bits);
        return FormatChoice.NoSaturationFrac(Magnitude(specLayer, method, percentile), bits);
    }

    private double[] MseSample(int specLayer)
    {
        var sorted = Sorted(specLayer);
        if (sorted.LongLength <= MseSampleSize) return sorted.Select(v => (double)v).ToArray();
        // Evenly spaced order statistics of the sorted magnitudes, always including the maximum.
        var sample = new double[MseSampleSize];
        for (int i = 0; i < MseSampleSize; i++)
            sample[i] = sorted[(long)((double)(i + 1) / MseSampleSize * (sorted.LongLength - 1))];
        return sample;
    }

    private float[] Sorted(int specLayer) =>
        _sortedMagnitudes.TryGetValue(specLayer, out var v) && v.Length > 0
            ? v
            : throw new InvalidOperationException($"layer {specLayer} was not calibrated");
}
