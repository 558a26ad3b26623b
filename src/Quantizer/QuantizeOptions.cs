namespace LeNetHls.Quantizer;

/// <summary>How an activation's magnitude is calibrated from the float activations (docs/fixed-point.md §8).</summary>
public enum CalibrationMethod { Max, Percentile, Mse }

/// <summary>How a weight tensor's F is chosen (docs/fixed-point.md §8).</summary>
public enum WeightMethod { MaxAbs, Mse }

/// <summary>Everything the quantizer needs besides the float model and the calibration activations.</summary>
public sealed record QuantizeOptions
{
    public int WeightBits { get; init; } = 8;
    public int ActivationBits { get; init; } = 8;
    /// <summary>MSE by default: as good as the maximum at 8 bits, clearly better at 3 to 6 (docs/fixed-point.md §8).</summary>
    public WeightMethod WeightMethod { get; init; } = WeightMethod.Mse;
    public CalibrationMethod Calibration { get; init; } = CalibrationMethod.Mse;
    /// <summary>Percentile of |activation| used by <see cref="CalibrationMethod.Percentile"/>.</summary>
    public double Percentile { get; init; } = 99.99;
    public RoundingMode Rounding { get; init; } = RoundingMode.Rnd;
    public OverflowMode Overflow { get; init; } = OverflowMode.Sat;
    /// <summary>Tanh index width; null chooses it from the output width (see TanhTable.DefaultIndexBits).</summary>
    public int? TanhIndexBits { get; init; }
    public FormatOverrides Overrides { get; init; } = FormatOverrides.None;
    /// <summary>ReLU outputs (and their maxpools) as unsigned ufx&lt;W,F&gt; (docs/fixed-point.md §1); needs sat.</summary>
    public bool UnsignedRelu { get; init; }

    public const int MinBits = 2;
    public const int MaxBits = 32;
    /// <summary>Weights may also be 1-bit bipolar (docs/fixed-point.md §1).</summary>
    public const int MinWeightBits = FixedPointMath.BipolarBits;

    /// <summary>Rejects widths and settings that cannot describe a valid qmodel, naming the option.</summary>
    public void Validate()
    {
        CheckBits(WeightBits, "--weight-bits", MinWeightBits);
        CheckBits(ActivationBits, "--act-bits");
        if (Percentile is <= 0 or > 100 || double.IsNaN(Percentile))
            throw new LeNetHlsException($"--percentile: {Percentile} is not in (0, 100]");
        if (UnsignedRelu && Overflow != OverflowMode.Sat)
            throw new LeNetHlsException("--unsigned-relu needs --overflow sat (an unsigned ReLU output saturates into [0, 2^W - 1])");
        if (TanhIndexBits is { } b && b is < 2 or > 16)
            throw new LeNetHlsException($"--tanh-index-bits: {b} is outside 2..16");
    }

    public static void CheckBits(int bits, string what, int minBits = MinBits)
    {
        if (bits < minBits || bits > MaxBits)
            throw new LeNetHlsException($"{what}: width {bits} is outside {minBits}..{MaxBits}");
    }

    public static RoundingMode ParseRounding(string s) => s switch
    {
        "rnd" => RoundingMode.Rnd,
        "trn" => RoundingMode.Trn,
        "rnd_conv" => RoundingMode.RndConv,
        _ => throw new LeNetHlsException($"--rounding: '{s}' is not one of rnd, trn, rnd_conv"),
    };

    public static OverflowMode ParseOverflow(string s) => s switch
    {
        "sat" => OverflowMode.Sat,
        "wrap" => OverflowMode.Wrap,
        _ => throw new LeNetHlsException($"--overflow: '{s}' is not one of sat, wrap"),
    };

    public static CalibrationMethod ParseCalibration(string s) => s switch
    {
        "max" => CalibrationMethod.Max,
        "percentile" => CalibrationMethod.Percentile,
        "mse" => CalibrationMethod.Mse,
        _ => throw new LeNetHlsException($"--calib-method: '{s}' is not one of max, percentile, mse"),
    };

    public static WeightMethod ParseWeightMethod(string s) => s switch
    {
        "maxabs" => WeightMethod.MaxAbs,
        "mse" => WeightMethod.Mse,
        _ => throw new LeNetHlsException($"--weight-method: '{s}' is not one of maxabs, mse"),
    };
}
