namespace LeNetHls.HlsCodegen;

// The typed models of templates/hls/*.sbn, one record per template. Members appear in the templates
// in snake_case (TemplateFile); everything a template prints is computed here, in C#.

/// <summary>templates/hls/rom.h.sbn: one weight, bias or tanh ROM header.</summary>
public sealed record RomHeaderModel(string ModelName, string Title, IReadOnlyList<string> Notes, string Guard,
                                    string ElementType, string ArrayName, string Dims, IReadOnlyList<string> Lines);

/// <summary>templates/hls/lenet5.h.sbn: the accelerator's interface.</summary>
public sealed record InterfaceHeaderModel(string ModelName, int Pixels, int Classes, int ScoreBits, int ScoreIntBits, string ScoreFormat);

/// <summary>templates/hls/lenet5_config.h.sbn: one config struct per layer.</summary>
public sealed record ConfigHeaderModel(string ModelName, string Rounding, string RoundingVitis, string Overflow, string OverflowVitis,
                                       string MultipliersNote,
                                       IReadOnlyList<string> TanhHeaders, IReadOnlyList<LayerConfigModel> Layers);

/// <summary>One layer's config struct. Kind is conv2d, dense, maxpool or avgpool; the optional parts are null where the layer has none.</summary>
/// <param name="Mac">Conv2D and Dense: weights, bias, product and activation.</param>
/// <param name="Requant">Layers with an accumulator (conv, dense, avgpool): the requantization.</param>
/// <param name="Tanh">Conv/dense layers with a tanh activation: the lookup table.</param>
/// <param name="ConnectionRows">A conv layer's connection table rows ("{true, false, ...},"), null when fully connected.</param>
public sealed record LayerConfigModel(
    int Index, string Name, string Id, string Kind, bool IsPool, string InShape, string OutShape,
    string InFormat, string OutFormat, string InputType, string ResultType, int DenseInputs, int DenseOutputs,
    int InHeight, int InWidth, int InChannels, int OutHeight, int OutWidth, int OutChannels, int Kernel,
    int Stride, int Pad, MacConfigModel? Mac, RequantConfigModel? Requant, TanhConfigModel? Tanh,
    IReadOnlyList<string>? ConnectionRows);

public sealed record MacConfigModel(string ActivationName, string ActivationKind, string WeightFormat, string BiasFormat,
                                    int WeightBits, int BiasBits, int MultBits, int Parallel);

public sealed record RequantConfigModel(string AccFormat, int AccBits, int Shift, string ShiftNote, int OutBits, int OutStoredBits,
                                        bool OutUnsigned, string RoundingKind, string OverflowKind);

public sealed record TanhConfigModel(int IndexBits, string ArrayName);

/// <summary>templates/hls/lenet5.cpp.sbn: the top function.</summary>
public sealed record TopSourceModel(string ModelName, int LayerCount, string Macs, IReadOnlyList<string> RomHeaders,
                                    IReadOnlyList<RomPragmaModel> Roms, IReadOnlyList<TopLayerModel> Layers, string LastBuffer);

public sealed record RomPragmaModel(string ArrayName, string Impl, bool Partitioned, int PartitionFactor, int PartitionDim);

/// <summary>One layer's call in the top function; Kind is conv2d, dense, maxpool or avgpool.</summary>
public sealed record TopLayerModel(int Index, string Name, string Id, string Kind, string OutShape, string OutFormat, int OutSize,
                                   string Buffer, string Input, string Weights, string Biases);

/// <summary>templates/hls/run_hls.tcl.sbn and hls_config.cfg.sbn: the Vitis flows.</summary>
public sealed record VitisScriptModel(string ModelName, string Part, string ClockNs);

/// <summary>templates/hls/Makefile.sbn: g++ C simulation.</summary>
public sealed record MakefileModel(string ModelName, string CxxFlags);
