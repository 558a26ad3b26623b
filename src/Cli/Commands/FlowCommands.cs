using LeNetHls.Cli.Flow;
using LeNetHls.Cli.Report;

namespace LeNetHls.Cli.Commands;

/// <summary>`flow`: MNIST → train → quantize → sweep → codegen → csim → cosim → synth-estimate → report.</summary>
public static class FlowCommands
{
    public static IEnumerable<Command> Create()
    {
        var preset = new Option<string>("--preset") { Description = "lenet5 | lenet5-classic", DefaultValueFactory = _ => "lenet5" };
        var bits = new Option<int>("--bits") { Description = "Weight and activation width", DefaultValueFactory = _ => 8 };
        var multipliers = new Option<int>("--multipliers") { Description = "Total multiplier budget M of the accelerator", DefaultValueFactory = _ => LeNetHls.RtlCodegen.RtlOptions.DefaultMultipliers };
        var images = new Option<string>("--images") { Description = "Test images for csim and cosim: a count or 'all'", DefaultValueFactory = _ => "all" };
        var model = new Option<string?>("--model") { Description = "Reuse this trained float model instead of training" };
        var epochs = new Option<int?>("--epochs") { Description = "Training epochs (default: the trainer's)" };
        var sweep = new Option<string>("--sweep") { Description = "Widths of the accuracy sweep", DefaultValueFactory = _ => "16,12,10,8,6,5,4,3,2" };
        var data = new Option<string>("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultDir };
        var qat = new Option<bool>("--qat") { Description = "Quantization-aware training (`qat`, 3 epochs) instead of post-training quantization for the accelerator's qmodel; the sweep gains its QAT point" };
        var unsignedRelu = new Option<bool>("--unsigned-relu") { Description = "Relu outputs as unsigned ufx<W,F> (docs/fixed-point.md §1)" };
        var output = new Option<string>("--out") { Description = "Output folder (reruns skip stages whose inputs are unchanged)", Required = true };
        var cmd = new Command("flow", "Run everything: train, quantize, sweep, generate HLS and RTL, csim, cosim, synth-estimate and write report.html")
        {
            preset, bits, multipliers, images, model, epochs, sweep, qat, unsignedRelu, data, output,
        };
        cmd.SetAction(r =>
        {
            string outDir = Path.GetFullPath(r.GetValue(output)!);
            string dataDir = Path.GetFullPath(r.GetValue(data)!);
            string presetName = r.GetValue(preset)!;
            Presets.Get(presetName);
            AtomicFile.EnsureWritableDirectory(outDir);
            var plan = new FlowPlan
            {
                Preset = presetName, Bits = r.GetValue(bits), Qat = r.GetValue(qat), UnsignedRelu = r.GetValue(unsignedRelu),
                Multipliers = r.GetValue(multipliers), Images = r.GetValue(images)!, GivenModel = r.GetValue(model) is { } given ? Path.GetFullPath(ModelFile.BasePath(given)) : null,
                Epochs = r.GetValue(epochs), Sweep = r.GetValue(sweep)!, DataDir = dataDir, OutDir = outDir, ToolAssets = [.. ToolAssets()],
            };
            FlowChecks.BeforeStart(plan);
            var stages = plan.Stages();
            Console.WriteLine($"flow: {presetName}, {plan.WidthLabel}, M = {plan.Multipliers}, images {plan.Images} -> {outDir}");
            var runner = new FlowRunner(outDir, Console.WriteLine, Interrupt.Token) { StepsAfterStages = 1 };
            Interrupt.ExtendGrace(FlowChecks.StopGrace);
            runner.Run(stages);

            var watch = System.Diagnostics.Stopwatch.StartNew();
            var (report, reportPath) = FlowReport.Write(plan, runner.Timings);
            Console.WriteLine($"[{runner.TotalSteps(stages)}/{runner.TotalSteps(stages)}] {"report",-15} done in {watch.Elapsed.TotalSeconds,6:F1} s   wrote {reportPath}");
            int mismatches = report.Verification.Sum(v => v.Mismatches);
            string validation = report.FloatValidationAccuracy is { } v ? $" (validation split: float {v * 100:F2} %)" : "";
            Console.WriteLine($"test set: float {report.FloatAccuracy * 100:F2} %, fixed {report.FixedAccuracy * 100:F2} %{validation}, " +
                              $"{string.Join(", ", report.Verification.Select(v => $"{v.Backend}: {v.Mismatches} mismatches / {v.Images}"))}");
            return mismatches == 0 ? 0 : 2;
        });
        yield return cmd;
    }

    /// <summary>Templates and static kernels shipped with the tool: a change in them regenerates the code.</summary>
    public static IEnumerable<string> ToolAssets() =>
        new[] { "templates", "hls", "rtl", "testbench" }.Select(d => Path.Combine(AppContext.BaseDirectory, d)).Where(Directory.Exists);
}
