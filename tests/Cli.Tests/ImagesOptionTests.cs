using System.CommandLine;

namespace LeNetHls.Cli.Tests;

/// <summary>
/// `--images` as the command line itself checks it (parse, then the range rules), for every command that
/// takes a count or 'all': a shard job emitted with `--images all` must pass the same rules it meets.
/// </summary>
public class ImagesOptionTests
{
    private static ParseResult Parse(params string[] args)
    {
        var root = new RootCommand();
        foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
        var parse = root.Parse(args);
        Assert.Empty(parse.Errors);
        return parse;
    }

    public static TheoryData<string[]> CommandsTakingImages => new()
    {
        { ["csim", "gen"] },
        { ["cosim", "gen"] },
        { ["regress"] },
        { ["regress", "emit", "slurm", "--shards", "8", "--out", "job"] },
        { ["regress", "emit", "github", "--shards", "8", "--out", "job"] },
    };

    [Theory]
    [MemberData(nameof(CommandsTakingImages))]
    public void All_and_a_count_pass_the_range_rules(string[] command)
    {
        OptionRanges.Check(Parse([.. command, "--images", "all"]));
        OptionRanges.Check(Parse([.. command, "--images", "10000"]));
    }

    [Theory]
    [MemberData(nameof(CommandsTakingImages))]
    public void Zero_and_more_than_the_test_set_are_refused(string[] command)
    {
        foreach (string bad in new[] { "0", "10001" })
            Assert.Contains("--images", Assert.ThrowsAny<Exception>(() => OptionRanges.Check(Parse([.. command, "--images", bad]))).Message);
    }
}
