using System.Globalization;
using System.Numerics;
using System.Text;
using HandlebarsDotNet;
using LeNetHls.Core.FixedPoint;
using LeNetHls.Core.IO;
using LeNetHls.Core.Quantized;

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

    public static void Generate(QModel model, string outDir, HlsOptions options)
    {
        options.Validate();
        QModelFile.Validate(model, "<qmodel>");
        var templates = new Templates();
        AtomicFile.EnsureWritableDirectory(outDir);
        var layers = LayerInfos(model, options);
        string name = model.Name;

        // A previous model's ROM headers must not linger next to this one's.
        string weightsDir = Path.Combine(outDir, WeightsDir);
        if (Directory.Exists(weightsDir)) Directory.Delete(weightsDir, recursive: true);

        var roms = new List<Rom>();
        foreach (var l in layers.Where(l => l.Source.HasWeights))
        {
            roms.Add(WeightRom(l));
            roms.Add(BiasRom(l));
            if (l.Source.Activation == Activation.Tanh) roms.Add(TanhRom(l));
        }
        foreach (var rom in roms)
            Write(outDir, rom.Header, templates.Render("rom.h.hbs", new
            {
                modelName = name, rom.Title, notes = rom.Notes, guard = rom.Guard, type = rom.Type,
                array = rom.Array, dims = rom.Dims, lines = rom.Lines,
            }));

        var scores = model.Scores;
        Write(outDir, "lenet5.h", templates.Render("lenet5.h.hbs", new
        {
            modelName = name, pixels = model.InputShape.Size, classes = model.Classes,
            scoreBits = scores.Bits, scoreIntBits = scores.Bits - scores.Frac, scoreFormat = scores.Format.ToString(),
        }));
        Write(outDir, "lenet5_config.h", templates.Render("lenet5_config.h.hbs", new
        {
            modelName = name, rounding = RoundingName(model.Rounding), overflow = model.Overflow == OverflowMode.Sat ? "sat" : "wrap",
            multipliers = options.Multipliers,
            tanhHeaders = roms.Where(r => r.IsTanh).Select(r => r.Header).ToArray(),
            layers = layers.Select(l => l.ConfigData(model)).ToArray(),
        }));
        Write(outDir, TopSource, templates.Render("lenet5.cpp.hbs", new
        {
            modelName = name, layerCount = layers.Count, macs = model.MacsPerImage.ToString("N0", CultureInfo.InvariantCulture),
            romHeaders = roms.Where(r => !r.IsTanh).Select(r => r.Header).ToArray(),
            roms = roms.Select(r => new { array = r.Array, impl = r.Impl, partition = r.PartitionFactor > 1, factor = r.PartitionFactor, dim = r.PartitionDim }).ToArray(),
            layers = layers.Select(l => l.TopData()).ToArray(),
            lastBuffer = layers[^1].Buffer,
        }));
        string clock = options.ClockNs.ToString("0.###", CultureInfo.InvariantCulture);
        Write(outDir, "run_hls.tcl", templates.Render("run_hls.tcl.hbs", new { modelName = name, part = options.Part, clockNs = clock }));
        Write(outDir, "hls_config.cfg", templates.Render("hls_config.cfg.hbs", new { modelName = name, part = options.Part, clockNs = clock }));
        Write(outDir, "Makefile", templates.Render("Makefile.hbs", new { modelName = name, cxxFlags = string.Join(' ', CxxFlags) }));

        CopyFolder(HlsAssets.KernelDir, Path.Combine(outDir, KernelDir));
        CopyFolder(HlsAssets.TestbenchDir, Path.Combine(outDir, TestbenchDir));
    }

    /// <summary>
    /// The signed width of a MAC product (a layer's mult_t): W_w plus the input's arithmetic width
    /// (docs/fixed-point.md §1, §3), W_x for a signed input and W_x + 1 for an unsigned ufx&lt;W_x,F&gt;, which
    /// enters as a zero-extended signed operand; the raw pixel is read as fx&lt;9,0&gt;. A bipolar product ±x
    /// needs W_x + 1 bits, for a signed x (−(−2^(W_x−1)) = 2^(W_x−1)) and an unsigned one (−(2^W_x − 1)) alike.
    /// </summary>
    public static int ProductBits(QActivation input, int weightBits) => Math.Min(64, weightBits == FixedPointMath.BipolarBits
        ? input.Bits + 1
        : input.ArithmeticBits + weightBits);

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

    private static List<LayerInfo> LayerInfos(QModel model, HlsOptions options)
    {
        var taken = new HashSet<string>();
        var result = new List<LayerInfo>();
        for (int i = 0; i < model.Layers.Count; i++)
        {
            var l = model.Layers[i];
            string id = Identifier(l.Name, i, taken);
            string inputType = i == 0 ? "pixel_t" : $"config_{result[i - 1].Id}::result_t";
            string input = i == 0 ? "image" : result[i - 1].Buffer;
            int parallel = l.HasWeights ? Parallelism(l.OutShape.C, options.MultipliersFor(i)) : 1;
            result.Add(new LayerInfo(i, l, id, model.InputOf(i), inputType, input, parallel));
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

    internal static string RoundingName(RoundingMode mode) => mode switch
    {
        RoundingMode.Rnd => "rnd", RoundingMode.Trn => "trn", _ => "rnd_conv",
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
    private sealed record LayerInfo(int Index, QLayer Source, string Id, QActivation Input, string InputType, string InputBuffer, int Parallel)
    {
        public string Buffer => $"out_{Id}";

        private int MultBits => ProductBits(Input, Source.Weights!.Bits);

        /// <summary>Accumulator width; an avgpool window sum never needs fewer than W_in + log2(k²) bits (arithmetic W_in).</summary>
        private int AccBits => Source.Kind == QLayerKind.AvgPool
            ? Math.Max(Source.Accumulator!.Bits, Input.ArithmeticBits + BitOperations.Log2((uint)(Source.Kernel * Source.Kernel)))
            : Source.Accumulator!.Bits;

        public object ConfigData(QModel model)
        {
            var l = Source;
            bool hasAcc = l.Accumulator is not null;
            bool tanh = l.Activation == Activation.Tanh && l.HasWeights;
            string? shiftNote = hasAcc ? $"requantize shift {l.Shift}" + (tanh ? $" to the tanh index fx<{l.Tanh!.IndexBits},{l.Tanh.IndexFrac}>" : "") : null;
            return new
            {
                index = Index, name = l.Name, id = Id, kind = KindName(l.Kind),
                inShape = l.InShape.ToString(), outShape = l.OutShape.ToString(),
                isConv = l.Kind == QLayerKind.Conv2D, isDense = l.Kind == QLayerKind.Dense,
                isPool = l.Kind is QLayerKind.MaxPool or QLayerKind.AvgPool,
                hasWeights = l.HasWeights, hasAcc, isTanh = tanh,
                activationName = l.HasWeights ? l.Activation.ToString().ToLowerInvariant() : null,
                inFormat = $"{Input} [{Input.Min},{Input.Max}]",
                weightFormat = l.Weights is null ? null
                    : l.Weights.IsBipolar ? $"{l.Weights.Format} (bipolar: ROM bit s = (q + 1) / 2, product s ? x : -x)" : l.Weights.Format.ToString(),
                biasFormat = l.Bias?.Format.ToString(),
                accFormat = hasAcc ? new QFormat(AccBits, l.Accumulator!.Frac).ToString() : null,
                outFormat = $"{l.Output} [{l.Output.Min},{l.Output.Max}]", shiftNote,
                inputType = InputType, resultType = ActivationType(l.Output), outBits = l.Output.ArithmeticBits,
                outUnsigned = l.Output.Unsigned, outStoredBits = l.Output.Bits,
                weightBits = l.Weights?.Bits ?? 0, biasBits = l.Bias?.Bits ?? 0, multBits = l.HasWeights ? MultBits : 0,
                accBits = hasAcc ? AccBits : 0,
                nIn = l.InShape.Size, nOut = l.OutShape.C,
                inH = l.InShape.H, inW = l.InShape.W, inC = l.InShape.C,
                outH = l.OutShape.H, outW = l.OutShape.W, outC = l.OutShape.C,
                kernel = l.Kernel, stride = l.Stride, pad = l.Pad,
                parallel = Parallel,
                activationKind = l.Activation switch { Activation.ReLU => "ACT_RELU", Activation.Tanh => "ACT_TANH", _ => "ACT_NONE" },
                shift = hasAcc ? l.Shift : 0,
                roundingKind = model.Rounding switch { RoundingMode.Rnd => "ROUND_HALF_UP", RoundingMode.Trn => "TRUNCATE", _ => "ROUND_HALF_EVEN" },
                overflowKind = model.Overflow == OverflowMode.Sat ? "SATURATE" : "WRAP",
                tanhIndexBits = tanh ? l.Tanh!.IndexBits : 0, tanhArray = $"tanh_{Id}",
                hasConnections = l.Connections is not null,
                connectionRows = l.Connections is null ? null : ConnectionRows(l),
            };
        }

        public object TopData() => new
        {
            index = Index, name = Source.Name, id = Id, kind = KindName(Source.Kind),
            outShape = Source.OutShape.ToString(), outFormat = Source.Output.ToString(), outSize = Source.OutShape.Size,
            buffer = Buffer, input = InputBuffer, weights = $"w_{Id}", biases = $"b_{Id}",
            isConv = Source.Kind == QLayerKind.Conv2D, isDense = Source.Kind == QLayerKind.Dense,
            isMaxPool = Source.Kind == QLayerKind.MaxPool, isAvgPool = Source.Kind == QLayerKind.AvgPool,
        };

        private static string[] ConnectionRows(QLayer l) =>
            Enumerable.Range(0, l.InShape.C)
                .Select(ci => "{" + string.Join(", ", Enumerable.Range(0, l.OutShape.C).Select(co => l.IsConnected(ci, co) ? "true" : "false")) + "},")
                .ToArray();
    }

    /// <summary>
    /// Every template of templates/hls, compiled before anything is written, so that a missing or
    /// broken one never leaves a half-generated folder.
    /// </summary>
    private sealed class Templates
    {
        private static readonly string[] Names =
            ["rom.h.hbs", "lenet5.h.hbs", "lenet5_config.h.hbs", "lenet5.cpp.hbs", "run_hls.tcl.hbs", "hls_config.cfg.hbs", "Makefile.hbs"];

        private readonly Dictionary<string, HandlebarsTemplate<object, object>> _compiled = new();

        public Templates()
        {
            var handlebars = Handlebars.Create(new HandlebarsConfiguration { NoEscape = true });
            foreach (var name in Names)
            {
                string path = HlsAssets.Template(name);
                try { _compiled[name] = handlebars.Compile(File.ReadAllText(path)); }
                catch (HandlebarsException e) { throw LeNetHlsException.InFile(path, $"template does not compile ({e.Message.Split('\n')[0]})"); }
            }
            // The static folders are copied last; finding them first keeps failures before any write.
            _ = HlsAssets.KernelDir;
            _ = HlsAssets.TestbenchDir;
        }

        public string Render(string name, object data) => _compiled[name](data);
    }
}
