using System.Xml.Linq;
using LeNetHls.Cli.Regress;

namespace LeNetHls.Cli.Tests;

public class RegressTests
{
    [Fact]
    public void Default_matrix_has_at_least_12_distinct_valid_cases_covering_both_presets()
    {
        var cases = RegressMatrix.Default.Expand();
        Assert.True(cases.Count >= 12);
        Assert.Equal(cases.Count, cases.Select(c => c.Id).Distinct().Count());
        Assert.Contains(cases, c => c.Preset == "lenet5-classic");
        Assert.Equal(3, cases.Select(c => c.Rounding).Distinct().Count());
    }

    [Fact]
    public void Default_matrix_co_simulates_with_every_ap_start_host_mode()
    {
        var hosts = RegressMatrix.Default.Expand().Select(c => c.Host).Distinct().Order();
        Assert.Equal(["handshake", "hold", "sequential"], hosts);
    }

    [Fact]
    public void A_matrix_case_with_an_unknown_host_mode_is_rejected_naming_the_file()
    {
        string path = Path.Combine(RepoPaths.NewTempDir(), "matrix.json");
        File.WriteAllText(path, """{ "presets": ["lenet5"], "bits": [8], "hosts": ["burst"] }""");
        var e = Assert.Throws<LeNetHlsException>(() => RegressMatrix.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("host must be hold, handshake or sequential", e.Message);
    }

    [Fact]
    public void Shards_split_the_cases_without_overlap_or_loss()
    {
        var cases = RegressMatrix.Default.Expand();
        var shards = Enumerable.Range(1, 3).Select(i => RegressMatrix.Shard(cases, i, 3)).ToList();
        Assert.Equal(cases.Select(c => c.Id).Order(), shards.SelectMany(s => s).Select(c => c.Id).Order());
        Assert.True(shards.All(s => s.Count >= cases.Count / 3));
    }

    [Theory]
    [InlineData("0/2")]
    [InlineData("3/2")]
    [InlineData("1")]
    public void Invalid_shards_are_rejected(string shard) =>
        Assert.Contains("expected i/n", Assert.Throws<LeNetHlsException>(() => RegressMatrix.ParseShard(shard)).Message);

    [Fact]
    public void A_matrix_file_with_an_invalid_rounding_mode_is_rejected_naming_the_file()
    {
        string path = Path.Combine(RepoPaths.NewTempDir(), "m.json");
        File.WriteAllText(path, "{\"presets\": [\"lenet5\"], \"bits\": [8], \"rounding\": [\"nearest\"]}");
        var e = Assert.Throws<LeNetHlsException>(() => RegressMatrix.Load(path));
        Assert.StartsWith(path + ": case lenet5-w8a8-nearest", e.Message);
    }

    [Fact]
    public void A_matrix_file_with_an_unknown_key_is_rejected() 
    {
        string path = Path.Combine(RepoPaths.NewTempDir(), "m.json");
        File.WriteAllText(path, "{\"presetz\": [\"lenet5\"]}");
        Assert.Contains("invalid matrix JSON", Assert.Throws<LeNetHlsException>(() => RegressMatrix.Load(path)).Message);
    }

    [Fact]
    public void Junit_xml_lists_every_case_and_counts_failures()
    {
        var pass = new RegressOutcome(new RegressCase("lenet5", 8, "rnd", "sat", 32, 0), true, 1.5, "bit-exact", null, null);
        var fail = new RegressOutcome(new RegressCase("lenet5", 4, "trn", "sat", 32, 0), false, 2, "cosim: 3 of 10 images differ", null, null);
        var xml = XDocument.Parse(JUnitReport.Render([pass, fail], "suite", 3.5));
        var suite = xml.Root!.Element("testsuite")!;
        Assert.Equal("2", suite.Attribute("tests")!.Value);
        Assert.Equal("1", suite.Attribute("failures")!.Value);
        Assert.Equal("cosim: 3 of 10 images differ", suite.Elements("testcase").Last().Element("failure")!.Attribute("message")!.Value);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void A_two_case_matrix_runs_bit_exact_and_writes_junit_and_the_second_shard_runs_only_its_case()
    {
        string models = RepoPaths.NewTempDir("lenet-models");
        RandomModels.Save("lenet5", seed: 2, dir: models);
        string matrix = Path.Combine(models, "matrix.json");
        File.WriteAllText(matrix, "{\"images\": 10, \"presets\": [\"lenet5\"], \"bits\": [6], \"rounding\": [\"rnd\", \"rnd_conv\"], \"multipliers\": [8]}");
        string outDir = RepoPaths.NewTempDir("lenet-regress");
        string junit = Path.Combine(outDir, "junit.xml");
        var r = CliProcess.Run(["regress", "--matrix", matrix, "--jobs", "2", "--models", models, "--out", outDir, "--junit", junit,
                                "--data", RepoPaths.MnistDir], timeoutSeconds: 900);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("regress: 2 passed, 0 failed", r.Stdout);
        Assert.Equal(2, XDocument.Load(junit).Descendants("testcase").Count());

        var shard = CliProcess.Run(["regress", "--matrix", matrix, "--shard", "2/2", "--models", models, "--out", outDir,
                                    "--data", RepoPaths.MnistDir], timeoutSeconds: 900);
        Assert.Contains("regress: 1 passed, 0 failed", shard.Stdout);
        Assert.Contains("lenet5-w6a6-rnd_conv-sat-m8", shard.Stdout);
    }
}
