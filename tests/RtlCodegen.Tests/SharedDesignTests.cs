using LeNetHls.RtlCodegen;

namespace LeNetHls.RtlCodegen.Tests;

/// <summary>The test-side design sharing that lets cosim tests of the same RTL reuse one Verilator build.</summary>
public class SharedDesignTests
{
    [Fact]
    public void The_same_rtl_generated_twice_lands_in_one_folder()
    {
        var model = RtlFixture.Model("lenet5-classic", seed: 12);
        Assert.Equal(SharedDesign.Of(model, multipliers: 16).Dir, SharedDesign.Of(model, multipliers: 16).Dir);
    }

    [Fact]
    public void Different_rtl_lands_in_different_folders()
    {
        var model = RtlFixture.Model("lenet5-classic", seed: 12);
        var design = SharedDesign.Of(model, multipliers: 16);
        Assert.NotEqual(design.Dir, SharedDesign.Of(model, multipliers: 8).Dir);
        var edited = design.Edited(rtl => File.AppendAllText(Path.Combine(rtl, "lenet5.v"), "// edited\n"));
        Assert.NotEqual(design.Dir, edited.Dir);
        Assert.DoesNotContain("// edited", File.ReadAllText(Path.Combine(design.RtlDir, "lenet5.v")));
    }
}
