namespace LeNetHls.RtlCodegen;

// The typed model of templates/rtl/top.v.sbn and lenet_taps.h.sbn (members in snake_case there, see
// Core/Templating/TemplateFile); every number the templates print is computed in RtlGenerator.

/// <summary>The generated top level: its ports, buffers and layers.</summary>
/// <param name="LastBuffer">Index of the buffer the score stream reads (the last layer's output).</param>
public sealed record RtlTopModel(
    string ModelName, string Top, int Multipliers, int MultipliersUsed, int CoordWidth, int InputHeight,
    int InputWidth, int InputElemWidth, IReadOnlyList<RtlBufferModel> Buffers,
    IReadOnlyList<RtlLayerModel> Layers, int LayerCount, int LastBuffer, int Classes, int ScoreWidth,
    int ScoreDataWidth, int ScoreSigned);

/// <summary>One ping-pong feature-map buffer: the input of Consumer.</summary>
public sealed record RtlBufferModel(int Index, string Consumer, int Banks, int Pad, int Height, int Width, int Channels, int ElemWidth, string Format);

/// <summary>
/// One layer's window generator and its compute module (lenet_pool or lenet_mvau); the parameters the
/// module does not use keep harmless placeholder values (for example W_WIDTH 2 on a pool).
/// </summary>
/// <param name="Next">The index of the buffer this layer writes.</param>
public sealed record RtlLayerModel(
    int Index, int Next, string Name, string Kind, string Describe, bool IsPool, int Kernel, int KernelArea,
    int Stride, int OutHeight, int OutWidthPx, int OutChannels, int InChannels, int InWidth, int OutWidth,
    int InSigned, int OutSigned, int WindowBits, int Elems, int Pe, int Simd, int Nf, int Sf, int WeightWidth,
    int AccWidth, int Shift, int Round, int Saturate, int Act, int PoolMode, int TanhIndexBits,
    string WeightFile, string BiasFile, string TanhFile);
