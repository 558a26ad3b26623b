namespace LeNetHls.Trainer.Qat;

/// <summary>Writes a <see cref="QatNetwork"/>'s current integers and formats as a qmodel.</summary>
public static class QatExport
{
    public static QModel ToQModel(QatNetwork net, string name, string sourceSha256 = "")
    {
        net.Quantize();
        var spec = net.Spec;
        var shapes = spec.OutputShapes();
        var layers = new List<QLayer>();
        var inShape = spec.Input;
        var current = QatNetwork.PixelInput;
        int c = 0;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var l = spec.Layers[i];
            QLayer layer;
            switch (l.Kind)
            {
                case LayerKind.Conv2D:
                case LayerKind.Dense:
                    layer = ComputeLayer(net, c, l, inShape, shapes[i]);
                    c++;
                    break;
                case LayerKind.MaxPool:
                    layer = QLayer.MaxPool(l, inShape, shapes[i], current);
                    break;
                case LayerKind.AvgPool:
                    layer = AvgPoolLayer(l, current, inShape, shapes[i]);
                    break;
                default:
                    continue; // relu and tanh are fused into the layer before them; flatten is implicit (HWC order)
            }
            layers.Add(layer);
            current = layer.Output;
            inShape = layer.OutShape;
        }
        var q = new QModel
        {
            Name = name, SourceSha256 = sourceSha256, Rounding = net.Rounding, Overflow = OverflowMode.Sat,
            InputShape = spec.Input, Input = QatNetwork.PixelInput, Layers = layers,
        };
        QModelFile.Validate(q, name);
        return q;
    }

    private static QLayer ComputeLayer(QatNetwork net, int c, LayerSpec l, Shape3 inShape, Shape3 outShape)
    {
        var cl = net.Compute[c];
        var input = net.InputOf(c);
        int outs = cl.Outs, fanIn = cl.FanIn;
        // Parameters are held as Wt[out][K]; the file layout is [K][out] (output channel fastest).
        var weights = new int[outs * fanIn];
        for (int o = 0; o < outs; o++)
            for (int j = 0; j < fanIn; j++) weights[j * outs + o] = cl.Weights[o * fanIn + j];
        var bias = (int[])cl.Bias.Clone();
        int accFrac = cl.WeightFrac + input.Frac;
        bool isConv = l.Kind == LayerKind.Conv2D;
        return new QLayer
        {
            Name = l.Name, Kind = isConv ? QLayerKind.Conv2D : QLayerKind.Dense, InShape = inShape, OutShape = outShape,
            Kernel = isConv ? l.Kernel : 0, Stride = l.Stride, Pad = l.Pad, Connections = isConv ? l.Connections : null,
            Activation = cl.Requant.Relu ? Activation.ReLU : cl.Requant.IsTanh ? Activation.Tanh : Activation.None,
            Tanh = cl.Requant.Table,
            Weights = new QTensor(cl.WeightBits, cl.WeightFrac, net.Spec.WeightShape(cl.SpecIndex), weights),
            Bias = new QTensor(FixedPointMath.SignedBitsForRange(bias.Min(), bias.Max()), accFrac, [outs], bias),
            Accumulator = new QFormat(FixedPointMath.SignedBitsFor(net.AccumulatorBound(c)), accFrac),
            Output = net.OutputOf(c),
        };
    }

    /// <summary>§6 with F_out = F_in: the rounded mean, whose range is the input's (as ModelQuantizer writes it).</summary>
    private static QLayer AvgPoolLayer(LayerSpec l, QActivation input, Shape3 inShape, Shape3 outShape) => new()
    {
        Name = l.Name, Kind = QLayerKind.AvgPool, InShape = inShape, OutShape = outShape, Kernel = l.Kernel, Stride = l.Stride,
        Accumulator = QModelFile.AvgPoolAccumulator(input, l.Kernel), Output = input,
    };
}
