using LeNetHls.Onnx.Proto;

namespace LeNetHls.Onnx;

/// <summary>
/// Turns a float ONNX model of a sequential CNN into our FloatModel. ONNX is NCHW with a CHW flatten;
/// ours is HWC with an HWC flatten, so conv weights are transposed and the first dense layer after a
/// flatten gets its rows reordered: the imported model computes the same logits. Anything outside the
/// supported subset is a one-line error naming the node and the reason, never a different model.
/// </summary>
public static class OnnxImporter
{
    public const int MinOpset = 7;
    public const int MaxOpset = 23;

    public static readonly string[] SupportedOps =
        ["Conv", "Relu", "Tanh", "MaxPool", "AveragePool", "Flatten", "Reshape", "Gemm", "MatMul", "Add", "Identity", "Dropout", "Pad (zero pads)"];

    /// <summary>The MNIST image the data pipeline feeds: 1 channel, 28×28.</summary>
    public static readonly Shape3 MnistInput = new(28, 28, 1);

    public static FloatModel Import(string path, string modelName) => new Reader(path, modelName).Run();

    /// <summary>One import: the graph walk from the single input to the single output.</summary>
    private sealed class Reader(string path, string modelName)
    {
        private readonly Dictionary<string, TensorProto> _constants = [];
        private readonly List<LayerSpec> _layers = [];
        private readonly List<(int Layer, int[] Shape, float[] Weights, float[] Biases)> _parameters = [];
        private string _modelDir = "";
        // The tensor between layers: NCHW (C, H, W) or flat (Features) after a flatten.
        private int _c, _h, _w, _features;
        private bool _flat;
        // The CHW map a flatten produced, until the first dense layer reorders its rows from it.
        private (int C, int H, int W)? _flattenedMap;
        private int _lastDense = -1;

        public FloatModel Run()
        {
            _modelDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            var model = OnnxFile.Read(path);
            CheckOpset(model);
            var graph = model.Graph;
            foreach (var t in graph.Initializer) _constants[t.Name] = t;
            var nodes = graph.Node.ToList();
            foreach (var node in nodes.Where(n => n.OpType == "Constant" && IsDefaultDomain(n)))
            {
                var value = node.Attribute.FirstOrDefault(a => a.Name == "value" && a.T is not null)
                            ?? throw Fail(node, "Constant without a tensor 'value' is not supported");
                _constants[node.Output[0]] = value.T;
            }
            nodes.RemoveAll(n => n.OpType == "Constant" && IsDefaultDomain(n));

            string current = CheckInput(graph);
            var consumers = new Dictionary<string, List<NodeProto>>();
            foreach (var node in nodes)
                foreach (string input in node.Input.Where(i => i.Length > 0).Distinct())
                    (consumers.TryGetValue(input, out var list) ? list : consumers[input] = []).Add(node);

            var visited = new HashSet<NodeProto>();
            while (consumers.TryGetValue(current, out var readers))
            {
                if (readers.Count > 1)
                    throw LeNetHlsException.InFile(path, $"tensor '{current}' feeds {readers.Count} nodes ({string.Join(", ", readers.Select(NodeName))}): " +
                                                         "a branch; only sequential models are supported");
                var node = readers[0];
                if (node.Input.Count == 0 || node.Input[0] != current)
                    throw Fail(node, $"reads the running tensor '{current}' as input {node.Input.IndexOf(current)}; only input 0 may carry it");
                if (graph.Output.Any(o => o.Name == current))
                    throw Fail(node, $"reads '{current}', which is also a graph output: a branch; only sequential models are supported");
                if (node.Output.Count == 0 || node.Output[0].Length == 0) throw Fail(node, "has no output");
                visited.Add(node);
                Convert(node);
                current = node.Output[0];
            }
            var stray = nodes.FirstOrDefault(n => !visited.Contains(n));
            if (stray is not null) throw Fail(stray, "is not on the path from the graph input to its output (a branch or a computed weight)");
            if (graph.Output.Count != 1)
                throw LeNetHlsException.InFile(path, $"the graph has {graph.Output.Count} outputs; a classifier has one (the logits)");
            if (graph.Output[0].Name != current)
                throw LeNetHlsException.InFile(path, $"the graph output '{graph.Output[0].Name}' is not the end of the layer chain ('{current}')");
            if (!_flat || _features != 10)
                throw LeNetHlsException.InFile(path, $"the model outputs {(_flat ? $"{_features} values" : $"a {_c}x{_h}x{_w} map")}; MNIST needs 10 logits");
            return Build();
        }

        private FloatModel Build()
        {
            var spec = new ModelSpec { Name = modelName, Input = MnistInput, Layers = _layers }.WithDefaultNames();
            try
            {
                spec.OutputShapes();
                return new FloatModel(spec, _parameters.Select(p => new FloatParameters(p.Layer, p.Shape, p.Weights, p.Biases)).ToList());
            }
            catch (LeNetHlsException e) { throw LeNetHlsException.InFile(path, e.Message); }
        }

        private void CheckOpset(ModelProto model)
        {
            var opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx");
            if (opset is null) throw LeNetHlsException.InFile(path, "the model imports no standard ONNX opset (ai.onnx)");
            if (opset.Version < MinOpset || opset.Version > MaxOpset)
                throw LeNetHlsException.InFile(path, $"opset {opset.Version} is not supported (ai.onnx opsets {MinOpset} to {MaxOpset})");
        }

        private string CheckInput(GraphProto graph)
        {
            var inputs = graph.Input.Where(i => !_constants.ContainsKey(i.Name)).ToList();
            if (inputs.Count != 1)
                throw LeNetHlsException.InFile(path, $"the graph has {inputs.Count} data inputs; a sequential CNN has one");
            var input = inputs[0];
            var tensor = input.Type?.TensorType ?? throw LeNetHlsException.InFile(path, $"input '{input.Name}' is not a tensor");
            if (tensor.ElemType != (int)TensorProto.Types.DataType.Float)
                throw LeNetHlsException.InFile(path, $"input '{input.Name}' has type {OnnxFile.TypeName(tensor.ElemType)}; only float is supported");
            var dims = tensor.Shape?.Dim ?? throw LeNetHlsException.InFile(path, $"input '{input.Name}' has no shape");
            for (int d = 1; d < dims.Count; d++)
                if (dims[d].ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue)
                    throw LeNetHlsException.InFile(path, $"input '{input.Name}' has a dynamic dimension {d} ('{dims[d].DimParam}'); only the batch dimension may be dynamic");
            string shape = "[" + string.Join(",", dims.Select(x => x.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? x.DimValue.ToString() : x.DimParam)) + "]";
            if (dims.Count != 4 || dims[1].DimValue != MnistInput.C || dims[2].DimValue != MnistInput.H || dims[3].DimValue != MnistInput.W)
                throw LeNetHlsException.InFile(path, $"input '{input.Name}' has shape {shape}; the MNIST data pipeline feeds [N,1,28,28]");
            (_c, _h, _w) = (MnistInput.C, MnistInput.H, MnistInput.W);
            return input.Name;
        }

        private void Convert(NodeProto node)
        {
            if (!IsDefaultDomain(node)) throw Fail(node, $"operator {node.Domain}::{node.OpType} is not supported (only standard ONNX operators)");
            switch (node.OpType)
            {
                case "Conv": Conv(node); break;
                case "Relu": _layers.Add(new LayerSpec { Kind = LayerKind.ReLU }); break;
                case "Tanh": _layers.Add(new LayerSpec { Kind = LayerKind.Tanh }); break;
                case "MaxPool": Pool(node, LayerKind.MaxPool); break;
                case "AveragePool": Pool(node, LayerKind.AvgPool); break;
                case "Flatten":
                    if (IntAttr(node, "axis", 1) != 1) throw Fail(node, "only axis 1 is supported (keep the batch dimension)");
                    Flatten();
                    break;
                case "Reshape": Reshape(node); break;
                case "Gemm": Gemm(node); break;
                case "MatMul": MatMul(node); break;
                case "Add": AddBias(node); break;
                case "Pad":
                    // PyTorch puts a Pad with all-zero pads before every AveragePool it exports: a no-op.
                    var pads = node.Input.Count > 1 && node.Input[1].Length > 0 ? Int64s(node, Initializer(node, 1, "pads"))
                             : node.Attribute.FirstOrDefault(a => a.Name == "pads")?.Ints.ToArray() ?? [];
                    if (pads.Any(p => p != 0)) throw Fail(node, $"pads [{string.Join(",", pads)}] are not supported (only Conv pads its input)");
                    break;
                case "Identity":
                case "Dropout": // inference: Dropout is the identity
                    if (node.Output.Count > 1 && node.Output[1].Length > 0) throw Fail(node, "its mask output is used; only sequential models are supported");
                    break;
                default:
                    throw Fail(node, $"operator {node.OpType} is not supported (supported: {string.Join(", ", SupportedOps)})");
            }
        }

        private void Conv(NodeProto node)
        {
            RequireMap(node);
            long group = IntAttr(node, "group", 1);
            if (group != 1) throw Fail(node, $"grouped convolution (group {group}) is not supported");
            var weightTensor = Initializer(node, 1, "weight");
            var dims = weightTensor.Dims;
            if (dims.Count != 4) throw Fail(node, $"weight '{weightTensor.Name}' has rank {dims.Count}; a 2-D convolution has [out,in,kh,kw]");
            int outC = (int)dims[0], inC = (int)dims[1], kh = (int)dims[2], kw = (int)dims[3];
            if (inC != _c) throw Fail(node, $"weight '{weightTensor.Name}' reads {inC} channels but the input has {_c}");
            if (kh != kw) throw Fail(node, $"kernel {kh}x{kw} is not square");
            CheckOnes(node, "dilations");
            int stride = Square(node, "strides", 1);
            int pad = Pads(node);
            var w = Floats(node, weightTensor);
            float[] bias = node.Input.Count > 2 && node.Input[2].Length > 0 ? Floats(node, Initializer(node, 2, "bias")) : new float[outC];
            if (bias.Length != outC) throw Fail(node, $"bias has {bias.Length} values for {outC} output channels");
            int k = kh;
            // ONNX [out][in][ky][kx] -> ours [ky][kx][in][out].
            var ours = new float[w.Length];
            for (int co = 0; co < outC; co++)
            for (int ci = 0; ci < inC; ci++)
            for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++)
                ours[((ky * k + kx) * inC + ci) * outC + co] = w[((co * inC + ci) * k + ky) * k + kx];
            int oh = (_h + 2 * pad - k) / stride + 1, ow = (_w + 2 * pad - k) / stride + 1;
            if (oh < 1 || ow < 1) throw Fail(node, $"kernel {k} does not fit the {_h}x{_w} input");
            _parameters.Add((_layers.Count, [k, k, inC, outC], ours, bias));
            _layers.Add(new LayerSpec { Kind = LayerKind.Conv2D, Out = outC, Kernel = k, Stride = stride, Pad = pad });
            (_c, _h, _w) = (outC, oh, ow);
        }

        private void Pool(NodeProto node, LayerKind kind)
        {
            RequireMap(node);
            if (node.Output.Count > 1 && node.Output[1].Length > 0) throw Fail(node, "its indices output is used; only sequential models are supported");
            int k = Square(node, "kernel_shape", null);
            int stride = Square(node, "strides", 1);
            CheckOnes(node, "dilations");
            if (Pads(node) != 0) throw Fail(node, "padded pooling is not supported");
            if (IntAttr(node, "storage_order", 0) != 0) throw Fail(node, "storage_order 1 is not supported");
            if (_h < k || _w < k || (_h - k) % stride != 0 || (_w - k) % stride != 0)
                throw Fail(node, $"a {k}x{k} window with stride {stride} does not tile the {_h}x{_w} input exactly");
            _layers.Add(new LayerSpec { Kind = kind, Kernel = k, Stride = stride });
            (_h, _w) = ((_h - k) / stride + 1, (_w - k) / stride + 1);
        }

        private void Flatten()
        {
            if (_flat) return;
            _flattenedMap = (_c, _h, _w);
            _features = _c * _h * _w;
            _flat = true;
            _layers.Add(new LayerSpec { Kind = LayerKind.Flatten });
        }

        private void Reshape(NodeProto node)
        {
            var target = Int64s(node, Initializer(node, 1, "shape"));
            int size = _flat ? _features : _c * _h * _w;
            bool flattens = target.Length == 2 && (target[0] is -1 or 0 or 1) && (target[1] == size || (target[1] == -1 && target[0] != -1));
            if (!flattens)
                throw Fail(node, $"Reshape to [{string.Join(",", target)}] is not supported; only a flatten to [N,{size}] is");
            Flatten();
        }

        private void Gemm(NodeProto node)
        {
            RequireFlat(node);
            if (IntAttr(node, "transA", 0) != 0) throw Fail(node, "transA = 1 is not supported");
            bool transB = IntAttr(node, "transB", 0) != 0;
            float alpha = FloatAttr(node, "alpha", 1f), beta = FloatAttr(node, "beta", 1f);
            var b = Initializer(node, 1, "weight");
            if (b.Dims.Count != 2) throw Fail(node, $"weight '{b.Name}' has rank {b.Dims.Count}, expected 2");
            int inF = (int)(transB ? b.Dims[1] : b.Dims[0]), outF = (int)(transB ? b.Dims[0] : b.Dims[1]);
            if (inF != _features) throw Fail(node, $"weight '{b.Name}' expects {inF} inputs but the input has {_features}");
            var raw = Floats(node, b);
            var w = new float[inF * outF];
            for (int i = 0; i < inF; i++)
            for (int o = 0; o < outF; o++)
                w[i * outF + o] = alpha * (transB ? raw[o * inF + i] : raw[i * outF + o]);
            var bias = new float[outF];
            if (node.Input.Count > 2 && node.Input[2].Length > 0)
            {
                var c = Floats(node, Initializer(node, 2, "bias"));
                if (c.Length != outF && c.Length != 1) throw Fail(node, $"bias has {c.Length} values for {outF} outputs");
                for (int o = 0; o < outF; o++) bias[o] = beta * c[c.Length == 1 ? 0 : o];
            }
            AddDense(w, bias, inF, outF);
        }

        private void MatMul(NodeProto node)
        {
            RequireFlat(node);
            var b = Initializer(node, 1, "weight");
            if (b.Dims.Count != 2) throw Fail(node, $"weight '{b.Name}' has rank {b.Dims.Count}, expected 2");
            int inF = (int)b.Dims[0], outF = (int)b.Dims[1];
            if (inF != _features) throw Fail(node, $"weight '{b.Name}' expects {inF} inputs but the input has {_features}");
            AddDense(Floats(node, b), new float[outF], inF, outF);
        }

        /// <summary>Add is the bias of the MatMul just before it, and nothing else.</summary>
        private void AddBias(NodeProto node)
        {
            if (_lastDense != _layers.Count - 1 || _parameters[^1].Biases.Any(v => v != 0))
                throw Fail(node, "Add is supported only as the bias right after a MatMul");
            var bias = Floats(node, Initializer(node, 1, "bias"));
            var target = _parameters[^1].Biases;
            if (bias.Length != target.Length && bias.Length != 1) throw Fail(node, $"bias has {bias.Length} values for {target.Length} outputs");
            for (int o = 0; o < target.Length; o++) target[o] = bias[bias.Length == 1 ? 0 : o];
        }

        /// <summary>Adds a dense layer; the first after a flatten reads its rows in our HWC order.</summary>
        private void AddDense(float[] w, float[] bias, int inF, int outF)
        {
            if (_flattenedMap is var (c, h, wd))
            {
                var reordered = new float[w.Length];
                for (int y = 0; y < h; y++)
                for (int x = 0; x < wd; x++)
                for (int ch = 0; ch < c; ch++)
                    Array.Copy(w, ((ch * h + y) * wd + x) * outF, reordered, ((y * wd + x) * c + ch) * outF, outF);
                w = reordered;
                _flattenedMap = null;
            }
            _lastDense = _layers.Count;
            _parameters.Add((_layers.Count, [inF, outF], w, bias));
            _layers.Add(new LayerSpec { Kind = LayerKind.Dense, Out = outF });
            _features = outF;
        }

        private void RequireMap(NodeProto node)
        {
            if (_flat) throw Fail(node, "needs a 4-D NCHW input but the tensor was already flattened");
        }

        private void RequireFlat(NodeProto node)
        {
            if (!_flat) throw Fail(node, $"needs a 2-D input but gets a {_c}x{_h}x{_w} map; add a Flatten before it");
        }

        private TensorProto Initializer(NodeProto node, int input, string role)
        {
            if (node.Input.Count <= input || node.Input[input].Length == 0) throw Fail(node, $"has no {role} input");
            string name = node.Input[input];
            return _constants.TryGetValue(name, out var t) ? t
                : throw Fail(node, $"{role} '{name}' is missing: it is neither an initializer nor a Constant (computed weights are not supported)");
        }

        private float[] Floats(NodeProto node, TensorProto t) => OnnxFile.FloatValues(t, _modelDir, m => Fail(node, m));

        private long[] Int64s(NodeProto node, TensorProto t) => OnnxFile.Int64Values(t, _modelDir, m => Fail(node, m));

        private int Square(NodeProto node, string name, int? fallback)
        {
            var a = node.Attribute.FirstOrDefault(x => x.Name == name);
            if (a is null) return fallback ?? throw Fail(node, $"has no {name}");
            if (a.Ints.Count != 2 || a.Ints[0] != a.Ints[1] || a.Ints[0] < 1)
                throw Fail(node, $"{name} [{string.Join(",", a.Ints)}] is not supported (two equal positive values)");
            return (int)a.Ints[0];
        }

        private void CheckOnes(NodeProto node, string name)
        {
            var a = node.Attribute.FirstOrDefault(x => x.Name == name);
            if (a is not null && a.Ints.Any(v => v != 1)) throw Fail(node, $"{name} [{string.Join(",", a.Ints)}] is not supported (only 1)");
        }

        /// <summary>Symmetric padding: all four pads equal; auto_pad only NOTSET or VALID.</summary>
        private int Pads(NodeProto node)
        {
            var auto = node.Attribute.FirstOrDefault(x => x.Name == "auto_pad")?.S.ToStringUtf8() ?? "NOTSET";
            if (auto is not ("NOTSET" or "VALID" or "")) throw Fail(node, $"auto_pad {auto} is not supported (give explicit pads)");
            var a = node.Attribute.FirstOrDefault(x => x.Name == "pads");
            if (a is null || a.Ints.Count == 0) return 0;
            if (a.Ints.Count != 4 || a.Ints.Distinct().Count() != 1 || a.Ints[0] < 0)
                throw Fail(node, $"pads [{string.Join(",", a.Ints)}] are not supported (symmetric: four equal values)");
            return (int)a.Ints[0];
        }

        private static long IntAttr(NodeProto node, string name, long fallback) =>
            node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? fallback;

        private static float FloatAttr(NodeProto node, string name, float fallback) =>
            node.Attribute.FirstOrDefault(a => a.Name == name)?.F ?? fallback;

        private static bool IsDefaultDomain(NodeProto node) => node.Domain is "" or "ai.onnx";

        private static string NodeName(NodeProto node) => $"'{(node.Name.Length > 0 ? node.Name : node.Output.FirstOrDefault() ?? "?")}' ({node.OpType})";

        private LeNetHlsException Fail(NodeProto node, string reason) => LeNetHlsException.InFile(path, $"node {NodeName(node)}: {reason}");
    }
}
