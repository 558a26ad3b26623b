using LeNetHls.Trainer.Qat;

namespace LeNetHls.Cli.Commands;

/// <summary>The options that turn `train` into quantization-aware training from scratch.</summary>
internal sealed class TrainQatOptions
{
    public readonly Option<string?> Config = new("--qat") { Description = "QAT from scratch with per-layer widths from this JSON file ({\"conv1\": {\"weights\": {\"bits\": 4}, \"output\": {\"bits\": 4}}}; unnamed layers take --bits, else 8)" };
    public readonly Option<int?> Bits = new("--bits") { Description = "QAT from scratch: width of every weight and hidden activation" };
    public readonly Option<int?> WeightBits = new("--weight-bits") { Description = "QAT from scratch: weight width (overrides --bits)" };
    public readonly Option<int?> ActBits = new("--act-bits") { Description = "QAT from scratch: hidden activation width (overrides --bits)" };
    public readonly Option<int?> ScoreBits = new("--score-bits") { Description = $"QAT: width of the final scores (default {QatWidths.DefaultScoreBits})" };
    public readonly Option<string?> Rounding = new("--rounding") { Description = "QAT: requantization rounding rnd, trn or rnd_conv (default rnd)" };
    public readonly Option<bool> Refine = new("--refine-scales") { Description = "QAT: also move each power-of-two scale by ±1 where that lowers the calibration loss" };
    public readonly Option<bool> UnsignedRelu = new("--unsigned-relu") { Description = "QAT: hidden activations as unsigned ufx<W,F> (0 .. 2^W-1)" };

    public bool Requested(ParseResult r) =>
        r.GetValue(Config) is not null || r.GetValue(Bits) is not null || r.GetValue(WeightBits) is not null || r.GetValue(ActBits) is not null;

    public void RejectWithoutQat(ParseResult r)
    {
        if (r.GetValue(ScoreBits) is not null || r.GetValue(Rounding) is not null || r.GetValue(Refine) || r.GetValue(UnsignedRelu))
            throw new LeNetHlsException("--score-bits, --rounding, --refine-scales and --unsigned-relu apply to QAT training: add --qat QCONFIG or --bits N");
    }

    public QatWidths Widths(ParseResult r, ModelSpec spec)
    {
        QatNetwork.CheckSupported(spec);
        string? config = r.GetValue(Config);
        int? all = r.GetValue(Bits);
        // A QCONFIG may name every layer, so it needs no --bits; without one the widths must all be given.
        int? fallback = config is null ? null : QatConfig.DefaultBits;
        const string missing = "train: give --bits, both --weight-bits and --act-bits, or --qat QCONFIG";
        int w = r.GetValue(WeightBits) ?? all ?? fallback ?? throw new LeNetHlsException(missing);
        int a = r.GetValue(ActBits) ?? all ?? fallback ?? throw new LeNetHlsException(missing);
        int s = r.GetValue(ScoreBits) ?? QatWidths.DefaultScoreBits;
        // Activations first: --bits sets both, and activations allow the narrower range.
        Check(a, r.GetValue(ActBits) is null ? "--bits" : "--act-bits", QatWidths.MinBits);
        Check(w, r.GetValue(WeightBits) is null ? "--bits" : "--weight-bits", QatWidths.MinWeightBits);
        Check(s, "--score-bits", QatWidths.MinBits);
        var widths = config is null ? QatWidths.Uniform(spec, w, a, s) : QatConfig.Load(config, spec, w, a, s);
        return widths with { UnsignedRelu = r.GetValue(UnsignedRelu) };
    }

    /// <summary>Names the run: wNaM, or the QCONFIG's file name.</summary>
    public string Tag(ParseResult r)
    {
        if (r.GetValue(Config) is { } config) return Path.GetFileNameWithoutExtension(config);
        int? all = r.GetValue(Bits);
        return Invariant($"w{r.GetValue(WeightBits) ?? all}a{r.GetValue(ActBits) ?? all}{(r.GetValue(UnsignedRelu) ? "u" : "")}");
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static void Check(int bits, string option, int min)
    {
        if (bits < min || bits > QatWidths.MaxBits)
            throw new LeNetHlsException(Invariant($"{option}: width {bits} is outside the QAT range {min}..{QatWidths.MaxBits}"));
    }
}
