using System.CommandLine;
using System.Globalization;
using LeNetHls.Cli.Flow;
using LeNetHls.Cli.Report;
using LeNetHls.Core.Data;
using LeNetHls.Core.IO;
using LeNetHls.Core.Model;

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
        var output = new Option<string>("--out") { Description = "Output folder (reruns skip stages whose inputs are unchanged)", Required = true };
        var cmd = new Command("flow", "Run everything: train, quantize, sweep, generate HLS and RTL, csim, cosim, synth-estimate and write report.html")
        {
            preset, bits, multipliers, images, model, epochs, sweep, data, output,
        };
        cmd.SetAction(r =>
        {
            string outDir = Path.GetFullPath(r.GetValue(output)!);
            string dataDir = Path.GetFullPath(r.GetValue(data)!);
            string presetName = r.GetValue(preset)!;
            Presets.Get(presetName);
            AtomicFile.EnsureWritableDirectory(outDir);
            int b = r.GetValue(bits);
            string qname = $"{presetName}-w{b}a{b}";
            string modelBase = r.GetValue(model) is { } given ? Path.GetFullPath(ModelFile.BasePath(given)) : Path.Combine(outDir, "model", presetName);
            string qmodelPath = Path.Combine(outDir, "quant", qname + ".qmodel.json");
            string genDir = Path.Combine(outDir, "gen");
            string sweepDir = Path.Combine(outDir, "accuracy");
            string imagesArg = r.GetValue(images)!;
            string m = r.GetValue(multipliers).ToString(CultureInfo.InvariantCulture);
            string[] modelFiles = [modelBase + ModelFile.StructExtension, modelBase + ModelFile.BinExtension];

            var stages = new List<FlowStage>
            {
                new("data", ["data", "fetch", "--data", dataDir], [], [dataDir]),
            };
            if (r.GetValue(model) is null)
            {
                var trainArgs = new List<string> { "train", "--preset", presetName, "--out", modelBase, "--data", dataDir };
                if (r.GetValue(epochs) is { } e) trainArgs.AddRange(["--epochs", e.ToString(CultureInfo.InvariantCulture)]);
                stages.Add(new("train", trainArgs, [], modelFiles));
            }
            else if (!File.Exists(modelFiles[0]))
            {
                throw LeNetHlsException.InFile(modelFiles[0], "model file not found");
            }
            stages.Add(new("quantize", ["quantize", modelBase, "--bits", b.ToString(CultureInfo.InvariantCulture), "--name", qname,
                                        "--out", Path.GetDirectoryName(qmodelPath)!, "--data", dataDir], modelFiles, [qmodelPath]));
            stages.Add(new("sweep", ["report", "accuracy", modelBase, "--sweep", r.GetValue(sweep)!, "--out", sweepDir, "--data", dataDir],
                           modelFiles, [Path.Combine(sweepDir, "accuracy.csv")]));
            stages.Add(new("codegen", ["codegen", qmodelPath, "--out", genDir, "--multipliers", m],
                           [qmodelPath, .. ToolAssets()], [Path.Combine(genDir, "hls"), Path.Combine(genDir, "rtl")]));
            stages.Add(new("csim", ["csim", genDir, "--images", imagesArg, "--data", dataDir],
                           [Path.Combine(genDir, "hls"), Path.Combine(genDir, "qmodel.json")], [VerificationResult.PathIn(genDir, "csim")]));
            stages.Add(new("cosim", ["cosim", genDir, "--images", imagesArg, "--data", dataDir],
                           [Path.Combine(genDir, "rtl"), Path.Combine(genDir, "qmodel.json")], [VerificationResult.PathIn(genDir, "cosim")]));
            stages.Add(new("synth-estimate", ["synth-estimate", genDir], [Path.Combine(genDir, "rtl")], [ReportBuilder.ResourcesPath(genDir)]));

            Console.WriteLine($"flow: {presetName}, {b}-bit, M = {m}, images {imagesArg} -> {outDir}");
            var runner = new FlowRunner(outDir, Console.WriteLine, Interrupt.Token);
            runner.Run(stages);

            var watch = System.Diagnostics.Stopwatch.StartNew();
            var test = Mnist.Load(dataDir, MnistSplit.Test);
            var report = ReportBuilder.Build($"LeNetHls report: {presetName}, {b}-bit", modelBase, qmodelPath, sweepDir, genDir, test, runner.Timings);
            string reportPath = Path.Combine(outDir, "report.html");
            AtomicFile.WriteAllText(reportPath, HtmlReport.Render(report));
            Console.WriteLine($"[{stages.Count + 1}/{stages.Count + 1}] {"report",-15} done in {watch.Elapsed.TotalSeconds,6:F1} s   wrote {reportPath}");
            int mismatches = report.Verification.Sum(v => v.Mismatches);
            Console.WriteLine($"float {report.FloatAccuracy * 100:F2} %, fixed {report.FixedAccuracy * 100:F2} %, " +
                              $"{string.Join(", ", report.Verification.Select(v => $"{v.Backend}: {v.Mismatches} mismatches / {v.Images}"))}");
            return mismatches == 0 ? 0 : 2;
        });
        yield return cmd;
    }

    /// <summary>Templates and static kernels shipped with the tool: a change in them regenerates the code.</summary>
    private static IEnumerable<string> ToolAssets() =>
        new[] { "templates", "hls", "rtl", "testbench" }.Select(d => Path.Combine(AppContext.BaseDirectory, d)).Where(Directory.Exists);
}
