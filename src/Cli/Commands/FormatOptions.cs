using LeNetHls.Quantizer;

namespace LeNetHls.Cli.Commands;

/// <summary>The options that pick formats, shared by quantize and report accuracy.</summary>
internal sealed class FormatOptions
{
    public readonly Option<int> Bits = new("--bits") { Description = "Width of every weight and activation (2..32)", DefaultValueFactory = _ => 8 };
    public readonly Option<int?> WeightBits = new("--weight-bits") { Description = "Weight width (overrides --bits; 1 = bipolar ±1)" };
    public readonly Option<int?> ActBits = new("--act-bits") { Description = "Activation width (overrides --bits)" };
    public readonly Option<int> CalibImages = new("--calib-images") { Description = "Training images used to calibrate activations", DefaultValueFactory = _ => ActivationStatistics.DefaultImages };
    public readonly Option<string> CalibMethod = new("--calib-method") { Description = "Activation calibration: mse | max | percentile", DefaultValueFactory = _ => "mse" };
    public readonly Option<double> Percentile = new("--percentile") { Description = "Percentile of |activation| for --calib-method percentile", DefaultValueFactory = _ => 99.99 };
    public readonly Option<string> WeightMethod = new("--weight-method") { Description = "Weight F: mse | maxabs (nothing saturates)", DefaultValueFactory = _ => "mse" };
    public readonly Option<string> Rounding = new("--rounding") { Description = "Requantization rounding: rnd | trn | rnd_conv", DefaultValueFactory = _ => "rnd" };
    public readonly Option<string> Overflow = new("--overflow") { Description = "Requantization overflow: sat | wrap", DefaultValueFactory = _ => "sat" };
    public readonly Option<bool> UnsignedRelu = new("--unsigned-relu") { Description = "ReLU outputs as unsigned ufx<W,F> (0 .. 2^W-1; needs --overflow sat)" };
    public readonly Option<int?> TanhIndexBits = new("--tanh-index-bits") { Description = "Tanh table index width (2..16; default from the output width, at most 12)" };
    public readonly Option<string?> Override = new("--override") { Description = "JSON file overriding any layer's weights/output bits and frac (docs/qmodel.md)" };
    public readonly Option<string> Data = new("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultDir };
    public readonly Option<int> TestImages = new("--test-images") { Description = "Test images to evaluate (0 = all 10,000)", DefaultValueFactory = _ => 0 };

    public void AddTo(Command c)
    {
        foreach (Option o in new Option[] { Bits, WeightBits, ActBits, CalibImages, CalibMethod, Percentile, WeightMethod, Rounding, Overflow, UnsignedRelu, TanhIndexBits, Override, Data, TestImages })
            c.Options.Add(o);
    }

    public QuantizeOptions Read(ParseResult r)
    {
        int bits = r.GetValue(Bits);
        QuantizeOptions.CheckBits(bits, "--bits");
        var options = new QuantizeOptions
        {
            WeightBits = r.GetValue(WeightBits) ?? bits,
            ActivationBits = r.GetValue(ActBits) ?? bits,
            Calibration = QuantizeOptions.ParseCalibration(r.GetValue(CalibMethod)!),
            Percentile = r.GetValue(Percentile),
            WeightMethod = QuantizeOptions.ParseWeightMethod(r.GetValue(WeightMethod)!),
            Rounding = QuantizeOptions.ParseRounding(r.GetValue(Rounding)!),
            Overflow = QuantizeOptions.ParseOverflow(r.GetValue(Overflow)!),
            TanhIndexBits = r.GetValue(TanhIndexBits),
            UnsignedRelu = r.GetValue(UnsignedRelu),
            Overrides = r.GetValue(Override) is { } path ? FormatOverrides.Load(path) : FormatOverrides.None,
        };
        options.Validate();
        return options;
    }

    /// <summary>
    /// The mixed-precision search chooses every width itself and quantizes by QAT, so with --target-accuracy
    /// these options would silently do nothing: they are rejected instead.
    /// </summary>
    public void RejectWithSearch(ParseResult r)
    {
        var given = new Option[] { Bits, WeightBits, ActBits, CalibImages, CalibMethod, Percentile, WeightMethod, Rounding, Overflow, TanhIndexBits, Override, TestImages }
            .Where(o => r.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
        if (given.Count > 0)
            throw new LeNetHlsException($"quantize --target-accuracy: {string.Join(", ", given)} {(given.Count == 1 ? "does" : "do")} not apply to the search, which chooses every layer's widths by QAT; drop {(given.Count == 1 ? "it" : "them")} or quantize without --target-accuracy");
    }
}
