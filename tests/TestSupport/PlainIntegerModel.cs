namespace LeNetHls.TestSupport;

/// <summary>
/// docs/fixed-point.md written out as plainly as possible: scalar loops over HWC tensors, 64-bit
/// accumulators, no zero skipping, vectors or layout tricks. The independent reference that the optimized
/// GoldenModel and the QAT forward pass must both equal bit for bit.
/// </summary>
public sealed class PlainIntegerModel(QModel model)
{
    /// <summary>Every layer's integer output for one image, in order; <paramref name="saturations"/> gains each layer's clipped values.</summary>
    public int[][] Trace(ReadOnlySpan<byte> pixels, long[]? saturations = null)
    {
        if (pixels.Length != model.InputShape.Size)
            throw new ArgumentException($"expected {model.InputShape.Size} pixels, got {pixels.Length}");
        var x = new int[pixels.Length];
        for (int i = 0; i < pixels.Length; i++) x[i] = pixels[i];
        var outputs = new int[model.Layers.Count][];
        for (int i = 0; i < model.Layers.Count; i++)
        {
            var layer = model.Layers[i];
            var y = new int[layer.OutShape.Size];
            long clipped = layer.Kind switch
            {
                QLayerKind.Conv2D => Conv(layer, x, y),
                QLayerKind.Dense => Dense(layer, x, y),
                QLayerKind.MaxPool => MaxPool(layer, x, y),
                _ => AvgPool(layer, x, y),
            };
            if (saturations is not null) saturations[i] += clipped;
            outputs[i] = x = y;
        }
        return outputs;
    }

    /// <summary>The integer scores of one image.</summary>
    public int[] Run(ReadOnlySpan<byte> pixels, long[]? saturations = null) => Trace(pixels, saturations)[^1];

    public static long[] Scores(QModel model, ReadOnlySpan<byte> pixels) => [.. new PlainIntegerModel(model).Run(pixels).Select(s => (long)s)];

    /// <summary>The predicted class: the first maximal score.</summary>
    public static int Predict(QModel model, ReadOnlySpan<byte> pixels)
    {
        var scores = new PlainIntegerModel(model).Run(pixels);
        int best = 0;
        for (int i = 1; i < scores.Length; i++) if (scores[i] > scores[best]) best = i;
        return best;
    }

    /// <summary>How many images of <paramref name="set"/> the model classifies as labelled.</summary>
    public static int Correct(QModel model, MnistSet set)
    {
        var right = new bool[set.Count];
        Parallel.For(0, set.Count, i => right[i] = Predict(model, set.Image(i)) == set.Labels[i]);
        return right.Count(r => r);
    }

    private long Conv(QLayer l, int[] x, int[] y)
    {
        var inS = l.InShape;
        var outS = l.OutShape;
        var w = l.Weights!.Data;
        long clipped = 0;
        for (int oy = 0; oy < outS.H; oy++)
        for (int ox = 0; ox < outS.W; ox++)
        for (int co = 0; co < outS.C; co++)
        {
            long acc = l.Bias!.Data[co];
            for (int ky = 0; ky < l.Kernel; ky++)
            for (int kx = 0; kx < l.Kernel; kx++)
            for (int ci = 0; ci < inS.C; ci++)
            {
                int iy = oy * l.Stride + ky - l.Pad, ix = ox * l.Stride + kx - l.Pad;
                if (iy < 0 || iy >= inS.H || ix < 0 || ix >= inS.W) continue;
                acc += w[((ky * l.Kernel + kx) * inS.C + ci) * outS.C + co] * (long)x[(iy * inS.W + ix) * inS.C + ci];
            }
            clipped += Finish(l, acc, out y[(oy * outS.W + ox) * outS.C + co]);
        }
        return clipped;
    }

    private long Dense(QLayer l, int[] x, int[] y)
    {
        int outs = l.OutShape.C;
        long clipped = 0;
        for (int co = 0; co < outs; co++)
        {
            long acc = l.Bias!.Data[co];
            for (int j = 0; j < x.Length; j++) acc += l.Weights!.Data[j * outs + co] * (long)x[j];
            clipped += Finish(l, acc, out y[co]);
        }
        return clipped;
    }

    /// <summary>§4 and §5: requantize and apply the fused activation; 1 when the value clipped.</summary>
    private int Finish(QLayer l, long acc, out int y)
    {
        long shifted = FixedPointMath.Shift(acc, l.Shift, model.Rounding);
        if (l.Activation == Activation.Tanh)
        {
            var t = l.Tanh!;
            long index = FixedPointMath.Overflow(shifted, t.IndexBits, OverflowMode.Sat);
            y = t.Table[index + (1 << (t.IndexBits - 1))];
            return index != shifted ? 1 : 0;
        }
        long q = FixedPointMath.Overflow(shifted, l.Output.ArithmeticBits, model.Overflow);
        y = (int)(l.Activation == Activation.ReLU && q < 0 ? 0 : q);
        return q != shifted ? 1 : 0;
    }

    private static long MaxPool(QLayer l, int[] x, int[] y) => Pool(l, x, y, window => window.Max());

    private long AvgPool(QLayer l, int[] x, int[] y)
    {
        long clipped = 0;
        Pool(l, x, y, window =>
        {
            long shifted = FixedPointMath.Shift(window.Sum(v => (long)v), l.Shift, model.Rounding);
            long q = FixedPointMath.Overflow(shifted, l.Output.ArithmeticBits, model.Overflow);
            if (q != shifted) clipped++;
            return (int)q;
        });
        return clipped;
    }

    private static long Pool(QLayer l, int[] x, int[] y, Func<int[], int> reduce)
    {
        var inS = l.InShape;
        var outS = l.OutShape;
        var window = new int[l.Kernel * l.Kernel];
        for (int oy = 0; oy < outS.H; oy++)
        for (int ox = 0; ox < outS.W; ox++)
        for (int c = 0; c < outS.C; c++)
        {
            for (int ky = 0; ky < l.Kernel; ky++)
            for (int kx = 0; kx < l.Kernel; kx++)
                window[ky * l.Kernel + kx] = x[((oy * l.Stride + ky) * inS.W + ox * l.Stride + kx) * inS.C + c];
            y[(oy * outS.W + ox) * outS.C + c] = reduce(window);
        }
        return 0;
    }
}
