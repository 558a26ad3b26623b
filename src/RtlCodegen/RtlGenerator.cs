using LeNetHls.Core.Templating;

namespace LeNetHls.RtlCodegen;

/// <summary>
/// Emits the Verilog accelerator of a qmodel into one self-contained folder: the static library
/// (rtl/*.v), the generated top level, the ROM contents (.mem), the debug-tap reader for the
/// Verilator harness and the folding plan (rtl_plan.json).
/// </summary>
public static class RtlGenerator
{
    public const string PlanFile = "rtl_plan.json";
    public const string TapsHeader = "lenet_taps.h";
    private const int MaxShift = 62;

    /// <summary>Generates the accelerator on its own, folding options.Multipliers over the layers (AcceleratorPlan.Create).</summary>
    public static RtlPlan Generate(QModel model, string outDir, RtlOptions options)
    {
        QModelFile.Validate(model, "<qmodel>");
        return Generate(model, outDir, AcceleratorPlan.Create(model, options.Multipliers), options.TopName);
    }

    /// <summary>Generates the accelerator of <paramref name="plan"/>, computed from this (validated) <paramref name="model"/>.</summary>
    public static RtlPlan Generate(QModel model, string outDir, AcceleratorPlan plan, string topName = RtlOptions.DefaultTopName)
    {
        if (plan.Layers.Count != model.Layers.Count)
            throw new ArgumentException($"the plan has {plan.Layers.Count} layers, the qmodel '{model.Name}' {model.Layers.Count}", nameof(plan));
        CheckSupported(model);
        var top = TemplateFile.Load(RtlAssets.Template("top.v.sbn"));
        var taps = TemplateFile.Load(RtlAssets.Template("lenet_taps.h.sbn"));
        var foldings = plan.Layers.Select(l => l.Folding).ToList();
        var layers = model.Layers.Select((l, i) => LayerView(model, l, i, foldings[i])).ToList();
        int scoreWidth = model.Scores.Bits;
        var data = new RtlTopModel(
            ModelName: model.Name, Top: topName,
            Multipliers: plan.MultiplierBudget, MultipliersUsed: plan.MultipliersUsed,
            CoordWidth: CoordWidth(model),
            InputHeight: model.InputShape.H, InputWidth: model.InputShape.W, InputElemWidth: model.Input.Bits,
            Buffers: Buffers(model), Layers: layers, LayerCount: layers.Count, LastBuffer: model.Layers.Count,
            Classes: model.Classes, ScoreWidth: scoreWidth, ScoreDataWidth: ScoreDataWidth(model), ScoreSigned: SignedFlag(model.Scores));
        // Rendered before anything is written, so a broken template never leaves a half-generated folder.
        string topText = top.Render(data), tapsText = taps.Render(data);

        AtomicFile.EnsureWritableDirectory(outDir);
        foreach (var file in Directory.GetFiles(RtlAssets.RtlLibraryDir, "*.v").Append(Path.Combine(RtlAssets.RtlLibraryDir, VerilogCodes.IncludeFile)))
            AtomicFile.WriteAllBytes(Path.Combine(outDir, Path.GetFileName(file)), File.ReadAllBytes(file));
        for (int i = 0; i < model.Layers.Count; i++)
            WriteRoms(model, model.Layers[i], foldings[i], layers[i], outDir);
        AtomicFile.WriteAllText(Path.Combine(outDir, topName + ".v"), topText);
        AtomicFile.WriteAllText(Path.Combine(outDir, TapsHeader), tapsText);

        var written = new RtlPlan
        {
            Model = model.Name, Top = topName, Multipliers = plan.MultiplierBudget, ClockNs = plan.ClockNs,
            MultipliersUsed = plan.MultipliersUsed, MacsPerImage = model.MacsPerImage,
            ScoreWidth = scoreWidth, Classes = model.Classes, Pixels = model.InputShape.Size,
            EstimatedII = plan.EstimatedII,
            Layers = foldings.Select(f => new RtlLayerPlan(f.Name, f.Kind.ToString(), f.Pe, f.Simd, f.Nf, f.Sf, f.Multipliers, f.CyclesPerImage,
                                                           model.Layers[f.LayerIndex].Weights is { IsBipolar: true })).ToList(),
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, PlanFile), JsonSerializer.Serialize(written, RtlPlan.Json));
        return written;
    }

    /// <summary>scores_TDATA width: the score width rounded up to whole bytes, as Vitis pads axis data.</summary>
    public static int ScoreDataWidth(QModel model) => 8 * ((model.Scores.Bits + 7) / 8);

    /// <summary>A Verilog-safe identifier for a layer (qmodel names may be Verilog keywords such as "output").</summary>
    public static string Identifier(QLayer layer, int index)
    {
        var sb = new StringBuilder($"l{index}_");
        foreach (char c in layer.Name) sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        return sb.ToString();
    }

    private static void CheckSupported(QModel model)
    {
        string where = $"qmodel '{model.Name}'";
        if (model.Input.Bits != 9 || model.Input.Frac != 0 || model.Input.Min < 0 || model.Input.Max > 255)
            throw new LeNetHlsException($"{where}: the RTL expects 8-bit unsigned pixels as fx<9,0> in [0,255], got {model.Input}");
        if (model.Scores.ArithmeticBits > 32)
            throw new LeNetHlsException($"{where}: scores {model.Scores} do not fit the 32-bit harness");
        foreach (var l in model.Layers)
        {
            var (kernel, stride) = FoldingPlanner.WindowGeometry(l);
            if (l.Kind == QLayerKind.Dense && l.InShape.H != l.InShape.W)
                throw new LeNetHlsException($"{where}, layer {l.Name}: the RTL reads a dense layer's input as one square window, got {l.InShape}");
            if (stride > kernel)
                throw new LeNetHlsException($"{where}, layer {l.Name}: stride {stride} larger than kernel {kernel} is not supported by the RTL");
            if (l.Output.ArithmeticBits > 32)
                throw new LeNetHlsException($"{where}, layer {l.Name}: output {l.Output} does not fit the 32-bit debug taps");
            if (l.Accumulator is not null && (l.Accumulator.Bits > MaxShift || Math.Abs(l.Shift) > MaxShift))
                throw new LeNetHlsException($"{where}, layer {l.Name}: accumulator {l.Accumulator.Bits} bits / shift {l.Shift} outside the RTL's 64-bit requantizer");
        }
    }

    private static int CoordWidth(QModel model)
    {
        int extent = model.Layers.Max(l => Math.Max(l.InShape.H, l.InShape.W) + 2 * l.Pad + FoldingPlanner.WindowGeometry(l).Kernel);
        return Math.Max(2, (int)Math.Ceiling(Math.Log2(extent + 1)) + 1);
    }

    private static List<RtlBufferModel> Buffers(QModel model)
    {
        var buffers = new List<RtlBufferModel>();
        for (int i = 0; i < model.Layers.Count; i++)
        {
            var l = model.Layers[i];
            var (kernel, _) = FoldingPlanner.WindowGeometry(l);
            buffers.Add(new RtlBufferModel(i, l.Name, kernel, l.Kind == QLayerKind.Conv2D ? l.Pad : 0,
                                           l.InShape.H, l.InShape.W, l.InShape.C, model.InputOf(i).Bits, model.InputOf(i).ToString()));
        }
        buffers.Add(new RtlBufferModel(model.Layers.Count, "the score stream", 1, 0, 1, 1, model.Classes, model.Scores.Bits, model.Scores.ToString()));
        return buffers;
    }

    private static RtlLayerModel LayerView(QModel model, QLayer l, int index, LayerFolding f)
    {
        var (kernel, stride) = FoldingPlanner.WindowGeometry(l);
        string id = Identifier(l, index);
        int inWidth = model.InputOf(index).Bits;
        bool isPool = !l.HasWeights;
        bool bipolar = l.Weights is { IsBipolar: true };
        return new RtlLayerModel(
            Index: index, Next: index + 1, Name: id, Kind: l.Kind.ToString(),
            Describe: isPool
                ? $"{l.Kind} {l.Kernel}x{l.Kernel}, {l.InShape} {model.InputOf(index)} -> {l.OutShape} {l.Output}"
                : $"{l.Kind} {l.InShape} {model.InputOf(index)} -> {l.OutShape} {l.Output}, {l.Weights!.Format} weights, PE {f.Pe} x SIMD {f.Simd} = {f.Multipliers} " +
                  $"{(bipolar ? "conditional negations (no multiplier)" : "multipliers")}, {f.Nf}x{f.Sf} folds per position, ~{f.CyclesPerImage} cycles/image",
            IsPool: isPool,
            Kernel: kernel, KernelArea: kernel * kernel, Stride: stride,
            OutHeight: l.OutShape.H, OutWidthPx: l.OutShape.W, OutChannels: l.OutShape.C,
            InChannels: l.InShape.C, InWidth: inWidth, OutWidth: l.Output.Bits,
            // docs/fixed-point.md §1: an unsigned ufx<W,F> tensor is stored in W bits without a sign bit.
            InSigned: SignedFlag(model.InputOf(index)), OutSigned: SignedFlag(l.Output),
            WindowBits: kernel * kernel * l.InShape.C * inWidth,
            Elems: f.Elems, Pe: f.Pe, Simd: f.Simd, Nf: f.Nf, Sf: f.Sf,
            // lenet_mvau reads W_WIDTH 1 as bipolar, the width the qmodel itself gives bipolar weights.
            WeightWidth: l.Weights?.Bits ?? 2,
            AccWidth: l.Accumulator?.Bits ?? inWidth,
            Shift: l.Shift,
            Round: VerilogCodes.Round(model.Rounding),
            Saturate: VerilogCodes.Overflow(model.Overflow),
            Act: VerilogCodes.Act(l.Activation),
            PoolMode: isPool ? VerilogCodes.Pool(l.Kind) : 0,
            TanhIndexBits: l.Tanh?.IndexBits ?? 2,
            WeightFile: $"{id}_weights.mem", BiasFile: $"{id}_bias.mem", TanhFile: $"{id}_tanh.mem");
    }

    /// <summary>The signedness parameter of the RTL modules: 1 for fx&lt;W,F&gt;, 0 for an unsigned ufx&lt;W,F&gt;.</summary>
    public static int SignedFlag(QActivation format) => format.Unsigned ? 0 : 1;

    /// <summary>
    /// Weight ROM word nf*SF + sf, lane p*SIMD + s: w[sf*SIMD + s][nf*PE + p] (as FixedPointMath.WeightCode); bias ROM word nf: PE biases.
    /// Lanes past the ends hold 0, which a bipolar lane reads as −1: harmless, as past ELEMS its input is 0 and
    /// past OUTS its sum is never output.
    /// </summary>
    private static void WriteRoms(QModel model, QLayer l, LayerFolding f, RtlLayerModel view, string outDir)
    {
        if (!l.HasWeights) return;
        var w = l.Weights!;
        int ww = w.Bits, outs = f.Outs;
        var weights = new StringBuilder();
        var word = new HexWord(f.Pe * f.Simd * ww);
        for (int nf = 0; nf < f.Nf; nf++)
        for (int sf = 0; sf < f.Sf; sf++)
        {
            word.Clear();
            for (int p = 0; p < f.Pe; p++)
            for (int s = 0; s < f.Simd; s++)
            {
                int j = sf * f.Simd + s, o = nf * f.Pe + p;
                if (j < f.Elems && o < outs) word.Set((p * f.Simd + s) * ww, ww, FixedPointMath.WeightCode(ww, w.Data[j * outs + o]));
            }
            weights.Append(word.ToHex()).Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(outDir, view.WeightFile), weights.ToString());

        int wa = l.Accumulator!.Bits;
        var biases = new StringBuilder();
        var biasWord = new HexWord(f.Pe * wa);
        for (int nf = 0; nf < f.Nf; nf++)
        {
            biasWord.Clear();
            for (int p = 0; p < f.Pe; p++)
                if (nf * f.Pe + p < outs) biasWord.Set(p * wa, wa, l.Bias!.Data[nf * f.Pe + p]);
            biases.Append(biasWord.ToHex()).Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(outDir, view.BiasFile), biases.ToString());

        string tanhPath = Path.Combine(outDir, view.TanhFile);
        if (l.Tanh is { } tanh)
        {
            var table = new StringBuilder();
            var entry = new HexWord(l.Output.Bits);
            foreach (int v in tanh.Table)
            {
                entry.Clear();
                entry.Set(0, l.Output.Bits, v);
                table.Append(entry.ToHex()).Append('\n');
            }
            AtomicFile.WriteAllText(tanhPath, table.ToString());
        }
        else if (File.Exists(tanhPath))
        {
            File.Delete(tanhPath);
        }
    }

    /// <summary>A little-endian bit vector written as the hex digits $readmemh expects (MSB first).</summary>
    private sealed class HexWord(int bits)
    {
        private readonly bool[] _bits = new bool[bits];

        public void Clear() => Array.Clear(_bits);

        /// <summary>Places the two's complement of value in bits [offset, offset + width).</summary>
        public void Set(int offset, int width, long value)
        {
            for (int b = 0; b < width; b++) _bits[offset + b] = ((value >> Math.Min(b, 63)) & 1) != 0;
        }

        public string ToHex()
        {
            int digits = (_bits.Length + 3) / 4;
            var chars = new char[digits];
            for (int d = 0; d < digits; d++)
            {
                int nibble = 0;
                for (int b = 0; b < 4; b++)
                {
                    int bit = d * 4 + b;
                    if (bit < _bits.Length && _bits[bit]) nibble |= 1 << b;
                }
                chars[digits - 1 - d] = "0123456789abcdef"[nibble];
            }
            return new string(chars);
        }
    }
}
