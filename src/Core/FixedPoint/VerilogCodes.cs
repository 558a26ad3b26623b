namespace LeNetHls.Core.FixedPoint;

/// <summary>
/// The integer codes the RTL modules take as parameters for the rounding mode, the overflow mode,
/// the fused activation and the pooling mode. rtl/lenet_modes.vh declares the same codes as
/// localparams for the Verilog side; a test pins the two against each other, so a code is defined
/// once per language and both sides agree.
/// </summary>
public static class VerilogCodes
{
    public const string IncludeFile = "lenet_modes.vh";

    public static int Round(RoundingMode mode) => mode switch
    {
        RoundingMode.Rnd => 0,
        RoundingMode.Trn => 1,
        RoundingMode.RndConv => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "no Verilog code"),
    };

    /// <summary>The SATURATE parameter: 1 clamps (sat), 0 keeps the low bits (wrap).</summary>
    public static int Overflow(OverflowMode mode) => mode switch
    {
        OverflowMode.Wrap => 0,
        OverflowMode.Sat => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "no Verilog code"),
    };

    public static int Act(Activation activation) => activation switch
    {
        Activation.None => 0,
        Activation.ReLU => 1,
        Activation.Tanh => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "no Verilog code"),
    };

    /// <summary>The MODE parameter of lenet_pool.</summary>
    public static int Pool(QLayerKind kind) => kind switch
    {
        QLayerKind.MaxPool => 0,
        QLayerKind.AvgPool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a pooling layer"),
    };

    /// <summary>Every localparam of rtl/lenet_modes.vh with its value.</summary>
    public static IReadOnlyDictionary<string, int> Localparams { get; } = new Dictionary<string, int>
    {
        ["LENET_ROUND_RND"] = Round(RoundingMode.Rnd),
        ["LENET_ROUND_TRN"] = Round(RoundingMode.Trn),
        ["LENET_ROUND_RND_CONV"] = Round(RoundingMode.RndConv),
        ["LENET_OVERFLOW_WRAP"] = Overflow(OverflowMode.Wrap),
        ["LENET_OVERFLOW_SAT"] = Overflow(OverflowMode.Sat),
        ["LENET_ACT_NONE"] = Act(Activation.None),
        ["LENET_ACT_RELU"] = Act(Activation.ReLU),
        ["LENET_ACT_TANH"] = Act(Activation.Tanh),
        ["LENET_POOL_MAX"] = Pool(QLayerKind.MaxPool),
        ["LENET_POOL_AVG"] = Pool(QLayerKind.AvgPool),
    };
}
