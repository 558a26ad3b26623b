using LeNetHls.Cli.Flow;

namespace LeNetHls.Cli.Tests;

public class FlowPlanTests
{
    private static FlowPlan Plan(bool qat = false, bool unsignedRelu = false) => new()
    {
        Preset = "lenet5", Bits = 4, Qat = qat, UnsignedRelu = unsignedRelu, Multipliers = 128, Images = "all",
        Sweep = "8,4", DataDir = "/data", OutDir = "/out",
    };

    private static FlowStage Stage(FlowPlan plan, string name) => plan.Stages().Single(s => s.Name == name);

    [Fact]
    public void Post_training_quantization_is_the_default_and_the_stages_run_in_order()
    {
        var plan = Plan();
        Assert.Equal(["data", "train", "quantize", "sweep", "codegen", "csim", "cosim", "synth-estimate"], plan.Stages().Select(s => s.Name));
        Assert.Equal("/out/quant/lenet5-w4a4.qmodel.json", plan.QModelPath);
        Assert.DoesNotContain("--qat", Stage(plan, "sweep").Arguments);
    }

    [Fact]
    public void Qat_replaces_quantize_and_the_sweep_measures_the_qat_qmodel_beside_post_training()
    {
        var plan = Plan(qat: true);
        Assert.Equal(["data", "train", "qat", "sweep", "codegen", "csim", "cosim", "synth-estimate"], plan.Stages().Select(s => s.Name));
        Assert.Equal("/out/quant/lenet5-qat-w4a4.qmodel.json", plan.QModelPath);
        Assert.Equal(["qat", "/out/model/lenet5", "--bits", "4", "--name", "lenet5-qat-w4a4", "--out", "/out/quant", "--data", "/data"], Stage(plan, "qat").Arguments);
        var sweep = Stage(plan, "sweep");
        Assert.Equal(plan.QModelPath, sweep.Arguments[sweep.Arguments.ToList().IndexOf("--qat") + 1]);
        Assert.Contains(plan.QModelPath, sweep.Inputs); // a new QAT qmodel reruns the sweep
    }

    [Fact]
    public void Unsigned_relu_reaches_the_quantizer_and_the_sweep_and_names_the_qmodel()
    {
        var plan = Plan(unsignedRelu: true);
        Assert.Equal("lenet5-w4a4u", plan.QModelName);
        Assert.Contains("--unsigned-relu", Stage(plan, "quantize").Arguments);
        Assert.Contains("--unsigned-relu", Stage(plan, "sweep").Arguments);
    }

    [Fact]
    public void A_given_model_skips_training()
    {
        var plan = Plan() with { GivenModel = "/models/lenet5" };
        Assert.DoesNotContain(plan.Stages(), s => s.Name == "train");
        Assert.Equal("/models/lenet5", Stage(plan, "quantize").Arguments[1]);
    }
}
