using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using LeNetHls.Cli.Commands;
using LeNetHls.Cli.Regress;
using YamlDotNet.RepresentationModel;

namespace LeNetHls.Cli.Tests;

/// <summary>`regress --images all`, `regress merge` and the Slurm and GitHub Actions files of `regress emit`.</summary>
public class RegressScaleTests
{
    private static readonly List<RegressCase> Matrix = RegressMatrix.Default.Expand();

    private static string ShardFile(string dir, int index, int count, Func<RegressCase, bool>? passed = null)
    {
        var outcomes = RegressMatrix.Shard(Matrix, index, count)
            .Select(c => new RegressOutcome(c, passed?.Invoke(c) ?? true, 1.25, passed?.Invoke(c) == false ? "cosim: 2 of 300 images differ" : "bit-exact", null, null))
            .ToList();
        string path = Path.Combine(dir, $"shard-{index}-of-{count}.xml");
        File.WriteAllText(path, JUnitReport.Render(outcomes, "lenet-hls regress", 9));
        return path;
    }

    [Theory]
    [InlineData("all", "all")]
    [InlineData("ALL", "all")]
    [InlineData("300", "300")]
    public void Images_take_a_count_or_all(string given, string expected) =>
        Assert.Equal(expected, RegressCommands.ParseImages(given));

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("many")]
    public void Images_that_are_neither_a_count_nor_all_are_rejected(string given) =>
        Assert.Contains("neither a positive count nor 'all'", Assert.Throws<LeNetHlsException>(() => RegressCommands.ParseImages(given)).Message);

    [Fact]
    public void Merging_every_shard_gives_all_cases_in_matrix_order_with_their_failures()
    {
        string dir = RepoPaths.NewTempDir();
        var failing = Matrix[5];
        var read = Enumerable.Range(1, 3).SelectMany(i => JUnitMerge.Read(ShardFile(dir, i, 3, c => c != failing))).ToList();
        var merged = JUnitMerge.Check(read, Matrix);
        Assert.Equal(Matrix.Select(c => c.Id), merged.Select(c => c.Name));
        var xml = XDocument.Parse(JUnitMerge.RenderJUnit(merged, "lenet-hls regress")).Root!.Element("testsuite")!;
        Assert.Equal(Matrix.Count.ToString(), xml.Attribute("tests")!.Value);
        Assert.Equal("1", xml.Attribute("failures")!.Value);
        string html = JUnitMerge.RenderHtml(merged, "lenet-hls regress", 3);
        Assert.Contains($"{Matrix.Count - 1} passed, 1 failed", html);
        Assert.Contains(failing.Id, html);
    }

    [Fact]
    public void A_missing_shard_is_reported_with_the_cases_that_did_not_run()
    {
        string dir = RepoPaths.NewTempDir();
        var read = new[] { 1, 2 }.SelectMany(i => JUnitMerge.Read(ShardFile(dir, i, 3))).ToList();
        var e = Assert.Throws<LeNetHlsException>(() => JUnitMerge.Check(read, Matrix));
        Assert.Contains("did not run", e.Message);
        Assert.Contains(RegressMatrix.Shard(Matrix, 3, 3)[0].Id, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_case_that_ran_twice_is_named_with_both_files()
    {
        string dir = RepoPaths.NewTempDir();
        string first = ShardFile(dir, 1, 2);
        string copy = Path.Combine(dir, "again.xml");
        File.Copy(first, copy);
        var read = new[] { first, copy, ShardFile(dir, 2, 2) }.SelectMany(JUnitMerge.Read).ToList();
        var e = Assert.Throws<LeNetHlsException>(() => JUnitMerge.Check(read, Matrix));
        Assert.Contains($"case '{Matrix[0].Id}' ran 2 times", e.Message);
        Assert.Contains("again.xml", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_xml_is_named()
    {
        string path = Path.Combine(RepoPaths.NewTempDir(), "broken.xml");
        File.WriteAllText(path, "<testsuites><testsuite>");
        Assert.StartsWith(path + ": not valid XML", Assert.Throws<LeNetHlsException>(() => JUnitMerge.Read(path)).Message);
    }

    [Fact]
    public void Merge_on_the_command_line_writes_one_junit_and_one_html_or_fails_in_one_line()
    {
        string dir = RepoPaths.NewTempDir();
        string[] shards = [ShardFile(dir, 1, 2), ShardFile(dir, 2, 2)];
        string outDir = Path.Combine(dir, "merged");
        var ok = CliProcess.Run(["regress", "merge", .. shards, "--out", outDir]);
        Assert.True(ok.ExitCode == 0, ok.Stdout + ok.Stderr);
        Assert.Equal(Matrix.Count, XDocument.Load(Path.Combine(outDir, JUnitMerge.MergedJUnit)).Descendants("testcase").Count());
        Assert.True(File.Exists(Path.Combine(outDir, JUnitMerge.Summary)));

        CliProcess.Run(["regress", "merge", shards[0], "--out", outDir]).AssertCleanError("did not run");
    }

    /// <summary>The shard each array task runs, read from the emitted script as bash would compute it.</summary>
    private static List<RegressCase> CasesOfSlurmArray(string script, out int tasks)
    {
        var array = Regex.Match(script, @"^#SBATCH --array=0-(\d+)$", RegexOptions.Multiline);
        Assert.True(array.Success, script);
        tasks = int.Parse(array.Groups[1].Value) + 1;
        var shardExpr = Regex.Match(script, @"^shard=\$\(\(SLURM_ARRAY_TASK_ID \+ (\d+)\)\)$", RegexOptions.Multiline);
        var shardArg = Regex.Match(script, @"--shard ""\$shard/(\d+)""");
        Assert.True(shardExpr.Success && shardArg.Success, script);
        int count = int.Parse(shardArg.Groups[1].Value), offset = int.Parse(shardExpr.Groups[1].Value);
        var cases = new List<RegressCase>();
        for (int task = 0; task < tasks; task++)
        {
            var (index, n) = RegressMatrix.ParseShard($"{task + offset}/{count}");
            cases.AddRange(RegressMatrix.Shard(Matrix, index, n));
        }
        return cases;
    }

    [Fact]
    public void The_slurm_array_covers_every_matrix_case_once_and_its_scripts_pass_bash_n()
    {
        string dir = RepoPaths.NewTempDir();
        var files = RegressEmitter.Slurm(new EmitOptions { Shards = 5, Images = "all", WorkDir = "/work/it's here" }, dir);
        Assert.Equal(new[] { RegressEmitter.SlurmArray, RegressEmitter.SlurmMerge, RegressEmitter.SlurmSubmit }, files.Select(f => Path.GetFileName(f)).ToArray());
        foreach (var file in files)
        {
            using var bash = Process.Start(new ProcessStartInfo("bash", ["-n", file]) { RedirectStandardError = true })!;
            string errors = bash.StandardError.ReadToEnd();
            bash.WaitForExit();
            Assert.True(bash.ExitCode == 0, $"{file}: {errors}");
        }
        string array = File.ReadAllText(files[0]);
        var ran = CasesOfSlurmArray(array, out int tasks);
        Assert.Equal(5, tasks);
        Assert.Equal(Matrix.Select(c => c.Id).Order(), ran.Select(c => c.Id).Order());
        Assert.Contains("--images 'all'", array);
        Assert.Contains("cd '/work/it'\\''s here'", array);
        string submit = File.ReadAllText(files[2]);
        Assert.Contains("--dependency=afterany:\"$array\"", submit);
        Assert.Contains("regress merge", File.ReadAllText(files[1]));
    }

    [Fact]
    public void The_github_workflow_parses_as_yaml_and_its_shard_matrix_covers_every_case_once()
    {
        string dir = RepoPaths.NewTempDir();
        string file = RegressEmitter.GitHub(new EmitOptions { Shards = 4, Images = "300" }, dir).Single();
        var yaml = new YamlStream();
        using (var reader = new StreamReader(file)) yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var jobs = (YamlMappingNode)root["jobs"];
        var shard = (YamlMappingNode)jobs["shard"];
        var shards = ((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)shard["strategy"])["matrix"])["shard"])
            .Select(n => int.Parse(((YamlScalarNode)n).Value!)).ToList();
        string run = ((YamlSequenceNode)shard["steps"]).Cast<YamlMappingNode>()
            .Select(s => s.Children.TryGetValue(new YamlScalarNode("run"), out var r) ? ((YamlScalarNode)r).Value! : "")
            .Single(r => r.Contains(" regress "));
        int count = int.Parse(Regex.Match(run, @"--shard \$\{\{ matrix\.shard \}\}/(\d+)").Groups[1].Value);
        var ran = shards.SelectMany(i => RegressMatrix.Shard(Matrix, RegressMatrix.ParseShard($"{i}/{count}").Index, count)).ToList();
        Assert.Equal(Matrix.Select(c => c.Id).Order(), ran.Select(c => c.Id).Order());

        var merge = (YamlMappingNode)jobs["merge"];
        Assert.Equal("shard", ((YamlScalarNode)merge["needs"]).Value);
        var mergeSteps = ((YamlSequenceNode)merge["steps"]).Cast<YamlMappingNode>().ToList();
        Assert.Contains(mergeSteps, s => s.Children.TryGetValue(new YamlScalarNode("run"), out var r) && ((YamlScalarNode)r).Value!.Contains("regress merge"));
        Assert.Contains(mergeSteps, s => s.Children.TryGetValue(new YamlScalarNode("uses"), out var u) && ((YamlScalarNode)u).Value!.StartsWith("actions/upload-artifact"));
    }
}
