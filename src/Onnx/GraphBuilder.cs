using Google.Protobuf;
using LeNetHls.Onnx.Proto;

namespace LeNetHls.Onnx;

/// <summary>Builds an ONNX graph node by node, naming every intermediate tensor after its layer.</summary>
internal sealed class GraphBuilder
{
    private readonly GraphProto _graph;
    private readonly HashSet<string> _names = [];

    public GraphBuilder(string name) => _graph = new GraphProto { Name = name };

    public GraphProto Graph => _graph;

    public void Input(string name, TensorProto.Types.DataType type, params long[] nonBatchDims) =>
        _graph.Input.Add(ValueInfo(name, type, nonBatchDims));

    public void Output(string name, TensorProto.Types.DataType type, params long[] nonBatchDims) =>
        _graph.Output.Add(ValueInfo(name, type, nonBatchDims));

    /// <summary>A float initializer holding values (row-major in dims).</summary>
    public string Floats(string name, float[] values, params long[] dims)
    {
        var t = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian");
        t.RawData = ByteString.CopyFrom(bytes);
        _graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>A scalar float initializer.</summary>
    public string Scalar(string name, double value) => Floats(name, [(float)value]);

    /// <summary>Adds a node and returns the name of its (single) output.</summary>
    public string Node(string op, string outputName, string[] inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Unique(outputName + "_" + op) };
        node.Input.AddRange(inputs);
        string output = Unique(outputName);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return output;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static ModelProto Model(GraphProto graph, string docString)
    {
        var model = new ModelProto
        {
            IrVersion = OnnxFile.IrVersion, ProducerName = "lenet-hls", ProducerVersion = "1",
            DocString = docString, Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxFile.Opset });
        return model;
    }

    private string Unique(string name)
    {
        string candidate = name;
        for (int i = 2; !_names.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, long[] nonBatchDims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (long d in nonBatchDims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
