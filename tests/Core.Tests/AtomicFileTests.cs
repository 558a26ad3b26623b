namespace LeNetHls.Core.Tests;

public class AtomicFileTests
{
    [Fact]
    public void A_writer_that_fails_midway_leaves_the_old_file_untouched_and_no_temp_files()
    {
        string dir = RepoPaths.NewTempDir();
        string path = Path.Combine(dir, "result.txt");
        File.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("new-partial"u8);
            throw new InvalidOperationException("crash");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void A_completed_write_replaces_the_file() 
    {
        string path = Path.Combine(RepoPaths.NewTempDir(), "r.txt");
        File.WriteAllText(path, "old");
        AtomicFile.WriteAllText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
    }

    [Fact]
    public void An_unwritable_folder_gives_a_one_line_error_naming_it()
    {
        var e = Assert.Throws<LeNetHlsException>(() => AtomicFile.EnsureWritableDirectory("/proc/lenet-out"));
        Assert.StartsWith("/proc/lenet-out: output folder is not writable", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
