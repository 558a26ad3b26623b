using System.Numerics;

namespace LeNetHls.Quantizer;

/// <summary>
/// Turns a float model into a qmodel: fuses activations into conv/dense, folds the 1/255 pixel
/// scaling into the first layer, picks every format (docs/fixed-point.md §8), builds tanh tables and
/// derives accumulator widths (§3).
/// </summary>
public static class ModelQuantizer
{
    public const int MaxAccumulatorBits = 48;
    public const int MaxIntermediateBits = 62;
    /// <summary>Biases are int32 in the qmodel (TFLite's convention) and in the generated code.</summary>
    public const int MaxBiasBits = 32;

    /// <summary>The raw pixel: fx&lt;9,0&gt; with range [0, 255] (§2).</summary>
    public static readonly QActivation PixelInput = new(9, 0, 0, 255);

    /// <param name="source">The float model's path, named in errors that are not an override's fault.</param>
    public static QModel Quantize(FloatModel model, ActivationStatistics statistics, QuantizeOptions options,
                                  string name, string source, string sourceSha256 = "")
    {
        options.Validate();
        var spec = model.Spec;
        CheckOverrideNames(spec, options.Overrides);
        var shapes = spec.OutputShapes();
        var layers = new List<QLayer>();
        var current = PixelInput;
        var inShape = spec.Input;
        // Until the first conv/dense, tensors hold raw pixels: that layer absorbs the 1/255.
        bool pixelUnits = true;
        bool flattened = false;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var l = spec.Layers[i];
            string where = WhereIs(l.Name, options.Overrides, source);
            QLayer layer;
            switch (l.Kind)
            {
                case LayerKind.Conv2D:
                case LayerKind.Dense:
                {
                    if (l.Kind == LayerKind.Conv2D && flattened)
                        throw LeNetHlsException.InFile(source, $"layer {l.Name}: a conv2d after flatten is not supported");
                    var activation = FusedActivation(spec, i);
                    layer = ComputeLayer(model, statistics, options, i, activation, current, inShape, shapes[i],
                                         pixelUnits ? FloatReference.PixelScale : 1.0, where);
                    if (activation != Activation.None) i++;
                    pixelUnits = false;
                    break;
                }
                case LayerKind.MaxPool:
                    layer = QLayer.MaxPool(l, inShape, shapes[i], current);
                    break;
                case LayerKind.AvgPool:
                    layer = AvgPoolLayer(l, options, current, inShape, shapes[i], where);
                    break;
                case LayerKind.Flatten:
                    flattened = true;
                    continue;
                default:
                    throw LeNetHlsException.InFile(source, $"layer {l.Name} ({l.Kind.ToString().ToLowerInvariant()}) must directly follow a conv2d or dense layer to be fused");
            }
            layers.Add(layer);
            current = layer.Output;
            inShape = layer.OutShape;
        }
        if (!layers[^1].HasWeights)
            throw LeNetHlsException.InFile(source, "the last layer must be a conv2d or dense layer (its integers are the scores)");
        var q = new QModel
        {
            Name = name, SourceSha256 = sourceSha256, Rounding = options.Rounding, Overflow = options.Overflow,
            InputShape = spec.Input, Input = PixelInput, Layers = layers,
        };
        QModelFile.Validate(q, source);
        return q;
    }

    /// <summary>Names the overrides may use: conv, dense and pool layers (activations and flatten are fused away).</summary>
    public static IEnumerable<string> HardwareLayerNames(ModelSpec spec) =>
        spec.Layers.Where(l => l.Kind is not (LayerKind.ReLU or LayerKind.Tanh or LayerKind.Flatten)).Select(l => l.Name);

    private static void CheckOverrideNames(ModelSpec spec, FormatOverrides overrides)
    {
        var names = HardwareLayerNames(spec).ToList();
        foreach (var (name, entry) in overrides.Layers)
        {
            int index = spec.Layers.ToList().FindIndex(l => l.Name == name);
            if (!names.Contains(name))
            {
                string hint = index > 0 && spec.Layers[index].Kind is LayerKind.ReLU or LayerKind.Tanh
                    ? $"'{name}' is fused into '{spec.Layers[index - 1].Name}'; override that layer"
                    : $"layers: {string.Join(", ", names)}";
                throw LeNetHlsException.InFile(overrides.Source, $"layer '{name}' does not exist in model '{spec.Name}' ({hint})");
            }
            var kind = spec.Layers[index].Kind;
            if (entry.Weights is not null && !spec.Layers[index].HasParameters)
                throw LeNetHlsException.InFile(overrides.Source, $"layer '{name}' is a {kind.ToString().ToLowerInvariant()} and has no weights");
            if (entry.Output is not null && kind == LayerKind.MaxPool)
                throw LeNetHlsException.InFile(overrides.Source, $"layer '{name}': a maxpool keeps its input format; override the layer before it");
        }
    }

    private static Activation FusedActivation(ModelSpec spec, int layer) =>
        layer + 1 < spec.Layers.Count
            ? spec.Layers[layer + 1].Kind switch { LayerKind.ReLU => Activation.ReLU, LayerKind.Tanh => Activation.Tanh, _ => Activation.None }
            : Activation.None;

    /// <summary>Error prefix: the override file for a layer it touches, else the model.</summary>
    private static string WhereIs(string layer, FormatOverrides overrides, string source) =>
        overrides.For(layer) is not null ? $"{overrides.Source}: layer '{layer}'" : $"{source}: layer '{layer}'";

    private static QLayer ComputeLayer(FloatModel model, ActivationStatistics statistics, QuantizeOptions options, int index,
                                       Activation activation, QActivation input, Shape3 inShape, Shape3 outShape,
                                       double inputScale, string where)
    {
        var spec = model.Spec;
        var l = spec.Layers[index];
        var p = model.ForLayer(index);
        var overrides = options.Overrides.For(l.Name);

        var realWeights = p.Weights.Select(w => w * inputScale).ToArray();
        int wBits = overrides?.Weights?.Bits ?? options.WeightBits;
        if (wBits == FixedPointMath.BipolarBits && l.Connections is not null)
            throw new LeNetHlsException($"{where}: 1-bit (bipolar) weights cannot hold the 0 of the connection table's cut pairs; give this layer 2 bits or more");
        int wFrac = overrides?.Weights?.Frac ?? (options.WeightMethod == WeightMethod.Mse
            ? FormatChoice.MseFrac(realWeights, wBits)
            : FormatChoice.NoSaturationFrac(realWeights.Max(Math.Abs), wBits));
        var weights = realWeights.Select(w => (int)FixedPointMath.QuantizeReal(w, wBits, wFrac)).ToArray();

        int accFrac = wFrac + input.Frac;
        // §3: the bias lives at the accumulator's F; 32 bits is the widest bias the qmodel and the
        // generators take. A wider one is an error, never a silent saturation.
        var bias = p.Biases.Select(b => (int)FixedPointMath.QuantizeReal(b, MaxBiasBits, accFrac)).ToArray();
        int biasBits = FixedPointMath.SignedBitsForRange(bias.Min(), bias.Max());
        var exactBias = p.Biases.Select(b => Math.Round(b * Math.Pow(2, accFrac), MidpointRounding.AwayFromZero)).ToArray();

        int outBits = overrides?.Output?.Bits ?? options.ActivationBits;
        int calibrated = ActivationStatistics.FusedOutputLayer(spec, index);
        QTanhTable? tanh = null;
        QActivation output;
        if (activation == Activation.Tanh)
        {
            var outFormat = new QFormat(outBits, overrides?.Output?.Frac ?? outBits - 1);
            double range = TanhTable.IndexRange(statistics.Magnitude(calibrated, options.Calibration, options.Percentile), outFormat);
            int indexBits = options.TanhIndexBits ?? TanhTable.DefaultIndexBits(range, outFormat);
            tanh = TanhTable.Build(indexBits, TanhTable.IndexFrac(indexBits, range), outFormat);
            output = new QActivation(outFormat.Bits, outFormat.Frac, tanh.Table.Min(), tanh.Table.Max());
        }
        else
        {
            // An unsigned ReLU output computes as the signed format one bit wider (§1), so F follows that width.
            bool unsigned = options.UnsignedRelu && activation == Activation.ReLU;
            int arithmeticBits = unsigned ? outBits + 1 : outBits;
            int outFrac = overrides?.Output?.Frac ?? statistics.ChooseFrac(calibrated, arithmeticBits, options.Calibration, options.Percentile);
            output = unsigned
                ? QActivation.UnsignedRelu(outBits, outFrac)
                : new QActivation(outBits, outFrac, activation == Activation.ReLU ? 0 : FixedPointMath.MinOf(outBits), FixedPointMath.MaxOf(outBits));
        }

        var layer = new QLayer
        {
            Name = l.Name, Kind = l.Kind == LayerKind.Conv2D ? QLayerKind.Conv2D : QLayerKind.Dense,
            InShape = inShape, OutShape = outShape,
            Kernel = l.Kind == LayerKind.Conv2D ? l.Kernel : 0, Stride = l.Stride, Pad = l.Pad,
            Connections = l.Kind == LayerKind.Conv2D ? l.Connections : null, Activation = activation,
            Weights = new QTensor(wBits, wFrac, p.WeightShape, weights),
            Bias = new QTensor(biasBits, accFrac, [bias.Length], bias),
            Accumulator = new QFormat(MaxAccumulatorBits, accFrac), Tanh = tanh, Output = output,
        };
        int accBits = FixedPointMath.SignedBitsFor(QModelFile.AccumulatorBound(layer, input));
        if (accBits > MaxAccumulatorBits)
            throw new LeNetHlsException($"{where}: the accumulator would need {accBits} bits (at most {MaxAccumulatorBits}); use fewer weight or activation bits");
        if (exactBias.Any(b => b < FixedPointMath.MinOf(MaxBiasBits) || b > FixedPointMath.MaxOf(MaxBiasBits)))
        {
            long widest = (long)Math.Min(exactBias.Max(Math.Abs), Math.ScaleB(1.0, 62));
            throw new LeNetHlsException($"{where}: a bias needs {FixedPointMath.SignedBitsFor(widest)} bits at the accumulator's {accFrac} fractional bits (at most {MaxBiasBits}); use fewer weight or activation bits");
        }
        layer = layer with { Accumulator = new QFormat(accBits, accFrac) };
        if (accBits + Math.Max(0, -layer.Shift) > MaxIntermediateBits)
            throw new LeNetHlsException($"{where}: output frac {layer.Output.Frac} needs a left shift of {-layer.Shift} bits on a {accBits}-bit accumulator (more than {MaxIntermediateBits} bits)");
        return layer;
    }

    private static QLayer AvgPoolLayer(LayerSpec l, QuantizeOptions options, QActivation input, Shape3 inShape, Shape3 outShape, string where)
    {
        int area = l.Kernel * l.Kernel;
        if (!BitOperations.IsPow2(area))
            throw new LeNetHlsException($"{where}: an avgpool window of {area} values is not a power of two");
        var overrides = options.Overrides.For(l.Name)?.Output;
        int bits = overrides?.Bits ?? input.Bits, frac = overrides?.Frac ?? input.Frac;
        var acc = QModelFile.AvgPoolAccumulator(input, l.Kernel);
        int s = acc.Frac - frac;
        if (acc.Bits + Math.Max(0, -s) > MaxIntermediateBits)
            throw new LeNetHlsException($"{where}: output frac {frac} needs a left shift of {-s} bits (more than {MaxIntermediateBits} bits)");
        // The window sum lies in [k²·min, k²·max]; requantization is monotonic unless it wraps.
        long lo = FixedPointMath.Shift(input.Min * area, s, options.Rounding);
        long hi = FixedPointMath.Shift(input.Max * area, s, options.Rounding);
        long min = FixedPointMath.MinOf(bits), max = FixedPointMath.MaxOf(bits);
        bool wraps = options.Overflow == OverflowMode.Wrap && (lo < min || hi > max);
        var output = wraps
            ? new QActivation(bits, frac, min, max)
            : new QActivation(bits, frac, Math.Clamp(lo, min, max), Math.Clamp(hi, min, max));
        return new QLayer
        {
            Name = l.Name, Kind = QLayerKind.AvgPool, InShape = inShape, OutShape = outShape,
            Kernel = l.Kernel, Stride = l.Stride, Accumulator = acc, Output = output,
        };
    }
}
