using LeNetHls.Cli.Flow;

namespace LeNetHls.Cli.Tests;

/// <summary>A flow stage is done when its stamp's input and output hashes both still match; anything else reruns it.</summary>
public class FlowStampTests
{
    private sealed class Fixture
    {
        public string OutDir { get; } = RepoPaths.NewTempDir("lenet-flowstamp");
        public string QModel { get; } = AtomicOutputTests.SaveQModel(SyntheticQModel.Create(Presets.LeNet5()));
        public List<string> Said { get; } = [];
        public string Gen => Path.Combine(OutDir, "gen");

        public FlowStage Codegen => new("codegen", ["codegen", QModel, "--out", Gen, "--multipliers", "16"], [QModel],
                                        [Path.Combine(Gen, "hls"), Path.Combine(Gen, "rtl")]);

        public string Run(params FlowStage[] stages)
        {
            Said.Clear();
            new FlowRunner(OutDir, Said.Add, CancellationToken.None)
            {
                StepsAfterStages = 1,
                StageCommand = (CliProcess.DotnetHost(), [CliProcess.Dll]),
            }.Run(stages);
            return string.Join("\n", Said);
        }

        /// <summary>Runs codegen, applies <paramref name="change"/>, runs it again and returns what the second run said.</summary>
        public string RerunAfter(Action change)
        {
            Run(Codegen);
            change();
            return Run(Codegen);
        }
    }

    private const string Reran = "codegen         done in";

    [Fact]
    public void A_rerun_with_nothing_changed_skips_the_stage()
    {
        var f = new Fixture();
        Assert.Contains(Reran, f.Run(f.Codegen));
        Assert.Contains("codegen         skipped: inputs and outputs unchanged", f.Run(f.Codegen));
    }

    [Fact]
    public void A_deleted_output_file_reruns_the_stage_and_brings_it_back()
    {
        var f = new Fixture();
        string top = Path.Combine(f.Gen, "hls", "lenet5.cpp");
        Assert.Contains(Reran, f.RerunAfter(() => File.Delete(top)));
        Assert.True(File.Exists(top));
    }

    [Fact]
    public void An_edited_output_file_reruns_the_stage()
    {
        var f = new Fixture();
        string top = Path.Combine(f.Gen, "rtl", "lenet5.v");
        Assert.Contains(Reran, f.RerunAfter(() => File.AppendAllText(top, "// edited\n")));
        Assert.DoesNotContain("// edited", File.ReadAllText(top));
    }

    [Fact]
    public void A_changed_input_reruns_the_stage()
    {
        var f = new Fixture();
        Assert.Contains(Reran, f.RerunAfter(() => QModelFile.Save(SyntheticQModel.Create(Presets.LeNet5(), seed: 9), f.QModel)));
    }

    [Fact]
    public void The_step_counter_includes_the_steps_after_the_stages()
    {
        var f = new Fixture();
        Assert.StartsWith("[1/2] codegen", f.Run(f.Codegen));
    }

    [Fact]
    public void A_stamp_from_an_older_flow_makes_the_stage_rerun_instead_of_failing()
    {
        var f = new Fixture();
        Assert.Contains(Reran, f.RerunAfter(() => File.WriteAllText(Path.Combine(f.OutDir, ".flow", "codegen.stamp"), "0123abcd")));
    }

    [Fact]
    public void A_failed_rerun_removes_the_stamp_so_the_stage_is_not_taken_as_done()
    {
        var f = new Fixture();
        f.Run(f.Codegen);
        var broken = f.Codegen with { Arguments = ["codegen", f.QModel, "--out", f.Gen, "--multipliers", "2"] };
        Assert.Throws<Core.IO.LeNetHlsException>(() => f.Run(broken));
        Assert.False(File.Exists(Path.Combine(f.OutDir, ".flow", "codegen.stamp")));
    }
}
