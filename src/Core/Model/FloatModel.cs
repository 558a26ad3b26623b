namespace LeNetHls.Core.Model;

/// <summary>Float weights and biases of one parameter layer, in the file layout.</summary>
public sealed class FloatParameters
{
    public FloatParameters(int layerIndex, int[] weightShape, float[] weights, float[] biases)
    {
        LayerIndex = layerIndex;
        WeightShape = weightShape;
        Weights = weights;
        Biases = biases;
    }

    /// <summary>Index into ModelSpec.Layers.</summary>
    public int LayerIndex { get; }
    /// <summary>Conv [kh, kw, in, out], dense [in, out]: the output channel is fastest.</summary>
    public int[] WeightShape { get; }
    public float[] Weights { get; }
    public float[] Biases { get; }
    public int Outputs => WeightShape[^1];
}

/// <summary>A ModelSpec with float parameters for each conv and dense layer.</summary>
public sealed class FloatModel
{
    public FloatModel(ModelSpec spec, IReadOnlyList<FloatParameters> parameters)
    {
        var layers = spec.ParameterLayers();
        if (parameters.Count != layers.Length)
            throw new LeNetHlsException($"model '{spec.Name}' has {layers.Length} parameter layers but {parameters.Count} were given");
        for (int i = 0; i < layers.Length; i++)
        {
            var p = parameters[i];
            var shape = spec.WeightShape(layers[i]);
            string name = spec.Layers[layers[i]].Name;
            if (p.LayerIndex != layers[i] || !p.WeightShape.SequenceEqual(shape))
                throw new LeNetHlsException($"layer {name}: weight shape [{string.Join(",", p.WeightShape)}] does not match the architecture [{string.Join(",", shape)}]");
            if (p.Weights.Length != shape.Aggregate(1, (a, b) => a * b) || p.Biases.Length != shape[^1])
                throw new LeNetHlsException($"layer {name}: parameter counts do not match shape [{string.Join(",", shape)}]");
        }
        Spec = spec;
        Parameters = parameters;
    }

    public ModelSpec Spec { get; }
    public IReadOnlyList<FloatParameters> Parameters { get; }

    public FloatParameters ForLayer(int layerIndex) =>
        Parameters.FirstOrDefault(p => p.LayerIndex == layerIndex)
        ?? throw new ArgumentException($"layer {layerIndex} has no parameters");

    /// <summary>
    /// He-normal init for layers followed by ReLU, Xavier-normal otherwise; zero biases; weights of
    /// unconnected channel pairs are zero.
    /// </summary>
    public static FloatModel CreateRandom(ModelSpec spec, int seed)
    {
        var rng = new Random(seed);
        var list = new List<FloatParameters>();
        foreach (int i in spec.ParameterLayers())
        {
            var l = spec.Layers[i];
            var shape = spec.WeightShape(i);
            int outs = shape[^1];
            int fanIn = shape.Aggregate(1, (a, b) => a * b) / outs;
            int fanOut = l.Kind == LayerKind.Conv2D ? l.Kernel * l.Kernel * outs : outs;
            bool relu = i + 1 < spec.Layers.Count && spec.Layers[i + 1].Kind == LayerKind.ReLU;
            double std = relu ? Math.Sqrt(2.0 / fanIn) : Math.Sqrt(2.0 / (fanIn + fanOut));
            var w = new float[fanIn * outs];
            for (int j = 0; j < w.Length; j++)
            {
                bool connected = l.Kind != LayerKind.Conv2D || ModelSpec.IsConnected(l, j / outs % shape[2], j % outs);
                double gauss = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                w[j] = connected ? (float)(gauss * std) : 0f;
            }
            list.Add(new FloatParameters(i, shape, w, new float[outs]));
        }
        return new FloatModel(spec, list);
    }
}
