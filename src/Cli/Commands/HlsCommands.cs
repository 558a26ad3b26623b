using LeNetHls.Cli.Flow;
using LeNetHls.HlsCodegen;
using LeNetHls.RtlCodegen;

namespace LeNetHls.Cli.Commands;

/// <summary>`codegen QMODEL --out DIR` and `csim DIR`: the Vitis HLS project and its bit-exact C simulation.</summary>
public static class HlsCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return CodegenCommand();
        yield return CsimCommand();
    }

    private static Command CodegenCommand()
    {
        var qmodel = new Argument<string>("qmodel") { Description = "Quantized model (.qmodel.json)" };
        var output = new Option<string>("--out") { Description = "Output folder: DIR/hls (Vitis HLS project), DIR/rtl (Verilog) and DIR/qmodel.json", Required = true };
        var multipliers = new Option<int>("--multipliers")
        {
            Description = "Total multiplier budget M, spread over the conv/dense layers in proportion to their work (RTL folding; HLS unrolls each layer alike)",
            DefaultValueFactory = _ => AcceleratorPlan.DefaultMultiplierBudget,
        };
        var part = new Option<string>("--part") { Description = "FPGA part for run_hls.tcl / hls_config.cfg", DefaultValueFactory = _ => HlsOptions.DefaultPart };
        var clock = new Option<double>("--clock-ns")
        {
            Description = "Clock period in ns: the Vitis target clock and the clock of the RTL plan's images/s figures",
            DefaultValueFactory = _ => AcceleratorPlan.DefaultClockNs,
        };
        var cmd = new Command("codegen", "Generate the Vitis HLS C++ project (kernels, weight ROMs, testbench, run_hls.tcl) and the Verilog accelerator for a qmodel");
        cmd.Arguments.Add(qmodel);
        foreach (Option o in new Option[] { output, multipliers, part, clock }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var watch = Stopwatch.StartNew();
            string qmodelPath = r.GetValue(qmodel)!;
            string dir = r.GetValue(output)!;
            string fpgaPart = r.GetValue(part)!;
            HlsOptions.ValidatePart(fpgaPart);
            // One load, one validation, one plan: both generators build the same accelerator.
            var model = Core.Quantized.QModelFile.Load(qmodelPath);
            var plan = AcceleratorPlan.Create(model, r.GetValue(multipliers), r.GetValue(clock));
            // Built beside DIR and swapped in whole: a failure, Ctrl-C or kill leaves the old project or the new one.
            using (var staging = AtomicDirectory.Begin(dir, HlsProject.QModelFile, "codegen"))
            {
                staging.Build(project =>
                {
                    HlsProject.Codegen(model, qmodelPath, project, plan, fpgaPart);
                    Interrupt.Token.ThrowIfCancellationRequested();
                    RtlGenerator.Generate(model, Path.Combine(project, CosimRunner.RtlFolder), plan);
                });
                staging.Commit();
            }
            Console.WriteLine($"codegen: {model.Name}, {model.Layers.Count} layers, {model.MacsPerImage:N0} MACs per image -> " +
                              $"{Path.Combine(dir, HlsProject.HlsFolder)} and {Path.Combine(dir, CosimRunner.RtlFolder)} " +
                              $"(M = {plan.MultiplierBudget}: {plan.Shares}; part {fpgaPart}, clock {plan.ClockNs.ToString(CultureInfo.InvariantCulture)} ns) " +
                              $"in {watch.Elapsed.TotalSeconds:F2} s");
            return 0;
        });
        return cmd;
    }

    private static Command CsimCommand()
    {
        var dir = new Argument<string>("dir") { Description = "Folder written by codegen (holds qmodel.json and hls/)" };
        var images = new Option<string>("--images") { Description = "MNIST test images to simulate: a count or 'all'", DefaultValueFactory = _ => "all" };
        var data = new Option<string>("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultDir };
        var apInclude = new Option<string?>("--ap-include")
        {
            Description = $"Folder holding Xilinx's ap_int.h to compile with (default: ${ApTypes.IncludeVariable}, then ${ApTypes.VitisVariable}/include, else the fallback integer types)",
        };
        var cmd = new Command("csim", "Compile the generated HLS C++ with g++, run it on MNIST test images and compare every score with the golden model");
        cmd.Arguments.Add(dir);
        cmd.Options.Add(images);
        cmd.Options.Add(data);
        cmd.Options.Add(apInclude);
        cmd.SetAction(r =>
        {
            var watch = Stopwatch.StartNew();
            string folder = r.GetValue(dir)!;
            VerificationResult.Delete(folder, "csim");
            var types = ApTypes.Find(r.GetValue(apInclude));
            Console.WriteLine($"csim: type world: {types}");
            var report = HlsProject.Csim(folder, ImageCount.Parse(r.GetValue(images)!), r.GetValue(data)!, types);
            Console.WriteLine($"csim: {report.Images} images compared, {report.MismatchedImages} mismatched; " +
                              $"golden {report.GoldenTime.TotalSeconds:F2} s, g++ {report.CompileTime.TotalSeconds:F2} s, " +
                              $"simulation {report.RunTime.TotalSeconds:F2} s, total {watch.Elapsed.TotalSeconds:F2} s");
            string divergence = report.Passed ? "" :
                report.Divergence?.Describe("csim") ?? $"image {report.FirstMismatchedImage}: the scores differ but no layer output does";
            new VerificationResult("csim", report.Images, report.MismatchedImages, divergence, watch.Elapsed.TotalSeconds).Save(folder);
            if (report.Passed) return 0;
            throw new LeNetHlsException($"{folder}: C simulation differs from the golden model on {report.MismatchedImages} of {report.Images} images; {divergence}");
        });
        return cmd;
    }
}
