namespace LeNetHls.Core.Tests.Verification;

public class ExternalProcessTests
{
    private static readonly string Here = Path.GetTempPath();

    [Fact]
    public void Arguments_with_spaces_and_quotes_arrive_as_one_argument_each()
    {
        var result = ExternalProcess.Run("/bin/sh", ["-c", "printf '%s\\n' \"$@\"", "sh", "a folder/with spaces", "say \"hi\"", ""], Here);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("a folder/with spaces\nsay \"hi\"\n\n", result.Stdout);
    }

    [Fact]
    public void Stdout_and_stderr_are_captured_apart_and_together_in_arrival_order()
    {
        var result = ExternalProcess.Run("/bin/sh", ["-c", "echo out1; echo err1 1>&2; sleep 0.2; echo out2; exit 3"], Here);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("out1\nout2\n", result.Stdout);
        Assert.Equal("err1\n", result.Stderr);
        Assert.Equal("out2\n", result.Output[^5..]);
        Assert.Contains("err1\n", result.Output);
    }

    [Fact]
    public void The_environment_is_extended_for_the_child()
    {
        var result = ExternalProcess.Run("/bin/sh", ["-c", "echo $LENET_PROCESS_TEST"], Here,
                                         new ProcessOptions { Environment = new Dictionary<string, string> { ["LENET_PROCESS_TEST"] = "set" } });
        Assert.Equal("set\n", result.Stdout);
    }

    [Fact]
    public void The_hang_guard_kills_the_whole_process_tree_and_says_so_in_one_line()
    {
        int? grandchild = null;
        var e = Assert.Throws<LeNetHlsException>(() => ExternalProcess.Run("/bin/sh", ["-c", "sleep 300 & echo $!; wait"], Here,
            new ProcessOptions { Timeout = TimeSpan.FromSeconds(1), OnLine = line => grandchild ??= int.Parse(line) }));
        Assert.Contains("hang guard", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.NotNull(grandchild);
        Assert.True(ProcessIsGone(grandchild.Value), $"sleep (pid {grandchild}) outlived the killed tree");
    }

    [Fact]
    public void Cancellation_kills_the_whole_process_tree_and_cancels()
    {
        int? grandchild = null;
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => ExternalProcess.Run("/bin/sh", ["-c", "sleep 300 & echo $!; wait"], Here,
            new ProcessOptions { OnLine = line => { grandchild ??= int.Parse(line); cancel.Cancel(); } }, cancel.Token));
        Assert.NotNull(grandchild);
        Assert.True(ProcessIsGone(grandchild.Value), $"sleep (pid {grandchild}) outlived the cancelled tree");
    }

    [Fact]
    public void A_program_missing_from_PATH_is_a_one_line_error_with_the_install_hint()
    {
        var e = Assert.Throws<LeNetHlsException>(() => ExternalProcess.Require("lenet-hls-no-such-tool", "install it: apt-get install nothing"));
        Assert.Equal("lenet-hls-no-such-tool: not found on PATH (install it: apt-get install nothing)", e.Message);
    }

    [Fact]
    public void A_program_that_cannot_start_is_a_one_line_error_naming_it()
    {
        string missing = Path.Combine(RepoPaths.NewTempDir(), "no-such-binary");
        var e = Assert.Throws<LeNetHlsException>(() => ExternalProcess.Run(missing, [], Here));
        Assert.StartsWith($"{missing}: cannot be started", e.Message);
    }

    /// <summary>A killed process may linger as a zombie for a moment until it is reaped; the poll is a hang guard only.</summary>
    private static bool ProcessIsGone(int pid)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            string stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat)) return true;
            try { if (File.ReadAllText(stat).Split(')')[1].Trim().StartsWith('Z')) return true; }
            catch (IOException) { return true; }
            Thread.Sleep(50);
        }
        return false;
    }
}
