using LeNetHls.Cli.Report;
using LeNetHls.RtlCodegen;

namespace LeNetHls.Cli.Flow;

/// <summary>
/// What `flow` runs, as CLI invocations with the files each reads and writes (the stamps that let a rerun
/// skip unchanged stages): data → train → quantize or qat → sweep → codegen → csim → cosim → synth-estimate.
/// </summary>
public sealed record FlowPlan
{
    public required string Preset { get; init; }
    public required int Bits { get; init; }
    /// <summary>The accelerator's qmodel comes from quantization-aware training instead of post-training quantization.</summary>
    public bool Qat { get; init; }
    public bool UnsignedRelu { get; init; }
    public required int Multipliers { get; init; }
    public required string Images { get; init; }
    /// <summary>A trained float model (base path) to use instead of the train stage.</summary>
    public string? GivenModel { get; init; }
    public int? Epochs { get; init; }
    public required string Sweep { get; init; }
    public required string DataDir { get; init; }
    public required string OutDir { get; init; }
    public IReadOnlyList<string> ToolAssets { get; init; } = [];

    public string QModelName => $"{Preset}{(Qat ? "-qat" : "")}-w{Bits}a{Bits}{(UnsignedRelu ? "u" : "")}";
    public string WidthLabel => $"{Bits}-bit{(UnsignedRelu ? " unsigned-relu" : "")}{(Qat ? " QAT" : "")}";
    public string ModelBase => GivenModel ?? Path.Combine(OutDir, "model", Preset);
    public string[] ModelFiles => [ModelBase + ModelFile.StructExtension, ModelBase + ModelFile.BinExtension];
    public string QModelPath => Path.Combine(OutDir, "quant", QModelName + ".qmodel.json");
    public string GenDir => Path.Combine(OutDir, "gen");
    public string SweepDir => Path.Combine(OutDir, "accuracy");

    public List<FlowStage> Stages()
    {
        string bits = Bits.ToString(CultureInfo.InvariantCulture), m = Multipliers.ToString(CultureInfo.InvariantCulture);
        var stages = new List<FlowStage> { new("data", ["data", "fetch", "--data", DataDir], [], [DataDir]) };
        if (GivenModel is null)
        {
            var trainArgs = new List<string> { "train", "--preset", Preset, "--out", ModelBase, "--data", DataDir };
            if (Epochs is { } e) trainArgs.AddRange(["--epochs", e.ToString(CultureInfo.InvariantCulture)]);
            stages.Add(new("train", trainArgs, [], ModelFiles));
        }
        string[] unsignedArgs = UnsignedRelu ? ["--unsigned-relu"] : [];
        string quantize = Qat ? "qat" : "quantize";
        stages.Add(new(quantize, [quantize, ModelBase, "--bits", bits, "--name", QModelName, .. unsignedArgs,
                                  "--out", Path.GetDirectoryName(QModelPath)!, "--data", DataDir], ModelFiles, [QModelPath]));
        // With QAT the sweep measures the QAT qmodel beside post-training quantization at its widths.
        string[] qatArgs = Qat ? ["--qat", QModelPath] : [];
        stages.Add(new("sweep", ["report", "accuracy", ModelBase, "--sweep", Sweep, .. qatArgs, .. unsignedArgs, "--out", SweepDir, "--data", DataDir],
                       Qat ? [.. ModelFiles, QModelPath] : ModelFiles, [SweepDir]));
        stages.Add(new("codegen", ["codegen", QModelPath, "--out", GenDir, "--multipliers", m],
                       [QModelPath, .. ToolAssets], [Path.Combine(GenDir, "hls"), Path.Combine(GenDir, "rtl")]));
        stages.Add(new("csim", ["csim", GenDir, "--images", Images, "--data", DataDir],
                       [Path.Combine(GenDir, "hls"), Path.Combine(GenDir, "qmodel.json")], [VerificationResult.PathIn(GenDir, "csim")]));
        stages.Add(new("cosim", ["cosim", GenDir, "--images", Images, "--data", DataDir],
                       [Path.Combine(GenDir, "rtl"), Path.Combine(GenDir, "qmodel.json")], [VerificationResult.PathIn(GenDir, "cosim")]));
        stages.Add(new("synth-estimate", ["synth-estimate", GenDir], [Path.Combine(GenDir, "rtl")], [ReportBuilder.ResourcesPath(GenDir)]));
        return stages;
    }
}
