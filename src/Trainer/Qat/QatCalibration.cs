namespace LeNetHls.Trainer.Qat;

/// <summary>
/// Chooses the power-of-two scales with the quantizer's rules (FormatChoice, docs/fixed-point.md §8): per
/// layer, the weight F with the least squared rounding error, and per activation the output F with the
/// least squared error against the float activation it replaces,
/// measured on calibration images with every earlier layer already quantized. Scores take the largest F
/// that saturates none of them. A tanh output is fx&lt;W,W−1&gt; and its table covers the calibrated
/// pre-activation maximum, as the quantizer builds it (docs/fixed-point.md §8).
/// </summary>
internal static class QatCalibration
{
    /// <summary>Activation values kept per layer; more adds time and changes the choice very little.</summary>
    private const int MaxSamples = 1 << 21;

    public static void CalibrateWeights(QatNetwork net)
    {
        var latent = net.Latent.Parameters;
        var mask = net.Latent.ConnectionMask;
        foreach (var cl in net.Compute)
        {
            int off = cl.Layer.ParamOffset, count = cl.Outs * cl.FanIn;
            var values = new List<double>(count);
            for (int i = 0; i < count; i++)
                if (mask[off + i] != 0f) values.Add(latent[off + i] * cl.InputScale);
            cl.WeightFrac = FormatChoice.MseFrac(values.ToArray(), cl.WeightBits);
        }
    }

    public static void CalibrateActivations(QatNetwork net, QatEngine engine, MnistSet images)
    {
        for (int c = 0; c < net.Compute.Length; c++)
        {
            net.Quantize();
            var cl = net.Compute[c];
            int requantAt = Array.IndexOf(net.Layers, cl.Requant);
            int perImage = cl.Requant.In.Size;
            int stride = Math.Max(1, (int)((long)perImage * images.Count / MaxSamples));
            var samples = new List<double>();
            for (int start = 0; start < images.Count; start += engine.MaxBatch)
            {
                int count = Math.Min(engine.MaxBatch, images.Count - start);
                engine.Forward(images, start, count, requantAt, (_, n, values) =>
                {
                    for (int i = 0; i < values.Length; i += stride) samples.Add(values[i]);
                });
            }
            bool isScores = c == net.Compute.Length - 1;
            var v = samples.ToArray();
            if (cl.Requant.IsTanh)
            {
                var output = new QFormat(cl.Requant.Bits, cl.Requant.Bits - 1);
                double range = TanhTable.IndexRange(v.Max(Math.Abs), output);
                int indexBits = TanhTable.DefaultIndexBits(range, output);
                cl.Requant.Frac = output.Frac;
                cl.Requant.Table = TanhTable.Build(indexBits, TanhTable.IndexFrac(indexBits, range), output);
                continue;
            }
            cl.Requant.Frac = isScores
                ? FormatChoice.NoSaturationFrac(v.Max(Math.Abs), cl.Requant.Bits)
                : FormatChoice.MseFrac(v, cl.Requant.ArithmeticBits, cl.Requant.Relu);
        }
        net.Quantize();
    }

    /// <summary>
    /// Moves each weight and hidden-activation F one step finer or coarser when that lowers the mean
    /// cross-entropy on the calibration images (layer by layer, keeping every improvement). At 2 to 4
    /// bits the squared-error choice is often one step away from the best threshold for the loss.
    /// </summary>
    public static void RefineByLoss(QatNetwork net, QatEngine engine, MnistSet images)
    {
        net.Quantize();
        double best = Loss(net, engine, images);
        for (int c = 0; c < net.Compute.Length; c++)
        {
            var cl = net.Compute[c];
            bool hidden = c < net.Compute.Length - 1;
            var knobs = new List<(Func<int> Get, Action<int> Set)> { (() => cl.WeightFrac, f => cl.WeightFrac = f) };
            if (hidden && !cl.Requant.IsTanh) knobs.Add((() => cl.Requant.Frac, f => cl.Requant.Frac = f));
            foreach (var (get, set) in knobs)
            {
                foreach (int delta in (int[])[-1, 1])
                {
                    int before = get();
                    set(before + delta);
                    double loss;
                    try
                    {
                        net.Quantize();
                        loss = Loss(net, engine, images);
                    }
                    catch (Core.IO.LeNetHlsException)
                    {
                        loss = double.PositiveInfinity; // an accumulator would leave the exact range
                    }
                    if (loss < best) best = loss;
                    else set(before);
                }
            }
        }
        net.Quantize();
    }

    /// <summary>Mean softmax cross-entropy of the quantized scores over the images.</summary>
    public static double Loss(QatNetwork net, QatEngine engine, MnistSet images)
    {
        int classes = net.Classes;
        double sum = 0;
        var logits = new double[classes];
        for (int start = 0; start < images.Count; start += engine.MaxBatch)
        {
            int count = Math.Min(engine.MaxBatch, images.Count - start);
            engine.Forward(images, start, count, net.Layers.Length, (first, n, y) =>
            {
                for (int img = 0; img < n; img++)
                {
                    double max = double.NegativeInfinity, total = 0;
                    for (int k = 0; k < classes; k++) max = Math.Max(max, logits[k] = y[k * n + img]);
                    for (int k = 0; k < classes; k++) total += Math.Exp(logits[k] - max);
                    sum += Math.Log(total) + max - logits[images.Labels[first + img]];
                }
            });
        }
        return sum / images.Count;
    }
}
