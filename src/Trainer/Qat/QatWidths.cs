namespace LeNetHls.Trainer.Qat;

/// <summary>
/// Per-layer widths for quantization-aware training, one entry per conv/dense layer of the spec (in
/// spec order): the weight width and the output width. The output of the last layer is the score
/// vector; the hidden outputs are the activations.
/// </summary>
public sealed record QatWidths
{
    public const int MinBits = 2;
    /// <summary>Weights may also be 1-bit bipolar (docs/fixed-point.md §1); activations need a 0, so 2 bits at least.</summary>
    public const int MinWeightBits = FixedPointMath.BipolarBits;
    /// <summary>Above 8 bits the accumulators may exceed 2^24 and the float32 forward would stop being exact.</summary>
    public const int MaxBits = 8;
    /// <summary>Scores stay 8 bits wide in the uniform configurations: the argmax needs distinct values, not ROM.</summary>
    public const int DefaultScoreBits = 8;

    public QatWidths(IReadOnlyList<int> weightBits, IReadOnlyList<int> outputBits)
    {
        if (weightBits.Count != outputBits.Count || weightBits.Count == 0)
            throw new ArgumentException("one weight width and one output width per conv/dense layer");
        WeightBits = [.. weightBits];
        OutputBits = [.. outputBits];
        foreach (int b in WeightBits)
            if (b is < MinWeightBits or > MaxBits)
                throw new LeNetHlsException($"QAT weight widths must be in {MinWeightBits}..{MaxBits} bits (got {b})");
        foreach (int b in OutputBits)
            if (b is < MinBits or > MaxBits)
                throw new LeNetHlsException($"QAT activation and score widths must be in {MinBits}..{MaxBits} bits (got {b})");
    }

    public IReadOnlyList<int> WeightBits { get; }
    public IReadOnlyList<int> OutputBits { get; }
    /// <summary>Relu outputs (the hidden activations) as unsigned ufx&lt;W,F&gt; (docs/fixed-point.md §1); the scores stay signed.</summary>
    public bool UnsignedRelu { get; init; }
    public int Layers => WeightBits.Count;

    /// <summary>WnAm: every weight n bits, every hidden activation m bits, scores scoreBits.</summary>
    public static QatWidths Uniform(ModelSpec spec, int weightBits, int activationBits, int scoreBits = DefaultScoreBits, bool unsignedRelu = false)
    {
        int layers = spec.ParameterLayers().Length;
        var outputs = Enumerable.Repeat(activationBits, layers).ToArray();
        outputs[^1] = scoreBits;
        return new QatWidths(Enumerable.Repeat(weightBits, layers).ToArray(), outputs) { UnsignedRelu = unsignedRelu };
    }

    /// <summary>"conv1 w4/a4, ..., fc3 w4/s8" (s: the scores).</summary>
    public string Describe(ModelSpec spec)
    {
        var names = spec.ParameterLayers().Select(i => spec.Layers[i].Name).ToArray();
        return string.Join(", ", names.Select((n, i) => string.Create(CultureInfo.InvariantCulture,
            $"{n} w{WeightBits[i]}/{(i == names.Length - 1 ? "s" : "a")}{OutputBits[i]}{(UnsignedRelu && i < names.Length - 1 ? "u" : "")}")));
    }

    public bool Equals(QatWidths? other) =>
        other is not null && WeightBits.SequenceEqual(other.WeightBits) && OutputBits.SequenceEqual(other.OutputBits) && UnsignedRelu == other.UnsignedRelu;

    public override int GetHashCode() =>
        WeightBits.Concat(OutputBits).Aggregate(17, (h, b) => h * 31 + b);
}
