using LeNetHls.Trainer.Qat;

namespace LeNetHls.Cli.Flow;

/// <summary>
/// Everything about the flow's options that a stage would otherwise find late (after minutes of
/// training or a sweep), checked before the first stage starts. Plain ranges of --images, --bits,
/// --multipliers, --epochs are in <see cref="OptionRanges"/>; these depend on more than one option.
/// </summary>
public static class FlowChecks
{
    /// <summary>A stopped flow waits this long for its stage to exit cleanly (the stage itself stops within 1 s).</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(1.8);

    public static void BeforeStart(FlowPlan plan)
    {
        var spec = Presets.Get(plan.Preset);
        OptionRanges.CheckSweep(plan.Sweep);
        if (plan.Bits is < 2 or > 32) throw new LeNetHlsException($"--bits: {plan.Bits} is outside 2..32");
        if (plan.Qat && plan.Bits > QatWidths.MaxBits)
            throw new LeNetHlsException($"--bits {plan.Bits} with --qat: quantization-aware training supports {QatWidths.MinBits}..{QatWidths.MaxBits} bits");
        int computeLayers = spec.ParameterLayers().Length;
        if (plan.Multipliers < computeLayers)
            throw new LeNetHlsException($"--multipliers {plan.Multipliers}: {plan.Preset} has {computeLayers} conv/dense layers and each needs at least one multiplier");
        Names.CheckModelNameOption(plan.QModelName, "--preset");
        if (plan.GivenModel is not null)
        {
            // Loads and fully checks the model (hash, tensor table) now rather than in the quantize stage.
            ModelFile.Load(plan.GivenModel);
        }
        if (File.Exists(plan.DataDir)) throw LeNetHlsException.InFile(plan.DataDir, "is a file, expected the MNIST folder");
    }
}
