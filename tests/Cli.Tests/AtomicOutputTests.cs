using System.Diagnostics;
using System.Security.Cryptography;

namespace LeNetHls.Cli.Tests;

/// <summary>
/// A command that writes a folder leaves the old result or the new one, never a mix: on failure,
/// on SIGKILL at any moment, and on a name that would have become code.
/// </summary>
public class AtomicOutputTests
{
    internal static string SaveQModel(QModel q)
    {
        string path = Path.Combine(RepoPaths.NewTempDir(), "q.qmodel.json");
        QModelFile.Save(q, path);
        return path;
    }

    /// <summary>Every file under the folder (hidden ones included) with its SHA-256.</summary>
    internal static SortedDictionary<string, string> Snapshot(string dir)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(dir)) return files;
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            files[Path.GetRelativePath(dir, f)] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)));
        return files;
    }

    internal static void CopyFolder(string from, string to)
    {
        if (Directory.Exists(to)) Directory.Delete(to, recursive: true);
        foreach (var d in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, d)));
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(f, Path.Combine(to, Path.GetRelativePath(from, f)));
    }

    [Fact]
    public void A_model_name_with_a_newline_and_a_define_is_a_one_line_error_and_nothing_is_written()
    {
        string q = SaveQModel(SyntheticQModel.Create(Presets.LeNet5()));
        File.WriteAllText(q, File.ReadAllText(q).Replace("\"name\":\"lenet5\"", "\"name\":\"lenet5\\n#define int float\""));
        string parent = RepoPaths.NewTempDir();
        string outDir = Path.Combine(parent, "gen");
        var result = CliProcess.Run(["codegen", q, "--out", outDir]);
        result.AssertCleanError($"{q}: model name 'lenet5\\u000a#define int float' must match");
        Assert.Empty(Directory.EnumerateFileSystemEntries(parent));
    }

    [Theory]
    [InlineData("../../escape")]
    [InlineData("")]
    [InlineData("x\n#define int float")]
    public void A_name_option_that_is_not_a_plain_name_is_refused_before_any_work(string name)
    {
        string parent = RepoPaths.NewTempDir();
        string model = RandomModels.Save();
        CliProcess.Run(["quantize", model, "--name", name, "--out", Path.Combine(parent, "q")]).AssertCleanError("--name: model name");
        Assert.Empty(Directory.EnumerateFileSystemEntries(parent));
    }

    [Fact]
    public void Codegen_that_fails_in_the_rtl_step_keeps_the_previous_project_intact()
    {
        string good = SaveQModel(SyntheticQModel.Create(Presets.LeNet5(), seed: 1));
        string outDir = Path.Combine(RepoPaths.NewTempDir(), "gen");
        Assert.Equal(0, CliProcess.Run(["codegen", good, "--out", outDir, "--multipliers", "16"]).ExitCode);
        var before = Snapshot(outDir);

        // The HLS generator accepts this qmodel; the RTL generator wants the pixel as fx<9,0>.
        var model = SyntheticQModel.Create(Presets.LeNet5(), seed: 2);
        string rtlRejects = SaveQModel(model with { Input = new QActivation(10, 0, 0, 255) });
        var result = CliProcess.Run(["codegen", rtlRejects, "--out", outDir, "--multipliers", "16"]);

        result.AssertCleanError("the RTL expects 8-bit unsigned pixels");
        Assert.Equal(before, Snapshot(outDir));
        Assert.Single(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(outDir)!));
    }

    [Fact]
    public void Codegen_refuses_to_replace_a_folder_it_did_not_write()
    {
        string q = SaveQModel(SyntheticQModel.Create(Presets.LeNet5()));
        string outDir = RepoPaths.NewTempDir();
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "mine");
        CliProcess.Run(["codegen", q, "--out", outDir]).AssertCleanError("holds files that codegen did not write");
        Assert.Equal("mine", File.ReadAllText(Path.Combine(outDir, "notes.txt")));
    }

    [Fact]
    public void A_file_where_the_output_folder_should_be_is_named()
    {
        string q = SaveQModel(SyntheticQModel.Create(Presets.LeNet5()));
        string file = Path.Combine(RepoPaths.NewTempDir(), "gen");
        File.WriteAllText(file, "x");
        CliProcess.Run(["codegen", q, "--out", file]).AssertCleanError($"{file}: is a file, expected a folder");
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void Codegen_killed_at_20_moments_leaves_the_old_project_or_the_new_one()
    {
        string oldQ = SaveQModel(SyntheticQModel.Create(Presets.LeNet5(), seed: 1));
        string newQ = SaveQModel(SyntheticQModel.Create(Presets.LeNet5(), seed: 2));
        string work = RepoPaths.NewTempDir("lenet-kill");
        string outDir = Path.Combine(work, "gen");
        string[] NewRun() => ["codegen", newQ, "--out", outDir, "--multipliers", "16"];

        Assert.Equal(0, CliProcess.Run(["codegen", oldQ, "--out", outDir, "--multipliers", "16"]).ExitCode);
        string oldCopy = Path.Combine(RepoPaths.NewTempDir(), "old");
        CopyFolder(outDir, oldCopy);
        var oldFiles = Snapshot(outDir);
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, CliProcess.Run(NewRun()).ExitCode);
        double fullRun = clock.Elapsed.TotalSeconds;
        var newFiles = Snapshot(outDir);
        Assert.NotEqual(oldFiles, newFiles);

        var outcomes = new List<string>();
        for (int k = 0; k < 20; k++)
        {
            CopyFolder(oldCopy, outDir);
            using var p = Process.Start(CliProcess.StartInfo(NewRun()))!;
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            // Moments spread evenly over the whole run, from the start to just past its measured end.
            Thread.Sleep(TimeSpan.FromSeconds(fullRun * (k + 0.5) / 20 * 1.1));
            p.Kill(entireProcessTree: true);
            Assert.True(p.WaitForExit(60_000)); // hang guard only
            var now = Snapshot(outDir);
            Assert.True(now.SequenceEqual(oldFiles) || now.SequenceEqual(newFiles), $"kill {k} at {fullRun * (k + 0.5) / 20 * 1.1:F2} s left a mix");
            outcomes.Add(now.SequenceEqual(oldFiles) ? "old" : "new");
        }
        // The next run removes what the killed runs left beside the folder.
        Assert.Equal(0, CliProcess.Run(NewRun()).ExitCode);
        Assert.Equal(["gen"], Directory.EnumerateFileSystemEntries(work).Select(Path.GetFileName));
        Assert.Equal(newFiles, Snapshot(outDir));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void Quantize_killed_at_10_moments_leaves_the_old_qmodel_or_the_new_one_and_the_next_run_cleans_up()
    {
        string model = RandomModels.Save(seed: 4);
        string outDir = RepoPaths.NewTempDir("lenet-kill-q");
        string[] Run(int bits) => ["quantize", model, "--bits", bits.ToString(), "--name", "q", "--calib-images", "200", "--test-images", "200",
                                   "--data", RepoPaths.MnistDir, "--out", outDir];
        Assert.Equal(0, CliProcess.Run(Run(8)).ExitCode);
        var oldFiles = Snapshot(outDir);
        string qmodel = Path.Combine(outDir, "q.qmodel.json");
        byte[] oldBytes = File.ReadAllBytes(qmodel);
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, CliProcess.Run(Run(6)).ExitCode);
        double fullRun = clock.Elapsed.TotalSeconds;
        byte[] newBytes = File.ReadAllBytes(qmodel);
        Assert.NotEqual(oldBytes, newBytes);

        for (int k = 0; k < 10; k++)
        {
            File.WriteAllBytes(qmodel, oldBytes);
            using var p = Process.Start(CliProcess.StartInfo(Run(6)))!;
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            Thread.Sleep(TimeSpan.FromSeconds(fullRun * (k + 0.5) / 10 * 1.1));
            p.Kill(entireProcessTree: true);
            Assert.True(p.WaitForExit(60_000)); // hang guard only
            var bytes = File.ReadAllBytes(qmodel);
            Assert.True(bytes.AsSpan().SequenceEqual(oldBytes) || bytes.AsSpan().SequenceEqual(newBytes), $"kill {k}: the qmodel is neither old nor new");
            // Visible files are exactly the old set; only a hidden temporary of the killed writer may remain, until the next run.
            Assert.Equal(oldFiles.Keys, Snapshot(outDir).Keys.Where(f => !f.StartsWith('.')));
        }
        Assert.Equal(0, CliProcess.Run(Run(6)).ExitCode);
        Assert.Equal(oldFiles.Keys, Snapshot(outDir).Keys);
    }
}

/// <summary>No stage writes into another stage's output.</summary>
[Trait("Category", "Integration")]
public class StageOutputTests
{
    [Fact]
    public void Csim_leaves_the_generated_hls_folder_byte_identical()
    {
        string q = AtomicOutputTests.SaveQModel(SyntheticQModel.Create(Presets.LeNet5()));
        string gen = Path.Combine(RepoPaths.NewTempDir(), "gen");
        Assert.Equal(0, CliProcess.Run(["codegen", q, "--out", gen, "--multipliers", "16"]).ExitCode);
        var hls = AtomicOutputTests.Snapshot(Path.Combine(gen, "hls"));
        var csim = CliProcess.Run(["csim", gen, "--images", "3", "--data", RepoPaths.MnistDir], timeoutSeconds: 900);
        Assert.True(csim.ExitCode == 0, csim.Stderr);
        Assert.Equal(hls, AtomicOutputTests.Snapshot(Path.Combine(gen, "hls")));
    }
}
