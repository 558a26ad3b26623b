using System.Text.Json.Serialization;

namespace LeNetHls.Core.Quantized;

/// <summary>A signed format fx&lt;Bits,Frac&gt;: value = q · 2^−Frac (docs/fixed-point.md §1).</summary>
public sealed record QFormat(int Bits, int Frac)
{
    [JsonIgnore] public long Min => FixedPointMath.MinOf(Bits);
    [JsonIgnore] public long Max => FixedPointMath.MaxOf(Bits);
    /// <summary>fx&lt;W,F&gt; (Vitis ap_fixed&lt;W, W−F&gt;), or bp&lt;F&gt; for a 1-bit bipolar weight (docs/fixed-point.md §1).</summary>
    public override string ToString() => Bits == FixedPointMath.BipolarBits ? $"bp<{Frac}>" : $"fx<{Bits},{Frac}>";
}

/// <summary>
/// An activation format plus the integer range the tensor can actually take. Unsigned (ufx&lt;W,F&gt;,
/// docs/fixed-point.md §1) holds 0 … 2^W − 1 in W bits and computes as the signed fx&lt;W+1,F&gt;.
/// </summary>
public sealed record QActivation(int Bits, int Frac, long Min, long Max)
{
    /// <summary>ufx&lt;W,F&gt;: a ReLU output stored without a sign bit. Written to the qmodel only when true.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Unsigned { get; init; }

    /// <summary>The signed width every rule of docs/fixed-point.md uses for this tensor: W, or W + 1 when unsigned.</summary>
    [JsonIgnore] public int ArithmeticBits => Unsigned ? Bits + 1 : Bits;
    [JsonIgnore] public QFormat Format => new(Bits, Frac);
    [JsonIgnore] public long MaxAbs => Math.Max(Math.Abs(Min), Math.Abs(Max));

    /// <summary>An unsigned W-bit ReLU output with its whole range [0, 2^W − 1].</summary>
    public static QActivation UnsignedRelu(int bits, int frac) => new(bits, frac, 0, (1L << bits) - 1) { Unsigned = true };

    public override string ToString() => Unsigned ? $"ufx<{Bits},{Frac}>" : $"fx<{Bits},{Frac}>";
}

/// <summary>Integer weights or biases of one layer, in the file layout (conv [kh,kw,in,out], dense [in,out]).</summary>
public sealed record QTensor(int Bits, int Frac, int[] Shape, int[] Data)
{
    [JsonIgnore] public QFormat Format => new(Bits, Frac);
    /// <summary>1-bit weights: q = ±1 (docs/fixed-point.md §1).</summary>
    [JsonIgnore] public bool IsBipolar => Bits == FixedPointMath.BipolarBits;
}

/// <summary>The tanh lookup table of docs/fixed-point.md §5.</summary>
public sealed record QTanhTable(int IndexBits, int IndexFrac, int[] Table);

[JsonConverter(typeof(JsonStringEnumConverter<QLayerKind>))]
public enum QLayerKind
{
    [JsonStringEnumMemberName("conv2d")] Conv2D,
    [JsonStringEnumMemberName("dense")] Dense,
    [JsonStringEnumMemberName("maxpool")] MaxPool,
    [JsonStringEnumMemberName("avgpool")] AvgPool,
}

[JsonConverter(typeof(JsonStringEnumConverter<Activation>))]
public enum Activation
{
    [JsonStringEnumMemberName("none")] None,
    [JsonStringEnumMemberName("relu")] ReLU,
    [JsonStringEnumMemberName("tanh")] Tanh,
}

/// <summary>
/// One hardware layer. Activations are fused into Conv2D/Dense; flatten is implicit (HWC order).
/// Conv2D/Dense carry Weights, Bias, Accumulator and Activation (+ Tanh when tanh).
/// AvgPool carries Accumulator (the window sum, F_acc = F_in + log2(k²)). MaxPool carries neither.
/// </summary>
public sealed record QLayer
{
    /// <summary>The max pool of <paramref name="spec"/>: no arithmetic, so its output keeps its input's format.</summary>
    public static QLayer MaxPool(LayerSpec spec, Shape3 inShape, Shape3 outShape, QActivation input) => new()
    {
        Name = spec.Name, Kind = QLayerKind.MaxPool, InShape = inShape, OutShape = outShape,
        Kernel = spec.Kernel, Stride = spec.Stride, Output = input,
    };

    public required string Name { get; init; }
    public required QLayerKind Kind { get; init; }
    public required Shape3 InShape { get; init; }
    public required Shape3 OutShape { get; init; }
    public int Kernel { get; init; }
    public int Stride { get; init; } = 1;
    public int Pad { get; init; }
    public int[][]? Connections { get; init; }
    public Activation Activation { get; init; }
    public QTensor? Weights { get; init; }
    public QTensor? Bias { get; init; }
    public QFormat? Accumulator { get; init; }
    public QTanhTable? Tanh { get; init; }
    public required QActivation Output { get; init; }

    [JsonIgnore] public bool HasWeights => Kind is QLayerKind.Conv2D or QLayerKind.Dense;

    /// <summary>s = F_acc − F_out of the requantization; for tanh, F_acc − F_idx.</summary>
    [JsonIgnore]
    public int Shift => Accumulator is null ? 0 : Accumulator.Frac - (Activation == Activation.Tanh ? Tanh!.IndexFrac : Output.Frac);

    /// <summary>Whether input channel ci feeds output channel co.</summary>
    public bool IsConnected(int ci, int co) => Connections is null || Array.IndexOf(Connections[co], ci) >= 0;

    /// <summary>Multiply-accumulates per image for this layer (unconnected pairs skipped).</summary>
    [JsonIgnore]
    public long Macs => Kind switch
    {
        QLayerKind.Conv2D => (long)OutShape.H * OutShape.W * Kernel * Kernel *
                             (Connections?.Sum(c => (long)c.Length) ?? (long)InShape.C * OutShape.C),
        QLayerKind.Dense => (long)InShape.Size * OutShape.Size,
        _ => 0,
    };
}

/// <summary>
/// The quantized network: the single input of the golden model and of every code generator.
/// Schema and rules: docs/qmodel.md and docs/fixed-point.md.
/// </summary>
public sealed record QModel
{
    public const string FormatName = "lenet-hls-qmodel";
    public const int CurrentVersion = 1;

    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = CurrentVersion;
    public required string Name { get; init; }
    /// <summary>SHA-256 of the float model's .bin this was quantized from ("" for synthetic models).</summary>
    public string SourceSha256 { get; init; } = "";
    public RoundingMode Rounding { get; init; } = RoundingMode.Rnd;
    public OverflowMode Overflow { get; init; } = OverflowMode.Sat;
    public required Shape3 InputShape { get; init; }
    /// <summary>The pixel: fx&lt;9,0&gt; with range [0,255] (8-bit unsigned on the wire).</summary>
    public required QActivation Input { get; init; }
    public required IReadOnlyList<QLayer> Layers { get; init; }

    [JsonIgnore] public QActivation Scores => Layers[^1].Output;
    [JsonIgnore] public int Classes => Layers[^1].OutShape.Size;
    [JsonIgnore] public long MacsPerImage => Layers.Sum(l => l.Macs);

    public QActivation InputOf(int layer) => layer == 0 ? Input : Layers[layer - 1].Output;
}
