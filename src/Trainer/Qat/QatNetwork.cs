namespace LeNetHls.Trainer.Qat;

/// <summary>
/// A network whose forward pass is the golden model's arithmetic carried in float32: weights are
/// q_w·2^−F_w, activations q·2^−F, the first layer reads the raw pixel and folds 1/255 into its
/// weights, and every conv/dense layer is followed by a <see cref="RequantLayer"/> (with the fused
/// relu or tanh table), and every avgpool by one that rounds its mean back to the input format (§6).
/// Products and sums of such values are exact in float32 while every accumulator stays below
/// 2^24 (checked in <see cref="Quantize"/>), so the forward pass equals docs/fixed-point.md exactly.
/// The float "latent" weights of <see cref="Latent"/> are what the optimizer updates; the gradient
/// reaches them through the rounding by the straight-through estimator.
/// </summary>
public sealed class QatNetwork : ILayerStack
{
    Layer[] ILayerStack.Layers => Layers;
    float[] ILayerStack.ForwardParameters => Effective;
    float ILayerStack.PixelScale => 1f;

    /// <summary>Exactness bound of float32 sums of integers: every partial accumulator must stay below it.</summary>
    public const long ExactFloatBound = (1L << 24) - 1;
    /// <summary>Biases are kept below 2^23 so that bias plus products stays inside the exact range.</summary>
    public const int BiasBits = 24;

    internal Layer[] Layers { get; }
    internal ComputeLayer[] Compute { get; }
    /// <summary>The requantization after each avgpool, with the compute layer whose output format it keeps.</summary>
    private readonly (RequantLayer Requant, int Source)[] _poolRequants;

    /// <summary>One conv/dense layer with its formats and its current integer parameters (Wt[out][K] layout).</summary>
    internal sealed class ComputeLayer
    {
        public required int SpecIndex { get; init; }
        public required Layer Layer { get; init; }
        public required RequantLayer Requant { get; init; }
        public required int Outs { get; init; }
        public required int FanIn { get; init; }
        /// <summary>1/255 for the layer that reads raw pixels, else 1.</summary>
        public required double InputScale { get; init; }
        public int WeightBits { get; set; }
        public int WeightFrac { get; set; }
        public int[] Weights { get; set; } = [];
        public int[] Bias { get; set; } = [];
    }

    private QatNetwork(Network latent, QatWidths widths, Core.FixedPoint.RoundingMode rounding)
    {
        Latent = latent;
        Rounding = rounding;
        var spec = latent.Spec;
        CheckSupported(spec);
        var parameterLayers = spec.ParameterLayers();
        if (widths.Layers != parameterLayers.Length)
            throw new LeNetHlsException($"model '{spec.Name}' has {parameterLayers.Length} conv/dense layers but {widths.Layers} widths were given");
        var layers = new List<Layer>();
        var compute = new List<ComputeLayer>();
        var poolRequants = new List<(RequantLayer, int)>();
        var source = latent.Layers;
        for (int i = 0; i < source.Length; i++)
        {
            var layer = source[i];
            if (layer is ReLULayer or TanhLayer) continue; // replaced by the fused RequantLayer below
            layers.Add(layer);
            if (layer is PoolLayer { IsAverage: true })
            {
                if (widths.UnsignedRelu && compute[^1].Requant.Relu)
                    throw new LeNetHlsException($"model '{spec.Name}': unsigned relu outputs (--unsigned-relu) cannot feed an avgpool (docs/fixed-point.md §1)");
                var poolRequant = new RequantLayer(layer.Out, relu: false, rounding);
                layers.Add(poolRequant);
                poolRequants.Add((poolRequant, compute.Count - 1));
                continue;
            }
            if (layer.ParamCount == 0) continue;
            int c = compute.Count;
            var next = i + 1 < source.Length ? source[i + 1] : null;
            bool relu = next is ReLULayer;
            if (widths.WeightBits[c] == FixedPointMath.BipolarBits && spec.Layers[parameterLayers[c]].Connections is not null)
                throw new LeNetHlsException($"layer '{spec.Layers[parameterLayers[c]].Name}': 1-bit (bipolar) weights cannot hold the 0 of its connection table's cut pairs");
            var requant = new RequantLayer(layer.Out, relu, rounding, tanh: next is TanhLayer)
            {
                Bits = widths.OutputBits[c], Unsigned = relu && widths.UnsignedRelu,
            };
            layers.Add(requant);
            int outs = layer.Out.C;
            compute.Add(new ComputeLayer
            {
                SpecIndex = parameterLayers[c], Layer = layer, Requant = requant, Outs = outs,
                FanIn = (layer.ParamCount - outs) / outs, InputScale = c == 0 ? FloatReference.PixelScale : 1.0,
                WeightBits = widths.WeightBits[c],
            });
        }
        Layers = [.. layers];
        Compute = [.. compute];
        _poolRequants = [.. poolRequants];
        Effective = new float[latent.Parameters.Length];
    }

    /// <summary>A QAT network that starts from a float model's weights; call Calibrate before use.</summary>
    public static QatNetwork FromFloatModel(FloatModel model, QatWidths widths, Core.FixedPoint.RoundingMode rounding = Core.FixedPoint.RoundingMode.Rnd) =>
        new(Network.FromFloatModel(model), widths, rounding);

    public ModelSpec Spec => Latent.Spec;
    /// <summary>The float weights the optimizer trains (float-model units: the first layer still expects x = p/255).</summary>
    public Network Latent { get; }
    /// <summary>The fake-quantized parameters the forward pass uses: q·2^−F, same layout as Latent.Parameters.</summary>
    public float[] Effective { get; }
    public Core.FixedPoint.RoundingMode Rounding { get; }
    public int Classes => Layers[^1].Out.Size;

    /// <summary>The format of the tensor compute layer c reads: the pixel for the first, else the previous output.</summary>
    public QActivation InputOf(int c) => c == 0 ? PixelInput : OutputOf(c - 1);

    public QActivation OutputOf(int c)
    {
        var r = Compute[c].Requant;
        if (r.Unsigned) return QActivation.UnsignedRelu(r.Bits, r.Frac);
        if (r.Table is { } tanh) return new QActivation(r.Bits, r.Frac, tanh.Table.Min(), tanh.Table.Max());
        return new QActivation(r.Bits, r.Frac, r.Relu ? 0 : FixedPointMath.MinOf(r.Bits), FixedPointMath.MaxOf(r.Bits));
    }

    public static readonly QActivation PixelInput = new(9, 0, 0, 255);

    /// <summary>Throws a one-line error unless the spec has the structure the golden model fuses (docs/fixed-point.md §5, §6).</summary>
    public static void CheckSupported(ModelSpec spec)
    {
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var l = spec.Layers[i];
            if (l.Kind is LayerKind.ReLU or LayerKind.Tanh && (i == 0 || !spec.Layers[i - 1].HasParameters))
                throw new LeNetHlsException($"model '{spec.Name}': {l.Kind.ToString().ToLowerInvariant()} '{l.Name}' must directly follow a conv2d or dense layer");
            if (l.Kind == LayerKind.AvgPool && (l.Kernel != l.Stride || !System.Numerics.BitOperations.IsPow2(l.Kernel * l.Kernel)))
                throw new LeNetHlsException($"model '{spec.Name}': avgpool '{l.Name}' needs stride = kernel and a power-of-two window");
            if (l.Kind == LayerKind.AvgPool && !spec.Layers.Take(i).Any(p => p.HasParameters))
                throw new LeNetHlsException($"model '{spec.Name}': avgpool '{l.Name}' must come after a conv2d or dense layer");
        }
        if (!spec.Layers[^1].HasParameters)
            throw new LeNetHlsException($"model '{spec.Name}': the last layer must be conv2d or dense (its integers are the scores)");
    }

    /// <summary>
    /// Rounds the latent weights into the integer parameters and the effective float parameters, with
    /// the current formats. Weights round half away from zero and saturate (docs/fixed-point.md §8, as
    /// ModelQuantizer does); biases round at F_acc. Throws if an accumulator could leave float32's exact range.
    /// </summary>
    public void Quantize()
    {
        foreach (var (requant, c) in _poolRequants)
        {
            requant.Bits = Compute[c].Requant.Bits;
            requant.Frac = Compute[c].Requant.Frac;
        }
        var latent = Latent.Parameters;
        var mask = Latent.ConnectionMask;
        for (int c = 0; c < Compute.Length; c++)
        {
            var cl = Compute[c];
            int off = cl.Layer.ParamOffset, weights = cl.Outs * cl.FanIn;
            var q = cl.Weights.Length == weights ? cl.Weights : new int[weights];
            double wStep = Math.ScaleB(1.0, -cl.WeightFrac);
            for (int i = 0; i < weights; i++)
            {
                q[i] = mask[off + i] == 0f ? 0 : (int)FixedPointMath.QuantizeReal(latent[off + i] * cl.InputScale, cl.WeightBits, cl.WeightFrac);
                Effective[off + i] = (float)(q[i] * wStep);
            }
            int accFrac = cl.WeightFrac + InputOf(c).Frac;
            double bStep = Math.ScaleB(1.0, -accFrac);
            var b = cl.Bias.Length == cl.Outs ? cl.Bias : new int[cl.Outs];
            for (int o = 0; o < cl.Outs; o++)
            {
                b[o] = (int)FixedPointMath.QuantizeReal(latent[off + weights + o], BiasBits, accFrac);
                Effective[off + weights + o] = (float)(b[o] * bStep);
            }
            cl.Weights = q;
            cl.Bias = b;
            long bound = AccumulatorBound(c);
            if (bound > ExactFloatBound)
                throw new LeNetHlsException($"layer '{Spec.Layers[cl.SpecIndex].Name}': QAT accumulators must stay below 2^24 for an exact float32 forward pass, but this one can reach {bound}; use fewer bits");
        }
    }

    /// <summary>docs/fixed-point.md §3's bound for compute layer c with its current integers.</summary>
    public long AccumulatorBound(int c)
    {
        var cl = Compute[c];
        long maxAbs = InputOf(c).MaxAbs, worst = 0;
        for (int o = 0; o < cl.Outs; o++)
        {
            long sum = 0;
            for (int j = 0; j < cl.FanIn; j++) sum += Math.Abs((long)cl.Weights[o * cl.FanIn + j]);
            worst = Math.Max(worst, sum * maxAbs + Math.Abs((long)cl.Bias[o]));
        }
        return worst;
    }

    /// <summary>
    /// Straight-through estimator: the gradient with respect to the effective weights becomes the gradient
    /// of the latent weights (times the folded 1/255), zero for weights rounded into saturation.
    /// </summary>
    public void LatentGradient(float[] effectiveGradient, float[] latentGradient)
    {
        var latent = Latent.Parameters;
        for (int c = 0; c < Compute.Length; c++)
        {
            var cl = Compute[c];
            int off = cl.Layer.ParamOffset, weights = cl.Outs * cl.FanIn;
            double scale = Math.ScaleB(1.0, cl.WeightFrac);
            // Bipolar weights get BinaryConnect's clipped identity: |w·2^F| ≤ 1.5 keeps its gradient.
            double lo = FixedPointMath.WeightMinOf(cl.WeightBits) - 0.5, hi = FixedPointMath.WeightMaxOf(cl.WeightBits) + 0.5;
            for (int i = 0; i < weights; i++)
            {
                double v = latent[off + i] * cl.InputScale * scale;
                latentGradient[off + i] = v >= lo && v <= hi ? (float)(effectiveGradient[off + i] * cl.InputScale) : 0f;
            }
            Array.Copy(effectiveGradient, off + weights, latentGradient, off + weights, cl.Outs);
        }
        for (int i = 0; i < latentGradient.Length; i++) latentGradient[i] *= Latent.ConnectionMask[i];
    }
}
