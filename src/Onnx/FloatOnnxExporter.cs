using LeNetHls.Onnx.Proto;
using DataType = LeNetHls.Onnx.Proto.TensorProto.Types.DataType;

namespace LeNetHls.Onnx;

/// <summary>
/// Our float model as a standard ONNX graph (opset 13): NCHW input [N,C,H,W] float with x = pixel / 255,
/// logits [N,classes] out. Conv weights go to [out,in,kh,kw]; the first dense layer after a conv map
/// gets its rows in ONNX's CHW flatten order, so the graph computes what FloatReference computes.
/// </summary>
public static class FloatOnnxExporter
{
    public const string InputName = "input";
    public const string OutputName = "logits";

    public static ModelProto Export(FloatModel model)
    {
        var spec = model.Spec;
        var shapes = spec.OutputShapes();
        var g = new GraphBuilder(spec.Name);
        g.Input(InputName, DataType.Float, spec.Input.C, spec.Input.H, spec.Input.W);
        string x = InputName;
        var shape = spec.Input;
        bool flat = false;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var l = spec.Layers[i];
            switch (l.Kind)
            {
                case LayerKind.Conv2D:
                {
                    var p = model.ForLayer(i);
                    string w = g.Floats(l.Name + "_W", OnnxLayout.ConvWeights(p.Weights, l.Kernel, shape.C, l.Out), l.Out, shape.C, l.Kernel, l.Kernel);
                    string b = g.Floats(l.Name + "_B", p.Biases, l.Out);
                    x = g.Node("Conv", l.Name, [x, w, b], OnnxLayout.ConvAttributes(l));
                    break;
                }
                case LayerKind.Dense:
                {
                    if (!flat) { x = g.Node("Flatten", l.Name + "_flatten", [x], GraphBuilder.Int("axis", 1)); flat = true; }
                    var p = model.ForLayer(i);
                    var rows = OnnxLayout.DenseRowsChw(p.Weights, shape, l.Out);
                    // transB = 1 with B as [out, in]: the layout PyTorch's Linear exports.
                    string w = g.Floats(l.Name + "_W", OnnxLayout.Transpose(rows, shape.Size, l.Out), l.Out, shape.Size);
                    string b = g.Floats(l.Name + "_B", p.Biases, l.Out);
                    x = g.Node("Gemm", l.Name, [x, w, b], GraphBuilder.Int("transB", 1));
                    break;
                }
                case LayerKind.ReLU: x = g.Node("Relu", l.Name, [x]); break;
                case LayerKind.Tanh: x = g.Node("Tanh", l.Name, [x]); break;
                case LayerKind.MaxPool: x = g.Node("MaxPool", l.Name, [x], OnnxLayout.PoolAttributes(l)); break;
                case LayerKind.AvgPool: x = g.Node("AveragePool", l.Name, [x], OnnxLayout.PoolAttributes(l)); break;
                case LayerKind.Flatten:
                    if (!flat) { x = g.Node("Flatten", l.Name, [x], GraphBuilder.Int("axis", 1)); flat = true; }
                    break;
            }
            // A flatten keeps the map's shape here: the dense layer after it reorders its rows from that map.
            if (l.Kind != LayerKind.Flatten) shape = shapes[i];
        }
        if (!flat) x = g.Node("Flatten", "output_flatten", [x], GraphBuilder.Int("axis", 1));
        x = g.Node("Identity", OutputName, [x]);
        g.Output(x, DataType.Float, shapes[^1].Size);
        return GraphBuilder.Model(g.Graph, $"lenet-hls float model '{spec.Name}': input = pixel / 255 (NCHW), output = logits");
    }
}

/// <summary>Our HWC layouts to ONNX's NCHW ones, shared by both exporters.</summary>
internal static class OnnxLayout
{
    /// <summary>[kh][kw][in][out] to [out][in][kh][kw].</summary>
    public static float[] ConvWeights(IReadOnlyList<float> w, int k, int inC, int outC)
    {
        var r = new float[w.Count];
        for (int ky = 0; ky < k; ky++)
        for (int kx = 0; kx < k; kx++)
        for (int ci = 0; ci < inC; ci++)
        for (int co = 0; co < outC; co++)
            r[((co * inC + ci) * k + ky) * k + kx] = w[((ky * k + kx) * inC + ci) * outC + co];
        return r;
    }

    /// <summary>Dense weights [in][out] with rows in HWC order of the input map, reordered to its CHW flatten order.</summary>
    public static float[] DenseRowsChw(IReadOnlyList<float> w, Shape3 input, int outC)
    {
        var r = new float[w.Count];
        for (int y = 0; y < input.H; y++)
        for (int x = 0; x < input.W; x++)
        for (int c = 0; c < input.C; c++)
        {
            int hwc = (y * input.W + x) * input.C + c, chw = (c * input.H + y) * input.W + x;
            for (int o = 0; o < outC; o++) r[chw * outC + o] = w[hwc * outC + o];
        }
        return r;
    }

    public static float[] Transpose(float[] m, int rows, int cols)
    {
        var t = new float[m.Length];
        for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            t[j * rows + i] = m[i * cols + j];
        return t;
    }

    public static AttributeProto[] ConvAttributes(LayerSpec l) =>
    [
        GraphBuilder.Ints("kernel_shape", l.Kernel, l.Kernel), GraphBuilder.Ints("strides", l.Stride, l.Stride),
        GraphBuilder.Ints("pads", l.Pad, l.Pad, l.Pad, l.Pad),
    ];

    public static AttributeProto[] PoolAttributes(int kernel, int stride) =>
        [GraphBuilder.Ints("kernel_shape", kernel, kernel), GraphBuilder.Ints("strides", stride, stride)];

    public static AttributeProto[] PoolAttributes(LayerSpec l) => PoolAttributes(l.Kernel, l.Stride);
}
