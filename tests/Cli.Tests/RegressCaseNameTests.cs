namespace LeNetHls.Cli.Tests;

/// <summary>A regression case's Id names its folder and its model, so it must pass the model-name rule quantize applies.</summary>
public class RegressCaseNameTests
{
    [Fact]
    public void Every_case_of_the_default_matrix_is_a_valid_model_name() =>
        Assert.All(LeNetHls.Cli.Regress.RegressMatrix.Default.Expand(), c => Assert.True(Names.IsModelName(c.Id), c.Id));

    [Fact]
    public void A_stall_probability_is_written_without_a_dot() =>
        Assert.EndsWith("-stall0p3", new LeNetHls.Cli.Regress.RegressCase("lenet5", 8, "rnd", "sat", 32, 0.3).Id);
}
