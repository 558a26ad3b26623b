using System.Numerics;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace LeNetHls.Core.Quantized;

/// <summary>Reads, checks and writes .qmodel.json files.</summary>
public static class QModelFile
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    public static void Save(QModel model, string path)
    {
        Validate(model, path);
        AtomicFile.Write(path, s => JsonSerializer.Serialize(s, model, Json));
    }

    public static QModel Load(string path)
    {
        if (Directory.Exists(path)) throw LeNetHlsException.InFile(path, "is a folder, expected a .qmodel.json file");
        if (!File.Exists(path)) throw LeNetHlsException.InFile(path, "qmodel file not found");
        string text = FileErrors.Reading(path, () => File.ReadAllText(path));
        QModel? model;
        try
        {
            var document = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 16 });
            QModelSchema.Check(document, path);
            model = document.Deserialize<QModel>(Json);
        }
        catch (JsonException e) { throw LeNetHlsException.InFile(path, $"corrupt qmodel JSON ({FirstLine(e.Message)})"); }
        catch (NotSupportedException e) { throw LeNetHlsException.InFile(path, $"corrupt qmodel JSON ({FirstLine(e.Message)})"); }
        if (model is null) throw LeNetHlsException.InFile(path, "empty qmodel");
        Validate(model, path);
        return model;
    }

    /// <summary>§6: an avgpool's window sum, exact in W bits for k² inputs in range, at F_in + log2(k²).</summary>
    public static QFormat AvgPoolAccumulator(QActivation input, int kernel)
    {
        int area = kernel * kernel;
        return new QFormat(FixedPointMath.SignedBitsForRange(input.Min * area, input.Max * area), input.Frac + BitOperations.Log2((uint)area));
    }

    /// <summary>§3: the largest |acc| any input in range can produce, over the output channels.</summary>
    public static long AccumulatorBound(QLayer layer, QActivation input)
    {
        var w = layer.Weights!;
        var b = layer.Bias!;
        int outs = layer.OutShape.C;
        var sums = new long[outs];
        // Weights are stored with the output channel fastest in both layouts.
        for (int i = 0; i < w.Data.Length; i++) sums[i % outs] += Math.Abs((long)w.Data[i]);
        long worst = 0;
        for (int o = 0; o < outs; o++) worst = Math.Max(worst, sums[o] * input.MaxAbs + Math.Abs((long)b.Data[o]));
        return worst;
    }

    public static void Validate(QModel m, string path)
    {
        void Fail(string problem) => throw LeNetHlsException.InFile(path, problem);
        if (m.Format != QModel.FormatName) Fail($"not a qmodel (format '{m.Format}', expected '{QModel.FormatName}')");
        if (m.Version != QModel.CurrentVersion) Fail($"qmodel version {m.Version} is not supported (expected {QModel.CurrentVersion})");
        if (m.Layers is null || m.Layers.Count == 0) Fail("qmodel has no layers");
        if (Names.ModelNameProblem(m.Name) is { } badName) Fail(badName);
        if (m.Layers!.Any(l => l is null)) Fail("a layer is null");
        if (m.Layers!.Select(l => Names.LayerNameProblem(l.Name)).FirstOrDefault(p => p is not null) is { } badLayer) Fail(badLayer);
        if (m.Layers!.GroupBy(l => l.Name).FirstOrDefault(g => g.Count() > 1) is { } twice) Fail($"layer name '{twice.Key}' is used twice");
        CheckShape(m.InputShape, "input shape", Fail);
        CheckActivation(m.Input, "input", Fail);
        if (m.Input is { Unsigned: true }) Fail("input: the pixel input is fx<9,0>, never unsigned");
        var shape = m.InputShape;
        for (int i = 0; i < m.Layers!.Count; i++)
        {
            var l = m.Layers[i];
            string where = $"layer {i} ({l.Name})";
            var input = m.InputOf(i);
            CheckShape(l.InShape, where + " input shape", Fail);
            CheckShape(l.OutShape, where + " output shape", Fail);
            if (l.Kernel is < 0 or > ModelSpec.MaxDimension || l.Stride is < 0 or > ModelSpec.MaxDimension || l.Pad is < 0 or > ModelSpec.MaxDimension)
                Fail($"{where}: kernel, stride and pad must lie in 0..{ModelSpec.MaxDimension}");
            bool flattened = l.Kind == QLayerKind.Dense;
            if (flattened ? l.InShape.Size != shape.Size : l.InShape != shape)
                Fail($"{where}: input shape {l.InShape} does not match the previous output {shape}");
            CheckActivation(l.Output, where + " output", Fail);
            if (l.Output is { Unsigned: true })
            {
                bool reluOutput = l.HasWeights && l.Activation == Activation.ReLU;
                bool maxpoolOfUnsigned = l.Kind == QLayerKind.MaxPool && input.Unsigned;
                if (!reluOutput && !maxpoolOfUnsigned)
                    Fail($"{where}: an unsigned output must be a relu output or a maxpool of one");
                if (m.Overflow != OverflowMode.Sat) Fail($"{where}: unsigned outputs need the sat overflow mode");
                // The value travels with a zero sign bit in signed arithmetic, which must still fit 32 bits.
                if (l.Output.Bits > 31) Fail($"{where}: an unsigned output is at most 31 bits wide");
            }
            switch (l.Kind)
            {
                case QLayerKind.Conv2D:
                case QLayerKind.Dense:
                    CheckCompute(l, input, where, Fail);
                    break;
                case QLayerKind.MaxPool:
                case QLayerKind.AvgPool:
                    CheckPool(l, input, where, Fail);
                    break;
                default:
                    Fail($"{where}: unknown layer kind");
                    break;
            }
            shape = l.OutShape;
        }
    }

    private static void CheckCompute(QLayer l, QActivation input, string where, Action<string> fail)
    {
        if (l.Weights is null || l.Bias is null || l.Accumulator is null) { fail($"{where}: weights, bias and accumulator are required"); return; }
        int[] expected;
        if (l.Kind == QLayerKind.Conv2D)
        {
            int oh = (l.InShape.H + 2 * l.Pad - l.Kernel) / Math.Max(l.Stride, 1) + 1;
            int ow = (l.InShape.W + 2 * l.Pad - l.Kernel) / Math.Max(l.Stride, 1) + 1;
            if (l.Kernel < 1 || l.Stride < 1 || l.Pad < 0 || l.OutShape.H != oh || l.OutShape.W != ow)
                fail($"{where}: output shape {l.OutShape} does not follow from kernel {l.Kernel}, stride {l.Stride}, pad {l.Pad}");
            expected = [l.Kernel, l.Kernel, l.InShape.C, l.OutShape.C];
        }
        else
        {
            if (l.OutShape.H != 1 || l.OutShape.W != 1) fail($"{where}: dense output must be 1x1xN");
            expected = [l.InShape.Size, l.OutShape.C];
        }
        CheckTensor(l.Weights, expected, where + " weights", fail, allowBipolar: true);
        CheckTensor(l.Bias, [l.OutShape.C], where + " bias", fail);
        if (l.Weights.Bits == FixedPointMath.BipolarBits && l.Connections is not null)
            fail($"{where}: 1-bit (bipolar) weights cannot hold the 0 of a connection table's cut pairs");
        if (l.Weights.Bits > 32) fail($"{where}: weights wider than 32 bits");
        if (l.Accumulator.Frac != l.Weights.Frac + input.Frac)
            fail($"{where}: accumulator frac {l.Accumulator.Frac} must equal weight frac + input frac = {l.Weights.Frac + input.Frac}");
        if (l.Bias.Frac != l.Accumulator.Frac) fail($"{where}: bias frac {l.Bias.Frac} must equal accumulator frac {l.Accumulator.Frac}");
        if (l.Connections is not null)
        {
            if (l.Kind != QLayerKind.Conv2D || l.Connections.Length != l.OutShape.C ||
                l.Connections.Any(r => r.Length == 0 || r.Any(c => c < 0 || c >= l.InShape.C) || r.Distinct().Count() != r.Length))
                fail($"{where}: invalid connection table");
            int inC = l.InShape.C, outC = l.OutShape.C;
            for (int i = 0; i < l.Weights.Data.Length; i++)
                if (l.Weights.Data[i] != 0 && !l.IsConnected(i / outC % inC, i % outC))
                    fail($"{where}: weight {i} belongs to an unconnected channel pair but is not 0");
        }
        long bound = AccumulatorBound(l, input);
        int needed = FixedPointMath.SignedBitsFor(bound);
        if (l.Accumulator.Bits < needed) fail($"{where}: accumulator of {l.Accumulator.Bits} bits can overflow; the weights need {needed}");
        if (l.Accumulator.Bits > 48) fail($"{where}: accumulator of {l.Accumulator.Bits} bits exceeds 48");
        if (l.Activation == Activation.Tanh)
        {
            if (l.Tanh is null) { fail($"{where}: tanh activation without a table"); return; }
            if (l.Tanh.IndexBits is < 2 or > 16) fail($"{where}: tanh index bits must be 2..16");
            if (l.Tanh.Table.Length != 1 << l.Tanh.IndexBits) fail($"{where}: tanh table has {l.Tanh.Table.Length} entries, expected {1 << l.Tanh.IndexBits}");
            if (l.Tanh.Table.Any(v => v < l.Output.Min || v > l.Output.Max)) fail($"{where}: tanh table entry outside the output range");
        }
        if (l.Accumulator.Bits + Math.Max(0, -l.Shift) > 62) fail($"{where}: requantization shift {l.Shift} overflows 64-bit intermediates");
        if (l.Activation == Activation.ReLU && l.Output.Min < 0) fail($"{where}: relu output range must start at 0");
    }

    private static void CheckPool(QLayer l, QActivation input, string where, Action<string> fail)
    {
        if (l.Kernel < 1 || l.Stride < 1 || l.OutShape.C != l.InShape.C ||
            l.OutShape.H != (l.InShape.H - l.Kernel) / l.Stride + 1 || l.OutShape.W != (l.InShape.W - l.Kernel) / l.Stride + 1)
            fail($"{where}: pool shape {l.InShape} -> {l.OutShape} does not follow from kernel {l.Kernel}, stride {l.Stride}");
        if (l.Kind == QLayerKind.MaxPool)
        {
            if (l.Output.Bits != input.Bits || l.Output.Frac != input.Frac || l.Output.Unsigned != input.Unsigned)
                fail($"{where}: maxpool output format must equal its input format");
            return;
        }
        int area = l.Kernel * l.Kernel;
        if (!BitOperations.IsPow2(area)) fail($"{where}: avgpool window of {area} values is not a power of two");
        if (l.Accumulator is null || l.Accumulator.Frac != input.Frac + BitOperations.Log2((uint)area))
            fail($"{where}: avgpool accumulator frac must be input frac + log2(k²)");
    }

    private static void CheckTensor(QTensor t, int[] shape, string what, Action<string> fail, bool allowBipolar = false)
    {
        bool bipolar = allowBipolar && t.Bits == FixedPointMath.BipolarBits;
        if (t.Bits is < 2 or > 40 && !bipolar) fail($"{what}: width {t.Bits} is outside {(allowBipolar ? 1 : 2)}..40");
        if (t.Shape is null || !t.Shape.SequenceEqual(shape)) fail($"{what}: shape [{string.Join(",", t.Shape ?? [])}] should be [{string.Join(",", shape)}]");
        long n = shape.Aggregate(1L, (a, b) => a * b);
        if (t.Data is null || t.Data.Length != n) fail($"{what}: {t.Data?.Length ?? 0} values, expected {n}");
        if (bipolar)
        {
            if (t.Data!.Any(v => v is not (1 or -1))) fail($"{what}: a 1-bit (bipolar) weight must be -1 or +1");
            return;
        }
        long min = FixedPointMath.MinOf(t.Bits), max = FixedPointMath.MaxOf(t.Bits);
        if (t.Data!.Any(v => v < min || v > max)) fail($"{what}: a value does not fit {t.Bits} bits");
    }

    private static void CheckActivation(QActivation a, string what, Action<string> fail)
    {
        if (a is null) { fail($"{what}: format missing"); return; }
        if (a.Bits is < 2 or > 32) fail($"{what}: width {a.Bits} is outside 2..32");
        long min = a.Unsigned ? 0 : FixedPointMath.MinOf(a.Bits), max = a.Unsigned ? (1L << a.Bits) - 1 : FixedPointMath.MaxOf(a.Bits);
        if (a.Min > a.Max || a.Min < min || a.Max > max)
            fail($"{what}: range [{a.Min},{a.Max}] does not fit {a}");
    }

    private static void CheckShape(Shape3 s, string what, Action<string> fail)
    {
        if (s.H is < 1 or > ModelSpec.MaxDimension || s.W is < 1 or > ModelSpec.MaxDimension || s.C is < 1 or > ModelSpec.MaxDimension ||
            (long)s.H * s.W * s.C > ModelSpec.MaxTensorSize)
            fail($"{what} {s.H}x{s.W}x{s.C}: sides must lie in 1..{ModelSpec.MaxDimension}, at most {ModelSpec.MaxTensorSize} values");
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
