using LeNetHls.Core.Templating;

namespace LeNetHls.HlsCodegen;

/// <summary>
/// Writes a self-contained Vitis HLS project for a qmodel: the top function, a config header, one
/// weight and one bias ROM header per layer, tanh tables, the kernel library (hls/nnet), the C-sim
/// testbench, run_hls.tcl, hls_config.cfg and a Makefile for g++ C simulation.
/// </summary>
public static class HlsGenerator
{
    public const string TopSource = "lenet5.cpp";
    public const string WeightsDir = "weights";
    public const string TestbenchDir = "tb";
    public const string KernelDir = "nnet";

    /// <summary>The g++ flags of C simulation; the generated code compiles warning-free under them.</summary>
    public static readonly string[] CxxFlags = ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Werror", "-Wno-unknown-pragmas"];

    private const int ValuesPerLine = 16;

    /// <summary>Generates a project on its own: every layer gets options.MultipliersPerLayer (AcceleratorPlan.Uniform).</summary>
    public static void Generate(QModel model, string outDir, HlsOptions options)
    {
        options.Validate();
        QModelFile.Validate(model, "<qmodel>");
        Generate(model, outDir, AcceleratorPlan.Uniform(model, options.MultipliersPerLayer, options.ClockNs), options.Part);
    }

    /// <summary>
    /// Generates the project of <paramref name="plan"/>, computed from this (validated) <paramref name="model"/>:
    /// each layer's unrolling follows its share of the budget, Vitis' clock is the plan's.
    /// </summary>
    public static void Generate(QModel model, string outDir, AcceleratorPlan plan, string part)
    {
        HlsOptions.ValidatePart(part);
        if (plan.Layers.Count != model.Layers.Count)
            throw new ArgumentException($"the plan has {plan.Layers.Count} layers, the qmodel '{model.Name}' {model.Layers.Count}", nameof(plan));
        var templates = new Templates();
        var layers = LayerInfos(model, plan);
        string name = model.Name;

        var roms = new List<Rom>();
        foreach (var l in layers.Where(l => l.Source.HasWeights))
        {
            roms.Add(WeightRom(l));
            roms.Add(BiasRom(l));
            if (l.Source.Activation == Activation.Tanh) roms.Add(TanhRom(l));
        }
        // Everything is rendered before the first write, so a template error leaves no half-generated folder.
        var files = new List<(string Relative, string Text)>();
        foreach (var rom in roms)
            files.Add((rom.Header, templates.Rom.Render(new RomHeaderModel(name, rom.Title, rom.Notes, rom.Guard, rom.Type, rom.Array, rom.Dims, rom.Lines))));

        var scores = model.Scores;
        files.Add(("lenet5.h", templates.Interface.Render(
            new InterfaceHeaderModel(name, model.InputShape.Size, model.Classes, scores.Bits, scores.Bits - scores.Frac, scores.Format.ToString()))));
        files.Add(("lenet5_config.h", templates.Config.Render(new ConfigHeaderModel(
            name, ModeNames.QModelName(model.Rounding), ModeNames.VitisName(model.Rounding),
            ModeNames.QModelName(model.Overflow), ModeNames.VitisName(model.Overflow),
            $"multiplier budget M = {plan.MultiplierBudget} in total, shared as {plan.Shares}; a layer's parallel is the largest divisor of its output channels within its share",
            roms.Where(r => r.IsTanh).Select(r => r.Header).ToArray(),
            layers.Select(l => l.ConfigModel(model)).ToArray()))));
        files.Add((TopSource, templates.Top.Render(new TopSourceModel(
            name, layers.Count, model.MacsPerImage.ToString("N0", CultureInfo.InvariantCulture),
            roms.Where(r => !r.IsTanh).Select(r => r.Header).ToArray(),
            roms.Select(r => new RomPragmaModel(r.Array, r.Impl, r.PartitionFactor > 1, r.PartitionFactor, r.PartitionDim)).ToArray(),
            layers.Select(l => l.TopModel()).ToArray(),
            layers[^1].Buffer))));
        var vitis = new VitisScriptModel(name, part, plan.ClockNsText);
        files.Add(("run_hls.tcl", templates.RunHls.Render(vitis)));
        files.Add(("hls_config.cfg", templates.HlsConfig.Render(vitis)));
        files.Add(("Makefile", templates.Makefile.Render(new MakefileModel(name, string.Join(' ', CxxFlags)))));

        AtomicFile.EnsureWritableDirectory(outDir);
        // A previous model's ROM headers must not linger next to this one's.
        string weightsDir = Path.Combine(outDir, WeightsDir);
        if (Directory.Exists(weightsDir)) Directory.Delete(weightsDir, recursive: true);
        foreach (var (relative, text) in files) Write(outDir, relative, text);

        CopyFolder(HlsAssets.KernelDir, Path.Combine(outDir, KernelDir));
        CopyFolder(HlsAssets.TestbenchDir, Path.Combine(outDir, TestbenchDir));
    }

    /// <summary>A layer's mult_t width: DerivedWidths.ProductBits, the one rule.</summary>
    public static int ProductBits(QActivation input, int weightBits) => DerivedWidths.ProductBits(input, weightBits);

    /// <summary>The largest divisor of <paramref name="channels"/> that is at most <paramref name="multipliers"/>.</summary>
    public static int Parallelism(int channels, int multipliers)
    {
        for (int p = Math.Min(channels, multipliers); p > 1; p--)
            if (channels % p == 0) return p;
        return 1;
    }

    /// <summary>A C++ identifier for a layer name, unique among the model's layers.</summary>
    public static string Identifier(string name, int index, ISet<string> taken)
    {
        var sb = new StringBuilder();
        foreach (char c in name) sb.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
        string id = sb.Length == 0 || char.IsAsciiDigit(sb[0]) ? $"layer{index}_{sb}" : sb.ToString();
        if (!taken.Add(id)) { id = $"{id}_{index}"; taken.Add(id); }
        return id;
    }

    private static List<LayerInfo> LayerInfos(QModel model, AcceleratorPlan plan)
    {
        var taken = new HashSet<string>();
        var result = new List<LayerInfo>();
        for (int i = 0; i < model.Layers.Count; i++)
        {
            var l = model.Layers[i];
            string id = Identifier(l.Name, i, taken);
            string inputType = i == 0 ? "pixel_t" : $"config_{result[i - 1].Id}::result_t";
            string input = i == 0 ? "image" : result[i - 1].Buffer;
            int parallel = l.HasWeights ? Parallelism(l.OutShape.C, plan.Layers[i].Folding.Multipliers) : 1;
            result.Add(new LayerInfo(i, l, id, model.InputOf(i), inputType, input, parallel, plan.Layers[i]));
        }
        return result;
    }

    private static Rom WeightRom(LayerInfo l)
    {
        var w = l.Source.Weights!;
        int cols = l.Source.OutShape.C, rows = w.Data.Length / cols;
        string layout = l.Source.Kind == QLayerKind.Conv2D ? "[kh][kw][in][out]" : "[in][out] (in = HWC flatten order)";
        bool bipolar = w.IsBipolar;
        var stored = w.Data.Select(q => (int)FixedPointMath.WeightCode(w.Bits, q)).ToArray();
        var lines = new string[rows];
        for (int r = 0; r < rows; r++) lines[r] = "{" + Join(stored.AsSpan(r * cols, cols)) + "},";
        var notes = bipolar
            ? new List<string>
            {
                $"Format {w.Format}, bipolar (docs/fixed-point.md §1): q = -1 or +1, value = q * 2^{-w.Frac}.",
                "Stored as the bit s = (q + 1) / 2, 1 for q = +1 and 0 for q = -1, in a 1-bit unsigned type; the MAC computes s ? x : -x.",
            }
            : [$"Format {Describe(w.Format)}; raw integers q, value = q * 2^{-w.Frac}."];
        notes.Add($"Shape [{string.Join(", ", w.Shape)}] in layout {layout}, stored as [{rows}][{cols}]: row = flattened leading dimensions, column = output channel.");
        if (l.Source.Connections is not null) notes.Add("Connection table: unconnected (input, output) pairs hold 0 and are skipped.");
        return new Rom($"{WeightsDir}/w_{l.Id}.h", $"Weights of layer {l.Index} \"{l.Source.Name}\" ({KindName(l.Source.Kind)}).", notes,
            $"W_{l.Id.ToUpperInvariant()}_H_", WeightType(w.Bits), $"w_{l.Id}", $"[{rows}][{cols}]", lines, "bram", l.Parallel, 2, false);
    }

    /// <summary>A weight ROM's element type; nnet::weight_of also picks the layer's product (nnet_mult.h).</summary>
    private static string WeightType(int bits) => RomWord($"nnet::weight_of<{bits}>::type");

    /// <summary>
    /// The element type of a ROM of <paramref name="valueType"/>s: the exact type for synthesis, a standard
    /// integer in C simulation, so that the initializers are constants (hls/nnet/nnet_types.h, rom_word).
    /// </summary>
    private static string RomWord(string valueType) => $"nnet::rom_word<{valueType}>::type";

    private static string IntType(int bits) => $"nnet::int_t<{bits}>::type";

    /// <summary>
    /// An activation tensor's C++ type: a signed fx&lt;W,F&gt; is nnet::int_t&lt;W&gt;, an unsigned ufx&lt;W,F&gt;
    /// (docs/fixed-point.md §1) nnet::uint_t&lt;W&gt; (ap_uint&lt;W&gt; or the smallest unsigned standard type).
    /// </summary>
    internal static string ActivationType(QActivation a) => a.Unsigned ? $"nnet::uint_t<{a.Bits}>::type" : IntType(a.Bits);

    private static Rom BiasRom(LayerInfo l)
    {
        var b = l.Source.Bias!;
        var notes = new List<string>
        {
            $"Format {Describe(b.Format)} (the accumulator's fractional bits); raw integers q, value = q * 2^{-b.Frac}.",
            $"Shape [{b.Data.Length}]: one per output channel.",
        };
        return new Rom($"{WeightsDir}/b_{l.Id}.h", $"Biases of layer {l.Index} \"{l.Source.Name}\" ({KindName(l.Source.Kind)}).", notes,
            $"B_{l.Id.ToUpperInvariant()}_H_", RomWord(IntType(b.Bits)), $"b_{l.Id}", $"[{b.Data.Length}]", Chunked(b.Data), "lutram", l.Parallel, 1, false);
    }

    private static Rom TanhRom(LayerInfo l)
    {
        var t = l.Source.Tanh!;
        var o = l.Source.Output;
        int half = 1 << (t.IndexBits - 1);
        var notes = new List<string>
        {
            $"Entries in the output format {Describe(o.Format)}; raw integers q, value = q * 2^{-o.Frac}.",
            $"Index i = acc shifted right by {l.Source.Shift} with the model's rounding, saturated to fx<{t.IndexBits},{t.IndexFrac}>; entry [i + {half}] = tanh(i * 2^{-t.IndexFrac}).",
            $"Shape [{t.Table.Length}].",
        };
        return new Rom($"{WeightsDir}/tanh_{l.Id}.h", $"Tanh table of layer {l.Index} \"{l.Source.Name}\" (docs/fixed-point.md §5).", notes,
            $"TANH_{l.Id.ToUpperInvariant()}_H_", RomWord(IntType(o.Bits)), $"tanh_{l.Id}", $"[{t.Table.Length}]", Chunked(t.Table), "bram", 1, 1, true);
    }

    private static string[] Chunked(int[] values)
    {
        var lines = new string[(values.Length + ValuesPerLine - 1) / ValuesPerLine];
        for (int i = 0; i < lines.Length; i++)
        {
            int start = i * ValuesPerLine;
            lines[i] = Join(values.AsSpan(start, Math.Min(ValuesPerLine, values.Length - start))) + ",";
        }
        return lines;
    }

    private static string Join(ReadOnlySpan<int> values)
    {
        var sb = new StringBuilder(values.Length * 5);
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(values[i].ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    internal static string Describe(QFormat f) => $"{f} = ap_fixed<{f.Bits},{f.Bits - f.Frac}>";

    internal static string KindName(QLayerKind kind) => kind switch
    {
        QLayerKind.Conv2D => "conv2d", QLayerKind.Dense => "dense", QLayerKind.MaxPool => "maxpool", _ => "avgpool",
    };

    private static void Write(string outDir, string relative, string text) =>
        AtomicFile.WriteAllText(Path.Combine(outDir, relative), text);

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            AtomicFile.WriteAllBytes(target, File.ReadAllBytes(file));
        }
    }

    private sealed record Rom(string Header, string Title, IReadOnlyList<string> Notes, string Guard, string Type, string Array,
                              string Dims, string[] Lines, string Impl, int PartitionFactor, int PartitionDim, bool IsTanh);

    /// <summary>One qmodel layer with the names and widths the C++ uses for it.</summary>
    private sealed record LayerInfo(int Index, QLayer Source, string Id, QActivation Input, string InputType, string InputBuffer, int Parallel,
                                    LayerPlan Plan)
    {
        public string Buffer => $"out_{Id}";

        private int MultBits => Plan.ProductBits;

        private int AccBits => Plan.AccumulatorBits;

        public LayerConfigModel ConfigModel(QModel model)
        {
            var l = Source;
            bool tanh = l.Activation == Activation.Tanh && l.HasWeights;
            return new LayerConfigModel(
                Index: Index, Name: l.Name, Id: Id, Kind: KindName(l.Kind), IsPool: l.Kind is QLayerKind.MaxPool or QLayerKind.AvgPool,
                InShape: l.InShape.ToString(), OutShape: l.OutShape.ToString(),
                InFormat: $"{Input} [{Input.Min},{Input.Max}]", OutFormat: $"{l.Output} [{l.Output.Min},{l.Output.Max}]",
                InputType: InputType, ResultType: ActivationType(l.Output),
                DenseInputs: l.InShape.Size, DenseOutputs: l.OutShape.C,
                InHeight: l.InShape.H, InWidth: l.InShape.W, InChannels: l.InShape.C,
                OutHeight: l.OutShape.H, OutWidth: l.OutShape.W, OutChannels: l.OutShape.C,
                Kernel: l.Kernel, Stride: l.Stride, Pad: l.Pad,
                Mac: !l.HasWeights ? null : new MacConfigModel(
                    l.Activation.ToString().ToLowerInvariant(),
                    l.Activation switch { Activation.ReLU => "ACT_RELU", Activation.Tanh => "ACT_TANH", _ => "ACT_NONE" },
                    l.Weights!.IsBipolar ? $"{l.Weights.Format} (bipolar: ROM bit s = (q + 1) / 2, product s ? x : -x)" : l.Weights.Format.ToString(),
                    l.Bias!.Format.ToString(), l.Weights.Bits, l.Bias.Bits, MultBits, Parallel),
                Requant: l.Accumulator is null ? null : new RequantConfigModel(
                    new QFormat(AccBits, l.Accumulator.Frac).ToString(), AccBits, l.Shift,
                    $"requantize shift {l.Shift}" + (tanh ? $" to the tanh index fx<{l.Tanh!.IndexBits},{l.Tanh.IndexFrac}>" : ""),
                    l.Output.ArithmeticBits, l.Output.Bits, l.Output.Unsigned,
                    ModeNames.KernelName(model.Rounding), ModeNames.KernelName(model.Overflow)),
                Tanh: tanh ? new TanhConfigModel(l.Tanh!.IndexBits, $"tanh_{Id}") : null,
                ConnectionRows: l.Kind == QLayerKind.Conv2D && l.Connections is not null ? ConnectionRows(l) : null);
        }

        public TopLayerModel TopModel() => new(
            Index, Source.Name, Id, KindName(Source.Kind), Source.OutShape.ToString(), Source.Output.ToString(), Source.OutShape.Size,
            Buffer, InputBuffer, $"w_{Id}", $"b_{Id}");

        private static string[] ConnectionRows(QLayer l) =>
            Enumerable.Range(0, l.InShape.C)
                .Select(ci => "{" + string.Join(", ", Enumerable.Range(0, l.OutShape.C).Select(co => l.IsConnected(ci, co) ? "true" : "false")) + "},")
                .ToArray();
    }

    /// <summary>
    /// Every template of templates/hls, parsed before anything is written, so that a missing or
    /// broken one never leaves a half-generated folder.
    /// </summary>
    private sealed class Templates
    {
        public TemplateFile Rom { get; } = Load("rom.h.sbn");
        public TemplateFile Interface { get; } = Load("lenet5.h.sbn");
        public TemplateFile Config { get; } = Load("lenet5_config.h.sbn");
        public TemplateFile Top { get; } = Load("lenet5.cpp.sbn");
        public TemplateFile RunHls { get; } = Load("run_hls.tcl.sbn");
        public TemplateFile HlsConfig { get; } = Load("hls_config.cfg.sbn");
        public TemplateFile Makefile { get; } = Load("Makefile.sbn");

        public Templates()
        {
            // The static folders are copied last; finding them first keeps failures before any write.
            _ = HlsAssets.KernelDir;
            _ = HlsAssets.TestbenchDir;
        }

        private static TemplateFile Load(string name) => TemplateFile.Load(HlsAssets.Template(name));
    }
}
