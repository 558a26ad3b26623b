using Google.Protobuf;
using LeNetHls.Onnx.Proto;
using DataType = LeNetHls.Onnx.Proto.TensorProto.Types.DataType;

namespace LeNetHls.Onnx.Tests;

/// <summary>
/// Fuzz-style: a valid exported lenet5 with one defect each. Every defect is one line naming the file
/// (and the node where there is one) and the reason, never a model that computes something else.
/// </summary>
public class MalformedOnnxTests
{
    public static TheoryData<string, string> Defects() => new()
    {
        { "truncated", "not a valid ONNX model: truncated or corrupt protobuf" },
        { "not onnx", "not a valid ONNX model" },
        { "wrong opset", "opset 3 is not supported (ai.onnx opsets 7 to 23)" },
        { "unsupported op", "node 'relu1_Relu' (Sigmoid): operator Sigmoid is not supported" },
        { "custom domain", "node 'relu1_Relu' (Relu): operator com.example::Relu is not supported" },
        { "grouped conv", "node 'conv2_Conv' (Conv): grouped convolution (group 2) is not supported" },
        { "dilated conv", "node 'conv1_Conv' (Conv): dilations [2,2] is not supported" },
        { "asymmetric pads", "node 'conv1_Conv' (Conv): pads [2,2,1,1] are not supported" },
        { "missing initializer", "node 'conv2_Conv' (Conv): weight 'conv2_W' is missing" },
        { "nan weight", "node 'conv1_Conv' (Conv): tensor 'conv1_W' element 5 is NaN (weights must be finite)" },
        { "double weight", "node 'fc1_Conv' (Gemm): tensor 'fc1_W' has type double; only float weights are supported" },
        { "short weight data", "node 'conv1_Conv' (Conv): tensor 'conv1_W' holds 596 bytes but its shape [6,1,5,5] needs 600" },
        { "uint8 input", "input 'input' has type uint8; only float is supported" },
        { "dynamic height", "input 'input' has a dynamic dimension 2 ('H'); only the batch dimension may be dynamic" },
        { "cifar input", "input 'input' has shape [N,3,32,32]; the MNIST data pipeline feeds [N,1,28,28]" },
        { "branch", "tensor 'relu1' feeds 2 nodes ('relu1_tap' (Identity), 'pool1_MaxPool' (MaxPool)): a branch" },
        { "two outputs", "the graph has 2 outputs; a classifier has one" },
        { "output mid-chain", "node 'pool1_MaxPool' (MaxPool): reads 'relu1', which is also a graph output: a branch" },
        { "external data outside", "node 'conv1_Conv' (Conv): tensor 'conv1_W': external data location '../../etc/passwd' leaves the model's folder" },
        { "external data missing", "node 'conv1_Conv' (Conv): tensor 'conv1_W': external data file 'weights.bin' not found next to the model" },
    };

    [Theory]
    [MemberData(nameof(Defects))]
    public void A_defective_file_is_refused_with_one_line_naming_the_file_the_node_and_the_reason(string defect, string expected)
    {
        string dir = RepoPaths.NewTempDir("onnx-malformed");
        try
        {
            string file = Path.Combine(dir, "model.onnx");
            File.WriteAllBytes(file, Defective(defect));
            var e = Assert.Throws<LeNetHlsException>(() => OnnxImporter.Import(file, "model"));
            Assert.StartsWith(file + ": ", e.Message);
            Assert.Contains(expected, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var e = Assert.Throws<LeNetHlsException>(() => OnnxImporter.Import("/nonexistent/model.onnx", "model"));
        Assert.Equal("/nonexistent/model.onnx: ONNX file not found", e.Message);
    }

    private static byte[] Defective(string defect)
    {
        var model = FloatOnnxExporter.Export(FloatModel.CreateRandom(Presets.LeNet5(), seed: 3));
        var g = model.Graph;
        NodeProto Node(string name) => g.Node.Single(n => n.Name == name);
        TensorProto Init(string name) => g.Initializer.Single(t => t.Name == name);
        var dims = g.Input[0].Type.TensorType.Shape.Dim;
        switch (defect)
        {
            case "truncated":
                var bytes = model.ToByteArray();
                return bytes[..(bytes.Length / 2)];
            case "not onnx":
                return "this is a README, not a model\n"u8.ToArray();
            case "wrong opset": model.OpsetImport[0].Version = 3; break;
            case "unsupported op": Node("relu1_Relu").OpType = "Sigmoid"; break;
            case "custom domain": Node("relu1_Relu").Domain = "com.example"; break;
            case "grouped conv": Node("conv2_Conv").Attribute.Add(new AttributeProto { Name = "group", Type = AttributeProto.Types.AttributeType.Int, I = 2 }); break;
            case "dilated conv": Node("conv1_Conv").Attribute.Add(new AttributeProto { Name = "dilations", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2, 2 } }); break;
            case "asymmetric pads":
                var pads = Node("conv1_Conv").Attribute.Single(a => a.Name == "pads");
                pads.Ints.Clear();
                pads.Ints.AddRange([2, 2, 1, 1]);
                break;
            case "missing initializer": g.Initializer.Remove(Init("conv2_W")); break;
            case "nan weight":
                var raw = Init("conv1_W").RawData.ToByteArray();
                BitConverter.TryWriteBytes(raw.AsSpan(5 * 4), float.NaN);
                Init("conv1_W").RawData = ByteString.CopyFrom(raw);
                break;
            case "double weight":
                Node("fc1_Gemm").Name = "fc1_Conv";
                Init("fc1_W").DataType = (int)DataType.Double;
                break;
            case "short weight data": Init("conv1_W").RawData = ByteString.CopyFrom(Init("conv1_W").RawData.Span[..596]); break;
            case "uint8 input": g.Input[0].Type.TensorType.ElemType = (int)DataType.Uint8; break;
            case "dynamic height": dims[2] = new TensorShapeProto.Types.Dimension { DimParam = "H" }; break;
            case "cifar input":
                dims[1].DimValue = 3;
                dims[2].DimValue = 32;
                dims[3].DimValue = 32;
                break;
            case "branch":
                var tap = new NodeProto { Name = "relu1_tap", OpType = "Identity" };
                tap.Input.Add("relu1");
                tap.Output.Add("tap");
                g.Node.Insert(2, tap);
                break;
            case "two outputs": g.Output.Add(g.Output[0].Clone()); g.Output[1].Name = "probabilities"; break;
            case "output mid-chain": g.Output.Add(g.Output[0].Clone()); g.Output[1].Name = "relu1"; break;
            case "external data missing":
            case "external data outside":
                var w = Init("conv1_W");
                w.ClearRawData();
                w.DataLocation = TensorProto.Types.DataLocation.External;
                w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = defect.EndsWith("missing") ? "weights.bin" : "../../etc/passwd" });
                break;
            default: throw new ArgumentException(defect);
        }
        return model.ToByteArray();
    }
}

/// <summary>Initializers stored as external data (the ONNX layout for large models) import like inline ones.</summary>
public class ExternalDataTests
{
    [Fact]
    public void A_fixture_with_every_initializer_moved_to_an_external_file_imports_to_the_same_model()
    {
        string dir = RepoPaths.NewTempDir("onnx-external");
        try
        {
            var model = OnnxFile.Read(Ort.Fixture("lenet5.onnx"));
            using (var data = File.Create(Path.Combine(dir, "lenet5.weights")))
            {
                foreach (var t in model.Graph.Initializer.Where(t => t.HasRawData))
                {
                    long offset = data.Position;
                    data.Write(new byte[3]); // unaligned offsets are legal: the offset key says where each tensor starts
                    offset += 3;
                    data.Write(t.RawData.Span);
                    t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "lenet5.weights" });
                    t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString() });
                    t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = t.RawData.Length.ToString() });
                    t.DataLocation = TensorProto.Types.DataLocation.External;
                    t.ClearRawData();
                }
            }
            string file = Path.Combine(dir, "lenet5-external.onnx");
            OnnxFile.Write(model, file);
            Assert.True(new FileInfo(file).Length < 10_000, "the weights left the .onnx file");
            var inline = OnnxImporter.Import(Ort.Fixture("lenet5.onnx"), "lenet5");
            var external = OnnxImporter.Import(file, "lenet5");
            for (int i = 0; i < inline.Parameters.Count; i++)
            {
                Assert.Equal(inline.Parameters[i].Weights, external.Parameters[i].Weights);
                Assert.Equal(inline.Parameters[i].Biases, external.Parameters[i].Biases);
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
