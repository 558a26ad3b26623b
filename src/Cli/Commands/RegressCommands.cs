using LeNetHls.Cli.Regress;

namespace LeNetHls.Cli.Commands;

/// <summary>`regress` (run a matrix, or a shard of it), `regress merge` (shards into one report), `regress emit` (Slurm and GitHub Actions files).</summary>
public static class RegressCommands
{
    public static IEnumerable<Command> Create()
    {
        var matrix = new Option<string?>("--matrix") { Description = "Matrix JSON (default: the built-in 16-case matrix; see `regress --print-default`)" };
        var jobs = new Option<int>("--jobs") { Description = "Cases run at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var shard = new Option<string>("--shard") { Description = "This machine's share i/n of the cases (CI matrix, Slurm array)", DefaultValueFactory = _ => "1/1" };
        var junit = new Option<string?>("--junit") { Description = "Write JUnit XML here" };
        var images = new Option<string?>("--images") { Description = "Test images per case: a count or 'all' (overrides the matrix)" };
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
            string n = ParseImages(r.GetValue(images)) ?? m.Images.ToString(CultureInfo.InvariantCulture);
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
        cmd.Subcommands.Add(MergeCommand());
        cmd.Subcommands.Add(EmitCommand());
        yield return cmd;
    }

    /// <summary>"all" (every test image) or a positive count, as the csim and cosim commands take it; null when not given.</summary>
    public static string? ParseImages(string? value) =>
        value is null ? null : ImageCount.Parse(value)?.ToString(CultureInfo.InvariantCulture) ?? "all";

    private static Command MergeCommand()
    {
        var files = new Argument<string[]>("shards") { Description = "JUnit files written by `regress --shard i/n --junit FILE`", Arity = ArgumentArity.OneOrMore };
        var matrix = new Option<string?>("--matrix") { Description = "The matrix the shards ran (default: the built-in one)" };
        var output = new Option<string>("--out") { Description = "Folder for the merged junit.xml and summary.html", Required = true };
        var cmd = new Command("merge", "Merge the shards' JUnit files into one JUnit file and one HTML summary, checking every matrix case ran exactly once")
        {
            files, matrix, output,
        };
        cmd.SetAction(r =>
        {
            var m = r.GetValue(matrix) is { } path ? RegressMatrix.Load(path) : RegressMatrix.Default;
            var paths = r.GetValue(files)!;
            var cases = JUnitMerge.Check(paths.SelectMany(JUnitMerge.Read).ToList(), m.Expand());
            string outDir = Path.GetFullPath(r.GetValue(output)!);
            AtomicFile.EnsureWritableDirectory(outDir);
            AtomicFile.WriteAllText(Path.Combine(outDir, JUnitMerge.MergedJUnit), JUnitMerge.RenderJUnit(cases, "lenet-hls regress"));
            AtomicFile.WriteAllText(Path.Combine(outDir, JUnitMerge.Summary), JUnitMerge.RenderHtml(cases, "lenet-hls regress", paths.Length));
            int failed = cases.Count(c => !c.Passed);
            foreach (var c in cases.Where(c => !c.Passed)) Console.WriteLine($"FAIL {c.Name}: {c.Detail}");
            Console.WriteLine($"regress merge: {cases.Count - failed} passed, {failed} failed; {cases.Count} cases from {paths.Length} shard files, each exactly once -> " +
                              $"{Path.Combine(outDir, JUnitMerge.MergedJUnit)}, {Path.Combine(outDir, JUnitMerge.Summary)}");
            return failed == 0 ? 0 : 1;
        });
        return cmd;
    }

    private static Command EmitCommand()
    {
        var engine = new Argument<string>("engine") { Description = "slurm | github" };
        engine.AcceptOnlyFromAmong("slurm", "github");
        var shards = new Option<int>("--shards") { Description = "Number of shards n", Required = true };
        var matrix = new Option<string?>("--matrix") { Description = "Matrix JSON the jobs run (a path they can read; default: the built-in matrix)" };
        var images = new Option<string?>("--images") { Description = "Test images per case: a count or 'all' (default: the matrix's)" };
        var jobs = new Option<int>("--jobs") { Description = "Cores per shard (Slurm --cpus-per-task, regress --jobs)", DefaultValueFactory = _ => 2 };
        var cli = new Option<string?>("--cli") { Description = "lenet-hls command on the nodes (Slurm; default: this executable)" };
        var workDir = new Option<string?>("--workdir") { Description = "Folder the Slurm jobs run in (default: the current folder)" };
        var models = new Option<string>("--models") { Description = "Float models folder for the jobs", DefaultValueFactory = _ => "out/models" };
        var data = new Option<string>("--data") { Description = "MNIST folder for the jobs", DefaultValueFactory = _ => Mnist.DefaultDir };
        var output = new Option<string>("--out") { Description = "Where to write the files (Slurm: also its logs, shard results and merged report)", Required = true };
        var cmd = new Command("emit", "Write a Slurm array job (plus a dependent merge job) or a GitHub Actions workflow that runs the matrix in n shards and merges them")
        {
            engine, shards, matrix, images, jobs, cli, workDir, models, data, output,
        };
        cmd.SetAction(r =>
        {
            string? matrixPath = r.GetValue(matrix);
            if (matrixPath is not null) RegressMatrix.Load(matrixPath);
            var options = new EmitOptions
            {
                Shards = r.GetValue(shards), Matrix = matrixPath, Images = ParseImages(r.GetValue(images)), Jobs = r.GetValue(jobs),
                Cli = r.GetValue(cli) ?? DefaultCli(), WorkDir = Path.GetFullPath(r.GetValue(workDir) ?? "."),
                Models = r.GetValue(models)!, Data = r.GetValue(data)!,
            };
            var written = r.GetValue(engine) == "slurm"
                ? RegressEmitter.Slurm(options, r.GetValue(output)!)
                : RegressEmitter.GitHub(options, r.GetValue(output)!);
            foreach (var f in written) Console.WriteLine($"wrote {f}");
            if (r.GetValue(engine) == "slurm")
                Console.WriteLine($"submit: {Path.Combine(Path.GetFullPath(r.GetValue(output)!), RegressEmitter.SlurmSubmit)}");
            return 0;
        });
        return cmd;
    }

    /// <summary>This lenet-hls, by an absolute path the Slurm nodes of a shared file system can run.</summary>
    private static string DefaultCli()
    {
        string apphost = Path.Combine(AppContext.BaseDirectory, "lenet-hls");
        return File.Exists(apphost) ? apphost : "lenet-hls";
    }
}
