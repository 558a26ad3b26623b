using System.Text.RegularExpressions;

namespace LeNetHls.RtlCodegen.Tests;

public partial class ModeCodesTests
{
    private static string RtlDir => Path.Combine(RepoPaths.Root, "rtl");

    [GeneratedRegex(@"^\s*localparam\s+(\w+)\s*=\s*(\d+)\s*;", RegexOptions.Multiline)]
    private static partial Regex Localparam();

    [Fact]
    public void The_verilog_include_declares_exactly_the_codes_of_the_core_mapping()
    {
        string text = File.ReadAllText(Path.Combine(RtlDir, VerilogCodes.IncludeFile));
        var declared = Localparam().Matches(text).ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
        Assert.Equal(VerilogCodes.Localparams.OrderBy(p => p.Key), declared.OrderBy(p => p.Key));
    }

    [Theory]
    [InlineData("lenet_round.v", "ROUND")]
    [InlineData("lenet_fit.v", "SATURATE")]
    [InlineData("lenet_mvau.v", "ACT")]
    [InlineData("lenet_pool.v", "MODE")]
    public void Modules_compare_mode_parameters_only_with_the_shared_codes(string module, string parameter)
    {
        string text = File.ReadAllText(Path.Combine(RtlDir, module));
        Assert.Contains($"`include \"{VerilogCodes.IncludeFile}\"", text);
        var comparisons = Regex.Matches(text, $@"\b{parameter}\s*[!=]=\s*(\w+)").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(comparisons);
        Assert.All(comparisons, code => Assert.StartsWith("LENET_", code));
        Assert.DoesNotMatch(@"localparam\s+(ROUND|ACT|MODE|OVERFLOW)_", text);
    }
}
