using LeNetHls.Cli.Report;

namespace LeNetHls.Cli.Tests;

public class ReportSweepTests
{
    private const string Header = "series,bits,weight_bits,act_bits,images,float_accuracy,fixed_accuracy,changed_predictions,error,qmodel";

    private static List<SweepPoint> Read(params string[] rows)
    {
        string path = Path.Combine(RepoPaths.NewTempDir("sweep"), "accuracy.csv");
        File.WriteAllLines(path, [Header, .. rows]);
        return ReportBuilder.ReadSweep(path);
    }

    [Fact]
    public void Each_width_folds_weights_activations_and_both_into_one_point()
    {
        var points = Read("weights,4,4,16,100,99,98.5,1,,", "activations,4,16,4,100,99,98,1,,", "both,4,4,4,100,99,97.5,2,,");
        var p = Assert.Single(points);
        Assert.Equal((4, 0.985, 0.98, 0.975), (p.Bits, p.WeightsOnly, p.ActivationsOnly, p.Both));
        Assert.True(double.IsNaN(p.Qat));
    }

    [Fact]
    public void A_uniform_qat_qmodel_joins_its_width_and_its_post_training_comparison_does_not()
    {
        var points = Read("both,4,4,4,100,99,97.5,2,,", "qat,4,4,4,100,99,99.25,1,,m-qat-w4a4", "ptq_at_qat_widths,4,4,4,100,99,98.75,1,,m-qat-w4a4");
        Assert.Equal(0.9925, Assert.Single(points).Qat);
        Assert.Equal(0.975, points[0].Both);
    }

    [Fact]
    public void A_qat_width_outside_the_sweep_gets_its_own_row_in_widest_first_order()
    {
        var points = Read("both,8,8,8,100,99,99,0,,", "both,4,4,4,100,99,97.5,2,,", "qat,2,2,2,100,99,98,1,,m-qat-w2a2");
        Assert.Equal([8, 4, 2], points.Select(p => p.Bits));
        Assert.True(double.IsNaN(points[2].Both));
        Assert.Equal(0.98, points[2].Qat);
    }

    [Fact]
    public void A_mixed_width_qat_qmodel_is_not_a_row()
    {
        var points = Read("both,4,4,4,100,99,97.5,2,,", "qat,2,1,4,100,99,98.5,1,,m-qat-w1a4");
        Assert.Equal([4], points.Select(p => p.Bits));
        Assert.True(double.IsNaN(points[0].Qat));
    }
}
