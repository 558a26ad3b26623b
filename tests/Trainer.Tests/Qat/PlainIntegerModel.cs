using LeNetHls.Core.FixedPoint;
using LeNetHls.Core.Quantized;

namespace LeNetHls.Trainer.Tests.Qat;

/// <summary>
/// docs/fixed-point.md for conv2d, dense (with relu or tanh), maxpool and avgpool, written as plain 64-bit integer loops: the
/// independent reference the QAT forward pass must equal bit for bit.
/// </summary>
internal static class PlainIntegerModel
{
    public static long[] Scores(QModel m, ReadOnlySpan<byte> pixels)
    {
        long[] x = pixels.ToArray().Select(p => (long)p).ToArray();
        foreach (var l in m.Layers)
            x = l.Kind switch
            {
                QLayerKind.Conv2D => Conv(m, l, x),
                QLayerKind.Dense => Dense(m, l, x),
                QLayerKind.MaxPool => MaxPool(l, x),
                QLayerKind.AvgPool => AvgPool(m, l, x),
                _ => throw new NotSupportedException(l.Kind.ToString()),
            };
        return x;
    }

    public static int Predict(QModel m, ReadOnlySpan<byte> pixels)
    {
        var s = Scores(m, pixels);
        int best = 0;
        for (int i = 1; i < s.Length; i++) if (s[i] > s[best]) best = i;
        return best;
    }

    private static long Finish(QModel m, QLayer l, long acc)
    {
        if (l.Activation == Activation.Tanh)
        {
            int half = 1 << (l.Tanh!.IndexBits - 1);
            long index = FixedPointMath.Requantize(acc, l.Shift, l.Tanh.IndexBits, m.Rounding, OverflowMode.Sat);
            return l.Tanh.Table[index + half];
        }
        long q = FixedPointMath.Requantize(acc, l.Shift, l.Output.ArithmeticBits, m.Rounding, m.Overflow);
        return l.Activation == Activation.ReLU ? Math.Max(0, q) : q;
    }

    private static long[] Conv(QModel m, QLayer l, long[] x)
    {
        var i = l.InShape;
        var o = l.OutShape;
        var w = l.Weights!.Data;
        var y = new long[o.Size];
        for (int oy = 0; oy < o.H; oy++)
        for (int ox = 0; ox < o.W; ox++)
        for (int co = 0; co < o.C; co++)
        {
            long acc = l.Bias!.Data[co];
            for (int ky = 0; ky < l.Kernel; ky++)
            for (int kx = 0; kx < l.Kernel; kx++)
            for (int ci = 0; ci < i.C; ci++)
            {
                int iy = oy * l.Stride + ky - l.Pad, ix = ox * l.Stride + kx - l.Pad;
                if (iy < 0 || iy >= i.H || ix < 0 || ix >= i.W) continue;
                acc += w[((ky * l.Kernel + kx) * i.C + ci) * o.C + co] * x[(iy * i.W + ix) * i.C + ci];
            }
            y[(oy * o.W + ox) * o.C + co] = Finish(m, l, acc);
        }
        return y;
    }

    private static long[] Dense(QModel m, QLayer l, long[] x)
    {
        int outs = l.OutShape.C;
        var y = new long[outs];
        for (int co = 0; co < outs; co++)
        {
            long acc = l.Bias!.Data[co];
            for (int j = 0; j < x.Length; j++) acc += l.Weights!.Data[j * outs + co] * x[j];
            y[co] = Finish(m, l, acc);
        }
        return y;
    }

    private static long[] MaxPool(QLayer l, long[] x) => Pool(l, x, window => window.Max());

    private static long[] AvgPool(QModel m, QLayer l, long[] x) =>
        Pool(l, x, window => FixedPointMath.Requantize(window.Sum(), l.Accumulator!.Frac - l.Output.Frac, l.Output.ArithmeticBits, m.Rounding, m.Overflow));

    private static long[] Pool(QLayer l, long[] x, Func<List<long>, long> reduce)
    {
        var i = l.InShape;
        var o = l.OutShape;
        var y = new long[o.Size];
        var window = new List<long>(l.Kernel * l.Kernel);
        for (int oy = 0; oy < o.H; oy++)
        for (int ox = 0; ox < o.W; ox++)
        for (int c = 0; c < o.C; c++)
        {
            window.Clear();
            for (int ky = 0; ky < l.Kernel; ky++)
            for (int kx = 0; kx < l.Kernel; kx++)
                window.Add(x[((oy * l.Stride + ky) * i.W + ox * l.Stride + kx) * i.C + c]);
            y[(oy * o.W + ox) * o.C + c] = reduce(window);
        }
        return y;
    }
}
