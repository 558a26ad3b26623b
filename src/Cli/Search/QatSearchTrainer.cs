using LeNetHls.Quantizer.Search;
using LeNetHls.Trainer.Qat;

namespace LeNetHls.Cli.Search;

/// <summary>The mixed-precision search's fine-tunes, done by quantization-aware training.</summary>
public sealed class QatSearchTrainer : ISearchTrainer
{
    public int DefaultScoreBits => QatWidths.DefaultScoreBits;

    public void CheckSupported(ModelSpec spec) => QatNetwork.CheckSupported(spec);

    public FineTuned FineTune(FloatModel start, SearchWidths widths, bool unsignedRelu, FineTuneSchedule schedule,
                              MnistSet train, MnistSet evaluation, string name, string sourceSha256)
    {
        var options = new QatOptions
        {
            Epochs = schedule.Epochs, ImagesPerEpoch = schedule.ImagesPerEpoch, Seed = schedule.Seed, Threads = schedule.Threads,
        };
        if (schedule.WarmupSteps is int warmup) options = options with { WarmupSteps = warmup };
        var qat = QatTrainer.FineTune(start, new QatWidths(widths.WeightBits, widths.OutputBits) { UnsignedRelu = unsignedRelu }, options,
                                      train, evaluation, name, sourceSha256);
        return new FineTuned(qat.Model, qat.Weights, qat.Accuracy, qat.PredictionMismatches);
    }
}
