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
public sealed record LayerConfigModel
{
    public required int Index { get; init; }
    public required string Name { get; init; }
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required bool IsPool { get; init; }
    public required string InShape { get; init; }
    public required string OutShape { get; init; }
    public required string InFormat { get; init; }
    public required string OutFormat { get; init; }
    public required string InputType { get; init; }
    public required string ResultType { get; init; }
    public required int DenseInputs { get; init; }
    public required int DenseOutputs { get; init; }
    public required int InHeight { get; init; }
    public required int InWidth { get; init; }
    public required int InChannels { get; init; }
    public required int OutHeight { get; init; }
    public required int OutWidth { get; init; }
    public required int OutChannels { get; init; }
    public required int Kernel { get; init; }
    public required int Stride { get; init; }
    public required int Pad { get; init; }
    /// <summary>Conv2D and Dense: weights, bias, product and activation.</summary>
    public MacConfigModel? Mac { get; init; }
    /// <summary>Layers with an accumulator (conv, dense, avgpool): the requantization.</summary>
    public RequantConfigModel? Requant { get; init; }
    /// <summary>Conv/dense layers with a tanh activation: the lookup table.</summary>
    public TanhConfigModel? Tanh { get; init; }
    /// <summary>A conv layer's connection table rows ("{true, false, ...},"), null when fully connected.</summary>
    public IReadOnlyList<string>? ConnectionRows { get; init; }
}

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
