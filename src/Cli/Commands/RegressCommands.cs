using System.Diagnostics;
using LeNetHls.Cli.Regress;

namespace LeNetHls.Cli.Commands;

public static class RegressCommands
{
    public static IEnumerable<Command> Create()
    {
        var matrix = new Option<string?>("--matrix") { Description = "Matrix JSON (default: the built-in 16-case matrix; see `regress --print-default`)" };
        var jobs = new Option<int>("--jobs") { Description = "Cases run at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var shard = new Option<string>("--shard") { Description = "This machine's share i/n of the cases (CI matrix, Slurm array)", DefaultValueFactory = _ => "1/1" };
        var junit = new Option<string?>("--junit") { Description = "Write JUnit XML here" };
        var images = new Option<int?>("--images") { Description = "Test images per case (overrides the matrix)" };
        var models = new Option<string>("--models") { Description = "Float models DIR/<preset>.modelstruct (missing ones are trained)", DefaultValueFactory = _ => "out/models" };
        var data = new Option<string>("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultDir };
        var output = new Option<string>("--out") { Description = "Output folder (one sub-folder per case)", DefaultValueFactory = _ => "out/regress" };
        var printDefault = new Option<bool>("--print-default") { Description = "Print the default matrix as JSON and exit" };
        var cmd = new Command("regress", "Run a matrix of configurations through quantize, codegen, csim and cosim; non-zero exit on any mismatch")
        {
            matrix, jobs, shard, junit, images, models, data, output, printDefault,
        };
        cmd.SetAction(r =>
        {
            if (r.GetValue(printDefault))
            {
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(RegressMatrix.Default,
                    new System.Text.Json.JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase }));
                return 0;
            }
            var m = r.GetValue(matrix) is { } path ? RegressMatrix.Load(path) : RegressMatrix.Default;
            var (index, count) = RegressMatrix.ParseShard(r.GetValue(shard)!);
            var cases = RegressMatrix.Shard(m.Expand(), index, count);
            int jobCount = Math.Max(1, r.GetValue(jobs));
            string outDir = Path.GetFullPath(r.GetValue(output)!);
            AtomicFile.EnsureWritableDirectory(outDir);
            string? junitPath = r.GetValue(junit);
            int n = r.GetValue(images) ?? m.Images;
            Console.WriteLine($"regress: {cases.Count} cases (shard {index}/{count}), {n} images each, {jobCount} jobs -> {outDir}");
            var runner = new RegressRunner(outDir, Path.GetFullPath(r.GetValue(models)!), Path.GetFullPath(r.GetValue(data)!), n, Console.WriteLine, Interrupt.Token);
            var watch = Stopwatch.StartNew();
            runner.EnsureModels(cases.Select(c => c.Preset));
            var outcomes = runner.Run(cases, jobCount);
            watch.Stop();
            if (junitPath is not null) AtomicFile.WriteAllText(junitPath, JUnitReport.Render(outcomes, "lenet-hls regress", watch.Elapsed.TotalSeconds));
            Console.WriteLine();
            Console.WriteLine($"{"case",-44} {"result",-6} {"seconds",8}  detail");
            foreach (var o in outcomes) Console.WriteLine($"{o.Case.Id,-44} {(o.Passed ? "PASS" : "FAIL"),-6} {o.Seconds,8:F1}  {o.Detail}");
            int failed = outcomes.Count(o => !o.Passed);
            Console.WriteLine($"regress: {outcomes.Count - failed} passed, {failed} failed in {watch.Elapsed.TotalSeconds:F1} s with {jobCount} jobs");
            return failed == 0 ? 0 : 1;
        });
        yield return cmd;
    }
}
