using System.Runtime.CompilerServices;

namespace LeNetHls.Trainer.Qat;

/// <summary>
/// docs/fixed-point.md §4 and §5 on real values: the input is an exact accumulator value acc·2^−F_acc,
/// the output is q·2^−F_out with q = max(0 if relu, sat(round(acc·2^−s))). Multiplying by 2^F_out is
/// exact, so rounding acc·2^−s in double gives exactly the integer shift of §4.1 (and for s ≤ 0 the
/// value is already an integer, as in §4.2). With a tanh table the same rounding gives the saturated
/// index and the output is the table entry. Backward is the straight-through estimator: the gradient
/// passes wherever the value lands inside the output (or index) range, including relu's zero bin, and
/// through tanh with tanh's own derivative.
/// </summary>
internal sealed unsafe class RequantLayer(Shape3 shape, bool relu, RoundingMode rounding, bool tanh = false) : Layer(shape, shape)
{
    public bool Relu { get; } = relu;
    /// <summary>The fused activation is tanh: <see cref="Table"/> maps the index to the output (§5).</summary>
    public bool IsTanh { get; } = tanh;
    public int Bits { get; set; } = 8;
    public int Frac { get; set; }
    /// <summary>A relu output stored as ufx&lt;Bits,Frac&gt;: 0 … 2^Bits − 1 (docs/fixed-point.md §1).</summary>
    public bool Unsigned { get; set; }
    /// <summary>The tanh lookup table, chosen by calibration; null until then and for every other activation.</summary>
    public QTanhTable? Table { get; set; }
    /// <summary>The signed width the saturation works at: Bits, or Bits + 1 for an unsigned output.</summary>
    public int ArithmeticBits => Unsigned ? Bits + 1 : Bits;

    private long Low => Relu ? 0 : FixedPointMath.MinOf(Bits);
    private long High => FixedPointMath.MaxOf(ArithmeticBits);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Forward(float* p, float* x, float* y, int n, Scratch s)
    {
        int len = In.Size * n;
        if (IsTanh)
        {
            var table = Table ?? throw new InvalidOperationException("the tanh table is chosen by calibration");
            double indexScale = Math.ScaleB(1.0, table.IndexFrac), outStep = Math.ScaleB(1.0, -Frac);
            int half = 1 << (table.IndexBits - 1);
            for (int i = 0; i < len; i++)
            {
                double t = Round(x[i] * indexScale);
                int index = (int)(t < -half ? -half : t > half - 1 ? half - 1 : t);
                y[i] = (float)(table.Table[index + half] * outStep);
            }
            return;
        }
        double scale = Math.ScaleB(1.0, Frac), step = Math.ScaleB(1.0, -Frac);
        double lo = Low, hi = High;
        for (int i = 0; i < len; i++)
        {
            double t = Round(x[i] * scale);
            y[i] = (float)((t < lo ? lo : t > hi ? hi : t) * step);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Backward(float* p, float* x, float* y, float* dy, float* dx, float* g, int n, Scratch s)
    {
        if (dx == null) return;
        int len = In.Size * n;
        if (IsTanh)
        {
            var table = Table!;
            double indexScale = Math.ScaleB(1.0, table.IndexFrac), half = 1 << (table.IndexBits - 1);
            for (int i = 0; i < len; i++)
            {
                double v = x[i] * indexScale, t = Math.Tanh(x[i]);
                dx[i] = v >= -half - 0.5 && v < half - 0.5 ? (float)(dy[i] * (1 - t * t)) : 0f;
            }
            return;
        }
        double scale = Math.ScaleB(1.0, Frac);
        double lo = Low - 0.5, hi = High + 0.5;
        for (int i = 0; i < len; i++)
        {
            double v = x[i] * scale;
            dx[i] = v >= lo && v < hi ? dy[i] : 0f;
        }
    }

    /// <summary>§4.1's three rounding modes applied to acc·2^−s.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double Round(double v) => rounding switch
    {
        RoundingMode.Rnd => Math.Floor(v + 0.5),
        RoundingMode.Trn => Math.Floor(v),
        _ => Math.Round(v, MidpointRounding.ToEven),
    };
}
