using LeNetHls.Core.IO;
using LeNetHls.RtlCodegen;

namespace LeNetHls.RtlCodegen.Tests;

/// <summary>synth-estimate writes DIR/synth as a whole: built beside it, swapped in only when the estimate succeeds.</summary>
[Trait("Category", "Integration")]
public class SynthFolderTests
{
    /// <summary>A generated project whose RTL yosys rejects at once (a syntax error), with an earlier estimate in DIR/synth.</summary>
    private static string ProjectThatFailsSynthesis()
    {
        string dir = RtlFixture.Generate(RtlFixture.Model("lenet5-classic"), 8, "synth-folder");
        File.AppendAllText(Path.Combine(dir, CosimRunner.RtlFolder, "lenet_round.v"), "\nmodule broken(;\n");
        Directory.CreateDirectory(Path.Combine(dir, SynthEstimator.SynthFolder));
        File.WriteAllText(Path.Combine(dir, SynthEstimator.SynthFolder, SynthEstimator.ResultFile), "previous");
        return dir;
    }

    private static void RunAndFail(string dir)
    {
        var e = Assert.Throws<LeNetHlsException>(() => SynthEstimator.Run(dir, new SynthOptions { Cache = new SynthCache(Path.Combine(dir, "cache")), Depth = false }));
        Assert.Contains("yosys failed", e.Message);
    }

    [Fact]
    public void A_failed_estimate_leaves_the_previous_synth_folder_as_it_was()
    {
        string dir = ProjectThatFailsSynthesis();
        try
        {
            RunAndFail(dir);
            Assert.Equal(["resources.json"], Directory.GetFileSystemEntries(Path.Combine(dir, SynthEstimator.SynthFolder)).Select(Path.GetFileName));
            Assert.Equal("previous", File.ReadAllText(Path.Combine(dir, SynthEstimator.SynthFolder, SynthEstimator.ResultFile)));
            Assert.DoesNotContain(Directory.GetDirectories(dir), d => Path.GetFileName(d).StartsWith(".synth.", StringComparison.Ordinal));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void The_staging_folder_a_killed_run_left_is_removed_by_the_next_run()
    {
        string dir = ProjectThatFailsSynthesis();
        try
        {
            // The name a killed run's staging folder has, with a process id no process has.
            string stale = Path.Combine(dir, $".{SynthEstimator.SynthFolder}.staging-{int.MaxValue}-0123456789abcdef");
            Directory.CreateDirectory(Path.Combine(stale, "batch0"));
            RunAndFail(dir);
            Assert.False(Directory.Exists(stale));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
