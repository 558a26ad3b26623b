namespace LeNetHls.Core.Tests;

/// <summary>A folder is replaced whole or not at all, and what a killed run left beside it is cleaned up by the next.</summary>
public class AtomicDirectoryTests
{
    private static string Target(out string parent)
    {
        parent = RepoPaths.NewTempDir();
        string target = Path.Combine(parent, "out");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "marker"), "old");
        File.WriteAllText(Path.Combine(target, "only-old"), "old");
        return target;
    }

    /// <summary>A pid that no running process has (pids stay far below this on Linux).</summary>
    private const int DeadPid = 999_999_999;

    [Fact]
    public void Commit_replaces_the_whole_folder()
    {
        string target = Target(out var parent);
        using (var staging = AtomicDirectory.Begin(target, "marker"))
        {
            File.WriteAllText(Path.Combine(staging.StagingPath, "marker"), "new");
            staging.Commit();
        }
        Assert.Equal("new", File.ReadAllText(Path.Combine(target, "marker")));
        Assert.False(File.Exists(Path.Combine(target, "only-old")));
        Assert.Equal(["out"], Directory.EnumerateFileSystemEntries(parent).Select(Path.GetFileName));
    }

    [Fact]
    public void Without_a_commit_the_old_folder_stays_and_the_staging_folder_goes()
    {
        string target = Target(out var parent);
        using (var staging = AtomicDirectory.Begin(target, "marker"))
            File.WriteAllText(Path.Combine(staging.StagingPath, "marker"), "new");
        Assert.Equal("old", File.ReadAllText(Path.Combine(target, "marker")));
        Assert.Equal(["out"], Directory.EnumerateFileSystemEntries(parent).Select(Path.GetFileName));
    }

    [Fact]
    public void A_new_folder_is_created_by_the_commit()
    {
        string parent = RepoPaths.NewTempDir();
        string target = Path.Combine(parent, "fresh ü");
        using (var staging = AtomicDirectory.Begin(target))
        {
            File.WriteAllText(Path.Combine(staging.StagingPath, "a"), "1");
            Assert.False(Directory.Exists(target));
            staging.Commit();
        }
        Assert.Equal("1", File.ReadAllText(Path.Combine(target, "a")));
    }

    [Fact]
    public void A_staging_folder_of_a_dead_process_is_removed_by_the_next_run()
    {
        string target = Target(out var parent);
        Directory.CreateDirectory(Path.Combine(parent, $".out.staging-{DeadPid}-abc"));
        using (AtomicDirectory.Begin(target, "marker")) { }
        Assert.Equal(["out"], Directory.EnumerateFileSystemEntries(parent).Select(Path.GetFileName));
    }

    [Fact]
    public void A_swap_killed_between_its_renames_is_finished_with_the_new_folder()
    {
        string target = Target(out var parent);
        // The fallback swap: staging renamed to ready, target renamed to old, then killed.
        Directory.Move(target, Path.Combine(parent, $".out.old-{DeadPid}-a"));
        string ready = Path.Combine(parent, $".out.ready-{DeadPid}-b");
        Directory.CreateDirectory(ready);
        File.WriteAllText(Path.Combine(ready, "marker"), "new");
        AtomicDirectory.Recover(target);
        Assert.Equal("new", File.ReadAllText(Path.Combine(target, "marker")));
        Assert.Equal(["out"], Directory.EnumerateFileSystemEntries(parent).Select(Path.GetFileName));
    }

    [Fact]
    public void A_swap_killed_before_the_new_folder_was_ready_restores_the_old_one()
    {
        string target = Target(out var parent);
        Directory.Move(target, Path.Combine(parent, $".out.old-{DeadPid}-a"));
        Directory.CreateDirectory(Path.Combine(parent, $".out.staging-{DeadPid}-b"));
        AtomicDirectory.Recover(target);
        Assert.Equal("old", File.ReadAllText(Path.Combine(target, "marker")));
        Assert.Equal(["out"], Directory.EnumerateFileSystemEntries(parent).Select(Path.GetFileName));
    }

    [Fact]
    public void A_folder_without_the_owner_marker_is_not_replaced()
    {
        string parent = RepoPaths.NewTempDir();
        File.WriteAllText(Path.Combine(parent, "notes.txt"), "mine");
        var e = Assert.Throws<LeNetHlsException>(() => AtomicDirectory.Begin(parent, "qmodel.json", "codegen"));
        Assert.Contains("holds files that codegen did not write", e.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(parent, "notes.txt")));
    }

    [Fact]
    public void A_stale_temporary_file_of_a_dead_writer_is_removed_by_the_next_write()
    {
        string dir = RepoPaths.NewTempDir();
        string stale = Path.Combine(dir, $".a.json.{DeadPid}.0123.tmp");
        File.WriteAllText(stale, "half");
        AtomicFile.WriteAllText(Path.Combine(dir, "a.json"), "{}");
        Assert.False(File.Exists(stale));
    }
}
