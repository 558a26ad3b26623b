using System.CommandLine;
using LeNetHls.Onnx;

namespace LeNetHls.Cli.Commands;

/// <summary>
/// `import onnx FILE --out BASE` (a float ONNX model into our .modelstruct + .bin) and
/// `export onnx MODEL|QMODEL --out FILE` (our float model, or the qmodel's exact integer arithmetic, as ONNX).
/// </summary>
public static class OnnxCommands
{
    public static IEnumerable<Command> Create()
    {
        var import = new Command("import", "Bring a model in from another framework");
        import.Subcommands.Add(ImportOnnx());
        yield return import;
        var export = new Command("export", "Hand a model to another framework");
        export.Subcommands.Add(ExportOnnx());
        yield return export;
    }

    private static Command ImportOnnx()
    {
        var file = new Argument<string>("file") { Description = "Float ONNX model of a sequential CNN with input [N,1,28,28] (PyTorch's torch.onnx.export, opset 7..23)" };
        var output = new Option<string>("--out") { Description = "Output base path: writes BASE.modelstruct and BASE.bin", Required = true };
        var cmd = new Command("onnx", "Import a float ONNX model (Conv, Relu, Tanh, MaxPool, AveragePool, Flatten, Reshape, Gemm, MatMul + Add) as BASE.modelstruct + BASE.bin");
        cmd.Arguments.Add(file);
        cmd.Options.Add(output);
        cmd.SetAction(r =>
        {
            string source = r.GetValue(file)!;
            string basePath = ModelFile.BasePath(r.GetValue(output)!);
            var model = OnnxImporter.Import(source, Path.GetFileName(basePath));
            ModelFile.Save(model, basePath, new Dictionary<string, string> { ["imported_from"] = Path.GetFullPath(source) });
            var shapes = model.Spec.OutputShapes();
            string layers = string.Join(" -> ", model.Spec.Layers.Select((l, i) => Describe(l) + (l.HasParameters ? $" {shapes[i]}" : "")));
            long parameters = model.Parameters.Sum(p => (long)p.Weights.Length + p.Biases.Length);
            Console.WriteLine($"import: {source} -> {ModelFile.StructPath(basePath)} + {ModelFile.BinPath(basePath)}");
            Console.WriteLine($"  {model.Spec.Input} -> {layers}");
            Console.WriteLine($"  {parameters:N0} parameters, {model.Spec.MacsPerImage():N0} MACs per image; HWC layout, dense rows reordered from ONNX's CHW flatten");
            return 0;
        });
        return cmd;
    }

    private static Command ExportOnnx()
    {
        var model = new Argument<string>("model") { Description = "Float model (BASE, BASE.modelstruct) or quantized model (.qmodel.json)" };
        var output = new Option<string>("--out") { Description = "ONNX file to write", Required = true };
        var cmd = new Command("onnx", "Export a float model as standard ONNX (opset 13, logits), or a qmodel as an ONNX graph that computes its integer scores exactly");
        cmd.Arguments.Add(model);
        cmd.Options.Add(output);
        cmd.SetAction(r =>
        {
            string source = r.GetValue(model)!, target = r.GetValue(output)!;
            if (source.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                var q = QModelFile.Load(source);
                Onnx.Proto.ModelProto proto;
                try { proto = FixedPointOnnxExporter.Export(q); }
                catch (LeNetHlsException e) { throw LeNetHlsException.InFile(source, e.Message); }
                OnnxFile.Write(proto, target);
                Console.WriteLine($"export: qmodel {q.Name} ({q.Layers.Count} layers, rounding {Name(q.Rounding)}, overflow {Name(q.Overflow)}) -> {target}, " +
                                  $"{new FileInfo(target).Length:N0} bytes");
                Console.WriteLine($"  input '{FixedPointOnnxExporter.InputName}' [N,{q.InputShape.C},{q.InputShape.H},{q.InputShape.W}] uint8 raw pixels, " +
                                  $"output '{FixedPointOnnxExporter.OutputName}' [N,{q.Classes}] int32 = the golden model's scores; every integer below 2^24, so float32 is exact");
            }
            else
            {
                var m = ModelFile.Load(source);
                OnnxFile.Write(FloatOnnxExporter.Export(m), target);
                Console.WriteLine($"export: float model {m.Spec.Name} ({m.Spec.Layers.Count} layers) -> {target}, {new FileInfo(target).Length:N0} bytes");
                Console.WriteLine($"  opset {OnnxFile.Opset}, input '{FloatOnnxExporter.InputName}' [N,{m.Spec.Input.C},{m.Spec.Input.H},{m.Spec.Input.W}] float = pixel / 255, " +
                                  $"output '{FloatOnnxExporter.OutputName}' [N,{m.Spec.OutputShapes()[^1].Size}] float");
            }
            return 0;
        });
        return cmd;
    }

    private static string Describe(LayerSpec l) => l.Kind switch
    {
        LayerKind.Conv2D => $"conv{l.Kernel}x{l.Kernel}/{l.Stride}" + (l.Pad > 0 ? $" pad {l.Pad}" : ""),
        LayerKind.MaxPool => $"maxpool{l.Kernel}/{l.Stride}",
        LayerKind.AvgPool => $"avgpool{l.Kernel}/{l.Stride}",
        LayerKind.Dense => "dense",
        _ => l.Kind.ToString().ToLowerInvariant(),
    };

    private static string Name<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonSerializer.Serialize(value, QModelFile.Json).Trim('"');
}
