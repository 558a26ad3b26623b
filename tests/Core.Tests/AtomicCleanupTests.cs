using LeNetHls.Core.IO;
using LeNetHls.TestSupport;

namespace LeNetHls.Core.Tests;

/// <summary>
/// The pieces a rerun after a SIGKILL relies on: leftovers of dead writers anywhere under a folder are
/// found and cleaned, a tool's output goes through a temporary name, and errors name the user's paths.
/// </summary>
public class AtomicCleanupTests
{
    /// <summary>A pid that no running process has (pids stay far below this on Linux).</summary>
    private const int DeadPid = 999_999_999;

    private static string[] Entries(string dir) =>
        [.. Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Select(e => Path.GetRelativePath(dir, e)).Order(StringComparer.Ordinal)];

    [Fact]
    public void RecoverAllUnder_removes_staging_folders_and_temporaries_of_dead_processes_at_any_depth()
    {
        string root = RepoPaths.NewTempDir();
        string gen = Path.Combine(root, "gen");
        Directory.CreateDirectory(Path.Combine(gen, "tb_data"));
        File.WriteAllText(Path.Combine(gen, "tb_data", "images.bin"), "old");
        Directory.CreateDirectory(Path.Combine(gen, $".tb_data.staging-{DeadPid}-0123"));
        File.WriteAllText(Path.Combine(gen, $".tb_data.staging-{DeadPid}-0123", "images.bin"), "half");
        Directory.CreateDirectory(Path.Combine(root, $".gen.staging-{DeadPid}-4567"));
        File.WriteAllText(Path.Combine(gen, $".qmodel.json.{DeadPid}.{Guid.NewGuid():N}.tmp"), "half");

        AtomicDirectory.RecoverAllUnder(root);

        Assert.Equal(["gen", Path.Combine("gen", "tb_data"), Path.Combine("gen", "tb_data", "images.bin")], Entries(root));
        Assert.Equal("old", File.ReadAllText(Path.Combine(gen, "tb_data", "images.bin")));
    }

    [Fact]
    public void RecoverAllUnder_finishes_a_swap_killed_between_its_renames()
    {
        string root = RepoPaths.NewTempDir();
        string deep = Path.Combine(root, "a", "b");
        Directory.CreateDirectory(Path.Combine(deep, $".cosim.old-{DeadPid}-1"));
        string ready = Path.Combine(deep, $".cosim.ready-{DeadPid}-2");
        Directory.CreateDirectory(ready);
        File.WriteAllText(Path.Combine(ready, "scores"), "new");

        AtomicDirectory.RecoverAllUnder(root);

        Assert.Equal("new", File.ReadAllText(Path.Combine(deep, "cosim", "scores")));
        Assert.Equal(["cosim"], Directory.EnumerateFileSystemEntries(deep).Select(Path.GetFileName));
    }

    [Fact]
    public void RecoverAllUnder_leaves_a_live_process_and_ordinary_hidden_files_alone()
    {
        string root = RepoPaths.NewTempDir();
        // Pid 1 (init) always runs: its staging folder belongs to a parallel run.
        string live = Path.Combine(root, ".gen.staging-1-9");
        Directory.CreateDirectory(live);
        File.WriteAllText(Path.Combine(root, ".notes.tmp"), "mine");
        Directory.CreateDirectory(Path.Combine(root, ".flow"));

        AtomicDirectory.RecoverAllUnder(root);

        Assert.True(Directory.Exists(live));
        Assert.True(File.Exists(Path.Combine(root, ".notes.tmp")));
        Assert.True(Directory.Exists(Path.Combine(root, ".flow")));
    }

    [Fact]
    public void A_temporary_path_is_put_in_place_by_Replace_and_a_dead_writers_one_is_removed_first()
    {
        string dir = RepoPaths.NewTempDir();
        string binary = Path.Combine(dir, "tb");
        File.WriteAllText(binary, "old");
        string stale = Path.Combine(dir, $".tb.{DeadPid}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(stale, "half");

        string temporary = AtomicFile.TemporaryPathFor(binary);
        Assert.False(File.Exists(stale));
        Assert.Equal("old", File.ReadAllText(binary));
        File.WriteAllText(temporary, "new");
        AtomicFile.Replace(temporary, binary);

        Assert.Equal("new", File.ReadAllText(binary));
        Assert.Equal([binary], Directory.GetFiles(dir));
    }

    [Fact]
    public void An_error_inside_the_staging_folder_names_the_final_folder()
    {
        string parent = RepoPaths.NewTempDir();
        string target = Path.Combine(parent, "gen");
        using var staging = AtomicDirectory.Begin(target);
        var e = Assert.Throws<LeNetHlsException>(() => staging.Build(path =>
            throw LeNetHlsException.InFile(Path.Combine(path, "hls", "lenet5.cpp"), "cannot write: disk full")));
        Assert.Equal($"{Path.Combine(target, "hls", "lenet5.cpp")}: cannot write: disk full", e.Message);
    }

    [Fact]
    public void Files_of_another_command_are_kept_only_when_asked_and_only_if_missing_from_the_new_version()
    {
        string target = Path.Combine(RepoPaths.NewTempDir(), "tb_data");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "images.bin"), "same");
        File.WriteAllText(Path.Combine(target, "cosim_scores.bin"), "cosim");
        File.WriteAllText(Path.Combine(target, "csim_scores.bin"), "old csim");
        using (var staging = AtomicDirectory.Begin(target, "images.bin"))
        {
            File.WriteAllText(Path.Combine(staging.StagingPath, "images.bin"), "same");
            File.WriteAllText(Path.Combine(staging.StagingPath, "csim_scores.bin"), "new csim");
            Assert.True(staging.SameInTargetAndStaging("images.bin"));
            Assert.False(staging.SameInTargetAndStaging("images.bin", "golden_scores.bin"));
            staging.KeepFromTarget(["cosim_scores.bin", "csim_scores.bin"]);
            staging.Commit();
        }
        Assert.Equal("cosim", File.ReadAllText(Path.Combine(target, "cosim_scores.bin")));
        Assert.Equal("new csim", File.ReadAllText(Path.Combine(target, "csim_scores.bin")));
    }

    [Fact]
    public void A_file_error_with_a_known_cause_is_reduced_to_that_cause()
    {
        Assert.Equal("permission denied", FileErrors.Reason(new UnauthorizedAccessException("Access to the path '/x/.probe.1' is denied.")));
        Assert.Equal("disk full", FileErrors.Reason(new IOException("No space left on device : '/x/.f.1.tmp'", 28)));
        Assert.Equal("something odd", FileErrors.Reason(new IOException("something odd\nmore")));
    }
}
