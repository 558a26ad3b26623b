namespace LeNetHls.Trainer;

/// <summary>
/// The layers of a ModelSpec with all parameters in one flat array (Wt[out][K] then bias, per
/// parameter layer), so that gradient reduction and optimizer steps are single loops.
/// </summary>
public sealed class Network : ILayerStack
{
    Layer[] ILayerStack.Layers => Layers;
    float[] ILayerStack.ForwardParameters => Parameters;
    float ILayerStack.PixelScale => FloatReference.PixelScale;

    internal Layer[] Layers { get; }
    private readonly int[] _specLayerOf;   // spec layer index of each internal layer with parameters

    public ModelSpec Spec { get; }
    public float[] Parameters { get; }
    /// <summary>1 for trainable entries, 0 for conv weights cut by the connection table.</summary>
    public float[] ConnectionMask { get; }
    /// <summary>1 for weights, 0 for biases: weight decay applies to weights only.</summary>
    public float[] DecayMask { get; }
    public int Classes => Spec.OutputShapes()[^1].Size;

    private Network(ModelSpec spec)
    {
        Spec = spec;
        var shapes = spec.OutputShapes();
        var layers = new List<Layer>();
        var specIndex = new List<int>();
        int offset = 0;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var l = spec.Layers[i];
            var input = spec.InputShapeOf(i);
            if (l.Kind == LayerKind.Dense && input.H * input.W > 1)
            {
                // The spec lets dense read a spatial map directly; it means the HWC flatten.
                layers.Add(new FlattenLayer(input));
                input = new Shape3(1, 1, input.Size);
            }
            Layer layer = l.Kind switch
            {
                LayerKind.Conv2D => new ConvLayer(input, shapes[i], l),
                LayerKind.Dense => new DenseLayer(input, shapes[i]),
                LayerKind.MaxPool or LayerKind.AvgPool => new PoolLayer(input, shapes[i], l),
                LayerKind.ReLU => new ReLULayer(input),
                LayerKind.Tanh => new TanhLayer(input),
                LayerKind.Flatten => new FlattenLayer(input),
                _ => throw new ArgumentOutOfRangeException(nameof(spec), l.Kind, "unknown layer kind"),
            };
            if (layer.ParamCount > 0)
            {
                layer.ParamOffset = offset;
                offset += layer.ParamCount;
                specIndex.Add(i);
            }
            layers.Add(layer);
        }
        Layers = [.. layers];
        _specLayerOf = [.. specIndex];
        Parameters = new float[offset];
        ConnectionMask = new float[offset];
        DecayMask = new float[offset];
        Array.Fill(ConnectionMask, 1f);
        int p = 0;
        foreach (var layer in Layers.Where(x => x.ParamCount > 0))
        {
            var spec1 = spec.Layers[_specLayerOf[p++]];
            int outs = layer.Out.C, k = (layer.ParamCount - outs) / outs;
            Array.Fill(DecayMask, 1f, layer.ParamOffset, outs * k);
            if (spec1.Connections is null) continue;
            int cin = layer.In.C;
            for (int o = 0; o < outs; o++)
                for (int j = 0; j < k; j++)
                    if (!ModelSpec.IsConnected(spec1, j % cin, o)) ConnectionMask[layer.ParamOffset + o * k + j] = 0f;
        }
    }

    public static Network FromFloatModel(FloatModel model)
    {
        var net = new Network(model.Spec);
        int p = 0;
        foreach (var layer in net.Layers.Where(x => x.ParamCount > 0))
        {
            var fp = model.ForLayer(net._specLayerOf[p++]);
            int outs = layer.Out.C, k = fp.Weights.Length / outs;
            var dst = net.Parameters.AsSpan(layer.ParamOffset, layer.ParamCount);
            for (int o = 0; o < outs; o++)
                for (int j = 0; j < k; j++) dst[o * k + j] = fp.Weights[j * outs + o];
            fp.Biases.CopyTo(dst[(outs * k)..]);
        }
        return net;
    }

    public FloatModel ToFloatModel()
    {
        var list = new List<FloatParameters>();
        int p = 0;
        foreach (var layer in Layers.Where(x => x.ParamCount > 0))
        {
            int specIndex = _specLayerOf[p++];
            int outs = layer.Out.C, k = (layer.ParamCount - outs) / outs;
            var src = Parameters.AsSpan(layer.ParamOffset, layer.ParamCount);
            var w = new float[k * outs];
            for (int o = 0; o < outs; o++)
                for (int j = 0; j < k; j++) w[j * outs + o] = src[o * k + j];
            list.Add(new FloatParameters(specIndex, Spec.WeightShape(specIndex), w, src[(outs * k)..].ToArray()));
        }
        return new FloatModel(Spec, list);
    }

    /// <summary>
    /// He-normal for layers whose next activation is ReLU, Xavier-normal otherwise (tanh, output);
    /// zero biases. Fan-in counts only connected inputs, so sparse C3 maps get the right scale.
    /// </summary>
    public static Network CreateRandom(ModelSpec spec, int seed)
    {
        var net = new Network(spec);
        var rng = new SplitMix64(Rng.Mix((ulong)seed, 0x1417));
        int p = 0;
        foreach (var layer in net.Layers.Where(x => x.ParamCount > 0))
        {
            int specIndex = net._specLayerOf[p++];
            int outs = layer.Out.C, k = (layer.ParamCount - outs) / outs;
            int taps = spec.Layers[specIndex].Kind == LayerKind.Conv2D ? spec.Layers[specIndex].Kernel * spec.Layers[specIndex].Kernel : 1;
            bool relu = NextActivation(spec, specIndex) == LayerKind.ReLU;
            for (int o = 0; o < outs; o++)
            {
                int connected = 0;
                for (int j = 0; j < k; j++) connected += net.ConnectionMask[layer.ParamOffset + o * k + j] > 0 ? 1 : 0;
                int fanOut = taps * outs;
                double std = relu ? Math.Sqrt(2.0 / connected) : Math.Sqrt(2.0 / (connected + fanOut));
                for (int j = 0; j < k; j++)
                {
                    int at = layer.ParamOffset + o * k + j;
                    net.Parameters[at] = (float)(rng.NextGaussian() * std) * net.ConnectionMask[at];
                }
            }
        }
        return net;
    }

    private static LayerKind? NextActivation(ModelSpec spec, int layer)
    {
        for (int i = layer + 1; i < spec.Layers.Count; i++)
        {
            var kind = spec.Layers[i].Kind;
            if (kind is LayerKind.ReLU or LayerKind.Tanh) return kind;
            if (kind is LayerKind.Conv2D or LayerKind.Dense) return null;
        }
        return null;
    }
}
