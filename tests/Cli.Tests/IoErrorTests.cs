using LeNetHls.Core.IO;
using LeNetHls.Core.Model;
using LeNetHls.TestSupport;

namespace LeNetHls.Cli.Tests;

/// <summary>
/// I/O failures of the main commands (permission denied, disk full, a folder where a file belongs) end
/// in exit != 0 and one line naming the file and the problem, with no stack trace, and what was already
/// on disk stays as it was.
/// </summary>
public class IoErrorTests
{
    private static string SavedModel(int seed = 1)
    {
        string model = Path.Combine(RepoPaths.NewTempDir(), "lenet5");
        ModelFile.Save(FloatModel.CreateRandom(Presets.LeNet5(), seed), model);
        return model;
    }

    private static string Codegen(string outDir, int seed = 1)
    {
        string q = AtomicOutputTests.SaveQModel(SyntheticQModel.Create(Presets.LeNet5(), seed: seed));
        var run = CliProcess.Run(["codegen", q, "--out", outDir, "--multipliers", "5"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return q;
    }

    private static string[] QuickQuantize(string model, string outDir) =>
        ["quantize", model, "--name", "q", "--calib-images", "50", "--test-images", "50", "--data", RepoPaths.MnistDir, "--out", outDir];

    // ---- permission denied: the CLI runs as user nobody (the tests run as root, who may write anything) ----

    [UnprivilegedFact]
    public void Eval_of_a_model_the_user_may_not_read_names_the_file()
    {
        string model = SavedModel();
        if (!OperatingSystem.IsLinux()) return; // UnprivilegedFact skips elsewhere
        File.SetUnixFileMode(model + ModelFile.StructExtension, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Unprivileged.Run(["eval", model, "--data", RepoPaths.MnistDir]).AssertCleanError($"{model}{ModelFile.StructExtension}: cannot read: permission denied");
    }

    [UnprivilegedFact]
    public void Quantize_into_a_folder_the_user_may_not_write_keeps_the_old_qmodel()
    {
        string model = SavedModel();
        string outDir = RepoPaths.NewTempDir();
        Assert.Equal(0, CliProcess.Run(QuickQuantize(model, outDir)).ExitCode);
        var before = AtomicOutputTests.Snapshot(outDir);
        Unprivileged.Run(QuickQuantize(model, outDir)).AssertCleanError($"{outDir}: output folder is not writable: permission denied");
        Assert.Equal(before, AtomicOutputTests.Snapshot(outDir));
    }

    [UnprivilegedFact]
    public void Codegen_over_a_project_the_user_may_not_replace_keeps_it()
    {
        string parent = RepoPaths.NewTempDir();
        string gen = Path.Combine(parent, "gen");
        string q = Codegen(gen);
        var before = AtomicOutputTests.Snapshot(gen);
        Unprivileged.Run(["codegen", q, "--out", gen, "--multipliers", "6"]).AssertCleanError($"{gen}: cannot write: permission denied");
        Assert.Equal(before, AtomicOutputTests.Snapshot(gen));
        Assert.Equal(["gen"], Directory.EnumerateFileSystemEntries(parent).Select(Path.GetFileName));
    }

    [UnprivilegedFact]
    [Trait("Category", "Integration")]
    public void Csim_in_a_project_the_user_may_not_write_keeps_its_results()
    {
        string gen = Path.Combine(RepoPaths.NewTempDir(), "gen");
        Codegen(gen);
        string[] csim = ["csim", gen, "--images", "3", "--data", RepoPaths.MnistDir];
        var first = CliProcess.Run(csim, timeoutSeconds: 900);
        Assert.True(first.ExitCode == 0, first.Stderr);
        var before = AtomicOutputTests.Snapshot(gen);
        Unprivileged.Run(csim).AssertCleanError($"{Path.Combine(gen, "csim_result.json")}: cannot replace the previous result: permission denied");
        Assert.Equal(before, AtomicOutputTests.Snapshot(gen));
    }

    [UnprivilegedFact]
    public void Cosim_in_a_project_the_user_may_not_write_names_the_folder_and_keeps_the_project()
    {
        string gen = Path.Combine(RepoPaths.NewTempDir(), "gen");
        Codegen(gen);
        var before = AtomicOutputTests.Snapshot(gen);
        Unprivileged.Run(["cosim", gen, "--images", "2", "--data", RepoPaths.MnistDir])
            .AssertCleanError($"{Path.Combine(gen, "cosim_build")}: output folder is not writable: permission denied");
        Assert.Equal(before, AtomicOutputTests.Snapshot(gen));
    }

    [UnprivilegedFact]
    public void Flow_into_a_folder_the_user_may_not_write_names_it()
    {
        string outDir = RepoPaths.NewTempDir();
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "mine");
        Unprivileged.Run(["flow", "--model", SavedModel(), "--images", "2", "--data", RepoPaths.MnistDir, "--out", outDir])
            .AssertCleanError($"{outDir}: output folder is not writable: permission denied");
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(outDir).Select(Path.GetFileName));
    }

    // ---- disk full: a tiny tmpfs ----

    [TinyDiskFact]
    public void Quantize_onto_a_full_disk_names_the_qmodel_and_leaves_only_what_was_there()
    {
        using var disk = TinyDisk.Mount(64);
        File.WriteAllText(Path.Combine(disk.Path, "keep.txt"), "mine");
        CliProcess.Run(QuickQuantize(SavedModel(), disk.Path)).AssertCleanError($"{Path.Combine(disk.Path, "q.qmodel.json")}: cannot write: disk full");
        Assert.Equal(["keep.txt"], Directory.EnumerateFileSystemEntries(disk.Path).Select(Path.GetFileName));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(disk.Path, "keep.txt")));
    }

    [TinyDiskFact]
    public void Codegen_onto_a_disk_without_room_for_a_second_project_keeps_the_first()
    {
        // Room for the old project and a third of a new one: the new one fails midway.
        long projectKb = DiskUsageKb(RepoPaths.NewTempDir(), dir => Codegen(Path.Combine(dir, "gen")));
        using var disk = TinyDisk.Mount(projectKb * 4 / 3);
        string gen = Path.Combine(disk.Path, "gen");
        Codegen(gen, seed: 1);
        var before = AtomicOutputTests.Snapshot(gen);
        string other = AtomicOutputTests.SaveQModel(SyntheticQModel.Create(Presets.LeNet5(), seed: 2));
        var run = CliProcess.Run(["codegen", other, "--out", gen, "--multipliers", "5"]);
        run.AssertCleanError(": cannot write: disk full");
        Assert.StartsWith($"error: {gen}{Path.DirectorySeparatorChar}", run.ErrorLines.Single(l => l.StartsWith("error:", StringComparison.Ordinal)));
        Assert.Equal(before, AtomicOutputTests.Snapshot(gen));
        Assert.Equal(["gen"], Directory.EnumerateFileSystemEntries(disk.Path).Select(Path.GetFileName));
    }

    [TinyDiskFact]
    [Trait("Category", "Integration")]
    public void Flow_onto_a_full_disk_stops_at_the_stage_that_cannot_write_and_names_its_file()
    {
        using var disk = TinyDisk.Mount(64);
        var run = CliProcess.Run(["flow", "--model", SavedModel(), "--images", "2", "--sweep", "6", "--data", RepoPaths.MnistDir, "--out", disk.Path], timeoutSeconds: 900);
        run.AssertCleanError($"{Path.Combine(disk.Path, "quant", "lenet5-w8a8.qmodel.json")}: cannot write: disk full");
        Assert.False(Directory.EnumerateFiles(disk.Path, "*.qmodel.json", SearchOption.AllDirectories).Any());
    }

    private static long DiskUsageKb(string dir, Action<string> write)
    {
        write(dir);
        // tmpfs gives every file whole pages; folders cost a page each too.
        long pages = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => (new FileInfo(f).Length + 4095) / 4096)
                   + Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).Count();
        return pages * 4;
    }

    // ---- a folder where a file belongs ----

    [Fact]
    public void Quantize_whose_qmodel_path_is_a_folder_names_it()
    {
        string outDir = RepoPaths.NewTempDir();
        Directory.CreateDirectory(Path.Combine(outDir, "q.qmodel.json"));
        CliProcess.Run(QuickQuantize(SavedModel(), outDir)).AssertCleanError($"{Path.Combine(outDir, "q.qmodel.json")}: is a folder, expected a file");
    }

    [Fact]
    public void Codegen_of_a_folder_instead_of_a_qmodel_names_it()
    {
        string folder = Path.Combine(RepoPaths.NewTempDir(), "q.qmodel.json");
        Directory.CreateDirectory(folder);
        string parent = RepoPaths.NewTempDir();
        CliProcess.Run(["codegen", folder, "--out", Path.Combine(parent, "gen")]).AssertCleanError($"{folder}: is a folder, expected a .qmodel.json file");
        Assert.Empty(Directory.EnumerateFileSystemEntries(parent));
    }

    [Theory]
    [InlineData("csim")]
    [InlineData("cosim")]
    public void Csim_and_cosim_with_a_folder_as_the_project_qmodel_name_it_and_keep_the_project(string command)
    {
        string gen = Path.Combine(RepoPaths.NewTempDir(), "gen");
        Codegen(gen);
        string qmodel = Path.Combine(gen, "qmodel.json");
        File.Delete(qmodel);
        Directory.CreateDirectory(qmodel);
        var before = AtomicOutputTests.Snapshot(gen);
        CliProcess.Run([command, gen, "--images", "2", "--data", RepoPaths.MnistDir]).AssertCleanError($"{qmodel}: is a folder, expected a .qmodel.json file");
        Assert.Equal(before, AtomicOutputTests.Snapshot(gen));
    }

    [Fact]
    public void Csim_with_a_folder_where_its_result_file_goes_names_it()
    {
        string gen = Path.Combine(RepoPaths.NewTempDir(), "gen");
        Codegen(gen);
        string result = Path.Combine(gen, "csim_result.json");
        Directory.CreateDirectory(result);
        CliProcess.Run(["csim", gen, "--images", "2", "--data", RepoPaths.MnistDir]).AssertCleanError($"{result}: is a folder, expected the result file");
        Assert.True(Directory.Exists(result));
    }

    [Fact]
    public void Flow_with_a_folder_as_the_model_weights_names_it_before_any_stage()
    {
        string model = SavedModel();
        File.Delete(model + ModelFile.BinExtension);
        Directory.CreateDirectory(model + ModelFile.BinExtension);
        string outDir = RepoPaths.NewTempDir();
        CliProcess.Run(["flow", "--model", model, "--data", RepoPaths.MnistDir, "--out", outDir])
            .AssertCleanError($"{model}{ModelFile.BinExtension}: is a folder");
        Assert.Empty(Directory.EnumerateFileSystemEntries(outDir));
    }
}
