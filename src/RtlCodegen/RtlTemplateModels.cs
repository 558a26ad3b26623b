namespace LeNetHls.RtlCodegen;

// The typed model of templates/rtl/top.v.sbn and lenet_taps.h.sbn (members in snake_case there, see
// Core/Templating/TemplateFile); every number the templates print is computed in RtlGenerator.

/// <summary>The generated top level: its ports, buffers and layers.</summary>
public sealed record RtlTopModel
{
    public required string ModelName { get; init; }
    public required string Top { get; init; }
    public required int Multipliers { get; init; }
    public required int MultipliersUsed { get; init; }
    public required int CoordWidth { get; init; }
    public required int InputHeight { get; init; }
    public required int InputWidth { get; init; }
    public required int InputElemWidth { get; init; }
    public required IReadOnlyList<RtlBufferModel> Buffers { get; init; }
    public required IReadOnlyList<RtlLayerModel> Layers { get; init; }
    public required int LayerCount { get; init; }
    /// <summary>Index of the buffer the score stream reads (the last layer's output).</summary>
    public required int LastBuffer { get; init; }
    public required int Classes { get; init; }
    public required int ScoreWidth { get; init; }
    public required int ScoreDataWidth { get; init; }
    public required int ScoreSigned { get; init; }
}

/// <summary>One ping-pong feature-map buffer: the input of Consumer.</summary>
public sealed record RtlBufferModel(int Index, string Consumer, int Banks, int Pad, int Height, int Width, int Channels, int ElemWidth, string Format);

/// <summary>
/// One layer's window generator and its compute module (lenet_pool or lenet_mvau); the parameters the
/// module does not use keep harmless placeholder values (for example W_WIDTH 2 on a pool).
/// </summary>
public sealed record RtlLayerModel
{
    public required int Index { get; init; }
    /// <summary>The index of the buffer this layer writes.</summary>
    public required int Next { get; init; }
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public required string Describe { get; init; }
    public required bool IsPool { get; init; }
    public required int Kernel { get; init; }
    public required int KernelArea { get; init; }
    public required int Stride { get; init; }
    public required int OutHeight { get; init; }
    public required int OutWidthPx { get; init; }
    public required int OutChannels { get; init; }
    public required int InChannels { get; init; }
    public required int InWidth { get; init; }
    public required int OutWidth { get; init; }
    public required int InSigned { get; init; }
    public required int OutSigned { get; init; }
    public required int WindowBits { get; init; }
    public required int Elems { get; init; }
    public required int Pe { get; init; }
    public required int Simd { get; init; }
    public required int Nf { get; init; }
    public required int Sf { get; init; }
    public required int WeightWidth { get; init; }
    public required int AccWidth { get; init; }
    public required int Shift { get; init; }
    public required int Round { get; init; }
    public required int Saturate { get; init; }
    public required int Act { get; init; }
    public required int PoolMode { get; init; }
    public required int TanhIndexBits { get; init; }
    public required string WeightFile { get; init; }
    public required string BiasFile { get; init; }
    public required string TanhFile { get; init; }
}
