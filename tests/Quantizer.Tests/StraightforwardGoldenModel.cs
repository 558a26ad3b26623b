using LeNetHls.Core.FixedPoint;
using LeNetHls.Core.Golden;
using LeNetHls.Core.Quantized;

namespace LeNetHls.Quantizer.Tests;

/// <summary>
/// docs/fixed-point.md written out as plainly as possible (64-bit accumulators, scalar loops, no
/// layout tricks): the optimized GoldenModel must equal it bit for bit.
/// </summary>
public sealed class StraightforwardGoldenModel
{
    private readonly QModel _model;
    private readonly int[][] _outputs;
    private readonly long[] _acc;
    private readonly int[] _pixelBuffer;

    public StraightforwardGoldenModel(QModel model)
    {
        _model = model;
        _outputs = model.Layers.Select(l => new int[l.OutShape.Size]).ToArray();
        _acc = new long[model.Layers.Max(l => l.OutShape.C)];
        _pixelBuffer = new int[model.InputShape.Size];
    }

    /// <summary>Runs one image; returns the integer scores (a view valid until the next run).</summary>
    public ReadOnlySpan<int> Run(ReadOnlySpan<byte> pixels, long[]? saturations = null)
    {
        if (pixels.Length != _pixelBuffer.Length)
            throw new ArgumentException($"expected {_pixelBuffer.Length} pixels, got {pixels.Length}");
        for (int i = 0; i < pixels.Length; i++) _pixelBuffer[i] = pixels[i];
        ReadOnlySpan<int> x = _pixelBuffer;
        for (int i = 0; i < _model.Layers.Count; i++)
        {
            var layer = _model.Layers[i];
            var y = _outputs[i];
            long clipped = layer.Kind switch
            {
                QLayerKind.Conv2D => Conv(layer, x, y),
                QLayerKind.Dense => Dense(layer, x, y),
                QLayerKind.MaxPool => MaxPool(layer, x, y),
                _ => AvgPool(layer, x, y),
            };
            if (saturations is not null) saturations[i] += clipped;
            x = y;
        }
        return x;
    }

    /// <summary>Every layer's integer output for one image, copied (the trace that locates a mismatch).</summary>
    public int[][] Trace(ReadOnlySpan<byte> pixels)
    {
        Run(pixels);
        return _outputs.Select(o => (int[])o.Clone()).ToArray();
    }

    private long Conv(QLayer l, ReadOnlySpan<int> x, int[] y)
    {
        var w = l.Weights!.Data;
        var b = l.Bias!.Data;
        var inS = l.InShape;
        var outS = l.OutShape;
        int k = l.Kernel, inC = inS.C, outC = outS.C;
        var acc = _acc.AsSpan(0, outC);
        long clipped = 0;
        for (int oy = 0; oy < outS.H; oy++)
        for (int ox = 0; ox < outS.W; ox++)
        {
            for (int co = 0; co < outC; co++) acc[co] = b[co];
            for (int ky = 0; ky < k; ky++)
            {
                int iy = oy * l.Stride - l.Pad + ky;
                if ((uint)iy >= (uint)inS.H) continue;
                for (int kx = 0; kx < k; kx++)
                {
                    int ix = ox * l.Stride - l.Pad + kx;
                    if ((uint)ix >= (uint)inS.W) continue;
                    int xBase = (iy * inS.W + ix) * inC;
                    int wBase = (ky * k + kx) * inC * outC;
                    for (int ci = 0; ci < inC; ci++)
                    {
                        long xv = x[xBase + ci];
                        if (xv == 0) continue;
                        var wRow = w.AsSpan(wBase + ci * outC, outC);
                        for (int co = 0; co < outC; co++) acc[co] += wRow[co] * xv;
                    }
                }
            }
            clipped += Finish(l, acc, y.AsSpan((oy * outS.W + ox) * outC, outC));
        }
        return clipped;
    }

    private long Dense(QLayer l, ReadOnlySpan<int> x, int[] y)
    {
        var w = l.Weights!.Data;
        var b = l.Bias!.Data;
        int outC = l.OutShape.C;
        var acc = _acc.AsSpan(0, outC);
        for (int co = 0; co < outC; co++) acc[co] = b[co];
        for (int i = 0; i < x.Length; i++)
        {
            long xv = x[i];
            if (xv == 0) continue;
            var wRow = w.AsSpan(i * outC, outC);
            for (int co = 0; co < outC; co++) acc[co] += wRow[co] * xv;
        }
        return Finish(l, acc, y);
    }

    /// <summary>§4 and §5: requantize and apply the fused activation. Returns how many values clipped.</summary>
    private long Finish(QLayer l, ReadOnlySpan<long> acc, Span<int> y)
    {
        var rounding = _model.Rounding;
        var overflow = _model.Overflow;
        int s = l.Shift;
        long clipped = 0;
        if (l.Activation == Activation.Tanh)
        {
            var t = l.Tanh!;
            int half = 1 << (t.IndexBits - 1);
            for (int i = 0; i < y.Length; i++)
            {
                long shifted = FixedPointMath.Shift(acc[i], s, rounding);
                long idx = FixedPointMath.Overflow(shifted, t.IndexBits, OverflowMode.Sat);
                if (idx != shifted) clipped++;
                y[i] = t.Table[idx + half];
            }
            return clipped;
        }
        int bits = l.Output.ArithmeticBits;
        bool relu = l.Activation == Activation.ReLU;
        for (int i = 0; i < y.Length; i++)
        {
            long shifted = FixedPointMath.Shift(acc[i], s, rounding);
            long q = FixedPointMath.Overflow(shifted, bits, overflow);
            if (q != shifted) clipped++;
            y[i] = (int)(relu && q < 0 ? 0 : q);
        }
        return clipped;
    }

    private static long MaxPool(QLayer l, ReadOnlySpan<int> x, int[] y)
    {
        var inS = l.InShape;
        var outS = l.OutShape;
        for (int oy = 0; oy < outS.H; oy++)
        for (int ox = 0; ox < outS.W; ox++)
        for (int c = 0; c < outS.C; c++)
        {
            int best = int.MinValue;
            for (int ky = 0; ky < l.Kernel; ky++)
            for (int kx = 0; kx < l.Kernel; kx++)
                best = Math.Max(best, x[((oy * l.Stride + ky) * inS.W + ox * l.Stride + kx) * inS.C + c]);
            y[(oy * outS.W + ox) * outS.C + c] = best;
        }
        return 0;
    }

    private long AvgPool(QLayer l, ReadOnlySpan<int> x, int[] y)
    {
        var inS = l.InShape;
        var outS = l.OutShape;
        int s = l.Accumulator!.Frac - l.Output.Frac;
        long clipped = 0;
        for (int oy = 0; oy < outS.H; oy++)
        for (int ox = 0; ox < outS.W; ox++)
        for (int c = 0; c < outS.C; c++)
        {
            long sum = 0;
            for (int ky = 0; ky < l.Kernel; ky++)
            for (int kx = 0; kx < l.Kernel; kx++)
                sum += x[((oy * l.Stride + ky) * inS.W + ox * l.Stride + kx) * inS.C + c];
            long shifted = FixedPointMath.Shift(sum, s, _model.Rounding);
            long q = FixedPointMath.Overflow(shifted, l.Output.Bits, _model.Overflow);
            if (q != shifted) clipped++;
            y[(oy * outS.W + ox) * outS.C + c] = (int)q;
        }
        return clipped;
    }
}
