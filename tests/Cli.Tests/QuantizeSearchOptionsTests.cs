namespace LeNetHls.Cli.Tests;

/// <summary>`quantize --target-accuracy` runs the search, which chooses every width itself: format options are rejected, not ignored.</summary>
public class QuantizeSearchOptionsTests
{
    private static CliResult QuantizeWithTarget(params string[] extra) =>
        CliProcess.Run(["quantize", Path.Combine(RepoPaths.NewTempDir(), "no-model"), "--target-accuracy", "98.8", "--out", RepoPaths.NewTempDir(), .. extra]);

    [Theory]
    [InlineData("--bits", "4")]
    [InlineData("--rounding", "trn")]
    [InlineData("--calib-method", "max")]
    [InlineData("--calib-images", "100")]
    public void A_format_option_beside_target_accuracy_is_a_one_line_error_naming_it(string option, string value) =>
        QuantizeWithTarget(option, value).AssertCleanError($"quantize --target-accuracy: {option}");

    [Fact]
    public void Every_rejected_option_is_named_in_the_one_line()
    {
        var result = QuantizeWithTarget("--weight-bits", "4", "--overflow", "wrap");
        result.AssertCleanError("--weight-bits, --overflow");
    }

    [Fact]
    public void Without_format_options_the_search_starts_and_reaches_the_model_file() =>
        // The search itself is what fails here, on the missing model: the option check let it through.
        QuantizeWithTarget("--unsigned-relu").AssertCleanError("no-model");
}
