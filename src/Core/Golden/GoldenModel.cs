using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LeNetHls.Core.Golden;

/// <summary>
/// Pure-integer inference of a qmodel, rule for rule as docs/fixed-point.md states. This is the
/// reference the HLS C simulation and the RTL co-simulation must equal bit for bit.
/// An instance holds scratch buffers: use one per thread.
/// </summary>
/// <remarks>
/// Speed: a conv/dense layer whose accumulator provably fits 32 bits (§3's bound, taken over the
/// input's whole format) accumulates in Vector&lt;int&gt; lanes over the output channels, which is exact
/// because every partial sum is bounded by the same bound. Wider layers accumulate in 64 bits (vectors
/// of 32-bit products widened to 64 bits when every product fits 32 bits, scalar otherwise).
/// Zero inputs (padding, ReLU zeros, background pixels) are skipped: they add nothing. The common
/// requantizations (rnd or trn with sat) of 32-bit accumulators also run on whole vectors.
/// tests/Quantizer.Tests/GoldenModelBitExactTests.cs holds all of this to a plain transcription of the rules.
/// </remarks>
public sealed class GoldenModel
{
    private readonly QModel _model;
    private readonly int[][] _outputs;
    private readonly int[] _pixelBuffer;
    private readonly LayerPlan?[] _plans;
    private readonly long[] _accLong;
    private readonly int[] _accInt;
    private readonly int[] _requantized;

    /// <summary>Weights and bias of a conv/dense layer, rows padded to whole vectors, ready to accumulate.</summary>
    private sealed class LayerPlan
    {
        public required bool Int32 { get; init; }
        /// <summary>For 64-bit accumulators: whether every product w·x fits 32 bits, so vectors multiply in 32 and add in 64.</summary>
        public required bool ProductsFitInt32 { get; init; }
        /// <summary>Output channels rounded up to a multiple of Vector&lt;int&gt;.Count (zero-padded).</summary>
        public required int Stride { get; init; }
        /// <summary>One row of Stride weights per (ky, kx, ci) or per dense input.</summary>
        public required int[] Weights { get; init; }
        public required int[] Bias { get; init; }
        /// <summary>Whether §4 can run on whole vectors (see FinishVector).</summary>
        public required bool VectorRequantize { get; init; }
    }

    public GoldenModel(QModel model)
    {
        _model = model;
        _outputs = model.Layers.Select(l => new int[l.OutShape.Size]).ToArray();
        _pixelBuffer = new int[model.InputShape.Size];
        _plans = model.Layers.Select((l, i) => l.HasWeights ? Plan(l, model.InputOf(i), model.Rounding, model.Overflow) : null).ToArray();
        int widest = _plans.Max(p => p?.Stride ?? 0);
        _accLong = new long[widest];
        _accInt = new int[widest];
        _requantized = new int[widest];
    }

    public QModel Model => _model;

    /// <summary>Integer output of layer i from the last run (HWC order). Valid until the next run.</summary>
    public ReadOnlySpan<int> LayerOutput(int i) => _outputs[i];

    /// <summary>Runs one image; returns the integer scores (a view valid until the next run).</summary>
    /// <param name="saturations">If given, per layer, adds how many values clipped (tanh: indices clamped).</param>
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
                QLayerKind.Conv2D => Conv(layer, _plans[i]!, x, y),
                QLayerKind.Dense => Dense(layer, _plans[i]!, x, y),
                QLayerKind.MaxPool => MaxPool(layer, x, y),
                _ => AvgPool(layer, x, y),
            };
            if (saturations is not null) saturations[i] += clipped;
            x = y;
        }
        return x;
    }

    public int Predict(ReadOnlySpan<byte> pixels) => Argmax(Run(pixels));

    /// <summary>docs/fixed-point.md §7: the first index of the largest score.</summary>
    public static int Argmax(ReadOnlySpan<int> scores)
    {
        int best = 0;
        for (int i = 1; i < scores.Length; i++) if (scores[i] > scores[best]) best = i;
        return best;
    }

    /// <summary>Every layer's integer output for one image, copied (the trace that locates a mismatch).</summary>
    public int[][] Trace(ReadOnlySpan<byte> pixels)
    {
        Run(pixels);
        return _outputs.Select(o => (int[])o.Clone()).ToArray();
    }

    /// <summary>Whether a layer accumulates in 32 bits: §3's bound over the input's whole W-bit format fits int32.</summary>
    public static bool FitsInt32(QLayer layer, QActivation input)
    {
        var fullRange = input with { Min = FixedPointMath.MinOf(input.ArithmeticBits), Max = FixedPointMath.MaxOf(input.ArithmeticBits) };
        return QModelFile.AccumulatorBound(layer, fullRange) <= int.MaxValue;
    }

    /// <summary>Whether every product of a weight and an input in its whole W-bit format fits int32.</summary>
    public static bool ProductsFitInt32(QLayer layer, QActivation input)
    {
        var w = layer.Weights!.Data;
        long maxWeight = w.Length == 0 ? 0 : w.Max(v => Math.Abs((long)v));
        return maxWeight * -FixedPointMath.MinOf(input.ArithmeticBits) <= int.MaxValue;
    }

    private static LayerPlan Plan(QLayer l, QActivation input, RoundingMode rounding, OverflowMode overflow)
    {
        int outC = l.OutShape.C;
        int stride = (outC + Vector<int>.Count - 1) / Vector<int>.Count * Vector<int>.Count;
        var w = l.Weights!.Data;
        int rows = w.Length / outC;
        var padded = new int[rows * stride];
        for (int r = 0; r < rows; r++) Array.Copy(w, r * outC, padded, r * stride, outC);
        var bias = new int[stride];
        Array.Copy(l.Bias!.Data, bias, outC);
        bool int32 = FitsInt32(l, input);
        bool productsFit = ProductsFitInt32(l, input);
        // Vector shifts take counts below the lane width only; larger shifts take the scalar path.
        bool vectorRequantize = int32 && l.Shift is > 0 and < 32 && l.Activation != Activation.Tanh &&
                                (rounding is RoundingMode.Rnd or RoundingMode.Trn) && overflow == OverflowMode.Sat;
        return new LayerPlan
        {
            Int32 = int32, ProductsFitInt32 = productsFit, Stride = stride, Weights = padded, Bias = bias, VectorRequantize = vectorRequantize,
        };
    }

    private long Conv(QLayer l, LayerPlan plan, ReadOnlySpan<int> x, int[] y)
    {
        var inS = l.InShape;
        var outS = l.OutShape;
        int k = l.Kernel, inC = inS.C, outC = outS.C;
        long clipped = 0;
        for (int oy = 0; oy < outS.H; oy++)
        {
            int iy0 = oy * l.Stride - l.Pad;
            int kyFirst = Math.Max(0, -iy0), kyEnd = Math.Min(k, inS.H - iy0);
            for (int ox = 0; ox < outS.W; ox++)
            {
                int ix0 = ox * l.Stride - l.Pad;
                int kxFirst = Math.Max(0, -ix0), kxEnd = Math.Min(k, inS.W - ix0);
                // Padding contributes nothing: only the window's in-image part is visited. In HWC
                // order one kernel row of it is a contiguous run of inputs, matching consecutive weight rows.
                int run = (kxEnd - kxFirst) * inC;
                StartAccumulator(plan);
                for (int ky = kyFirst; ky < kyEnd; ky++)
                    Accumulate(plan, x, ((iy0 + ky) * inS.W + ix0 + kxFirst) * inC, (ky * k + kxFirst) * inC, run, outC);
                clipped += FinishAccumulator(l, plan, y.AsSpan((oy * outS.W + ox) * outC, outC));
            }
        }
        return clipped;
    }

    private long Dense(QLayer l, LayerPlan plan, ReadOnlySpan<int> x, int[] y)
    {
        int outC = l.OutShape.C;
        StartAccumulator(plan);
        Accumulate(plan, x, 0, 0, x.Length, outC);
        return FinishAccumulator(l, plan, y);
    }

    private void StartAccumulator(LayerPlan plan)
    {
        if (plan.Int32) plan.Bias.CopyTo(_accInt, 0);
        else for (int co = 0; co < plan.Stride; co++) _accLong[co] = plan.Bias[co];
    }

    private long FinishAccumulator(QLayer l, LayerPlan plan, Span<int> y)
    {
        if (plan.VectorRequantize) return FinishVector(l, plan.Stride, y);
        return plan.Int32 ? Finish<int>(l, _accInt.AsSpan(0, y.Length), y) : Finish<long>(l, _accLong.AsSpan(0, y.Length), y);
    }

    /// <summary>64-bit accumulation of 32-bit products: multiply whole vectors of ints, widen, add.</summary>
    private void AccumulateWide(LayerPlan plan, ReadOnlySpan<int> inputs, int rowStart)
    {
        int lanes = Vector<int>.Count, half = lanes / 2, stride = plan.Stride;
        ref int weights = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(plan.Weights), (nint)rowStart * stride);
        ref long acc = ref MemoryMarshal.GetArrayDataReference(_accLong);
        for (int j = 0; j < inputs.Length; j++)
        {
            if (inputs[j] == 0) continue;
            var xv = new Vector<int>(inputs[j]);
            ref int row = ref Unsafe.Add(ref weights, j * stride);
            for (int v = 0; v < stride; v += lanes)
            {
                Vector.Widen(Vector.LoadUnsafe(ref row, (nuint)v) * xv, out var low, out var high);
                (Vector.LoadUnsafe(ref acc, (nuint)v) + low).StoreUnsafe(ref acc, (nuint)v);
                (Vector.LoadUnsafe(ref acc, (nuint)(v + half)) + high).StoreUnsafe(ref acc, (nuint)(v + half));
            }
        }
    }

    /// <summary>
    /// §4 for 32-bit accumulators, s &gt; 0, rnd or trn, sat, no tanh: whole vectors at a time.
    /// Round half up without overflow: (acc + 2^(s−1)) >> s == (acc >> s) + bit (s−1) of acc.
    /// </summary>
    private long FinishVector(QLayer l, int stride, Span<int> y)
    {
        int s = l.Shift, lanes = Vector<int>.Count;
        var max = new Vector<int>((int)FixedPointMath.MaxOf(l.Output.ArithmeticBits));
        var formatMin = new Vector<int>((int)FixedPointMath.MinOf(l.Output.ArithmeticBits));
        var min = l.Activation == Activation.ReLU ? Vector<int>.Zero : formatMin;
        bool round = _model.Rounding == RoundingMode.Rnd;
        var clippedLanes = Vector<int>.Zero;
        ref int acc = ref MemoryMarshal.GetArrayDataReference(_accInt);
        ref int result = ref MemoryMarshal.GetArrayDataReference(_requantized);
        for (int v = 0; v < stride; v += lanes)
        {
            var a = Vector.LoadUnsafe(ref acc, (nuint)v);
            var t = Vector.ShiftRightArithmetic(a, s);
            if (round) t += Vector.ShiftRightArithmetic(a, s - 1) & Vector<int>.One;
            // Saturation counts values outside the W-bit format; ReLU then raises negatives to 0.
            clippedLanes -= Vector.GreaterThan(t, max) | Vector.LessThan(t, formatMin);
            Vector.Min(Vector.Max(t, min), max).StoreUnsafe(ref result, (nuint)v);
        }
        _requantized.AsSpan(0, y.Length).CopyTo(y);
        // Padding lanes hold 0, which never clips, so every counted lane is a real output.
        return Vector.Sum(clippedLanes);
    }

    /// <summary>acc += Σ_j x[xStart + j] · weightRow[rowStart + j] over j &lt; count, skipping zero inputs.</summary>
    private void Accumulate(LayerPlan plan, ReadOnlySpan<int> x, int xStart, int rowStart, int count, int outC)
    {
        var inputs = x.Slice(xStart, count);
        if (!plan.Int32 && plan.ProductsFitInt32)
        {
            AccumulateWide(plan, inputs, rowStart);
            return;
        }
        if (!plan.Int32)
        {
            var w = plan.Weights;
            for (int j = 0; j < inputs.Length; j++)
            {
                long xv = inputs[j];
                if (xv == 0) continue;
                int row = (rowStart + j) * plan.Stride;
                for (int co = 0; co < outC; co++) _accLong[co] += w[row + co] * xv;
            }
            return;
        }
        int lanes = Vector<int>.Count, stride = plan.Stride;
        ref int weights = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(plan.Weights), (nint)rowStart * stride);
        ref int acc = ref MemoryMarshal.GetArrayDataReference(_accInt);
        // One or two vectors of outputs (LeNet's convolutions) stay in registers for the whole run.
        if (stride == lanes)
        {
            var a = Vector.LoadUnsafe(ref acc);
            for (int j = 0; j < inputs.Length; j++)
                if (inputs[j] != 0) a += Vector.LoadUnsafe(ref weights, (nuint)(j * stride)) * new Vector<int>(inputs[j]);
            a.StoreUnsafe(ref acc);
        }
        else if (stride == 2 * lanes)
        {
            var a0 = Vector.LoadUnsafe(ref acc);
            var a1 = Vector.LoadUnsafe(ref acc, (nuint)lanes);
            for (int j = 0; j < inputs.Length; j++)
            {
                if (inputs[j] == 0) continue;
                var xv = new Vector<int>(inputs[j]);
                a0 += Vector.LoadUnsafe(ref weights, (nuint)(j * stride)) * xv;
                a1 += Vector.LoadUnsafe(ref weights, (nuint)(j * stride + lanes)) * xv;
            }
            a0.StoreUnsafe(ref acc);
            a1.StoreUnsafe(ref acc, (nuint)lanes);
        }
        else
        {
            for (int j = 0; j < inputs.Length; j++)
            {
                if (inputs[j] == 0) continue;
                var xv = new Vector<int>(inputs[j]);
                ref int row = ref Unsafe.Add(ref weights, j * stride);
                for (int v = 0; v < stride; v += lanes)
                    (Vector.LoadUnsafe(ref acc, (nuint)v) + Vector.LoadUnsafe(ref row, (nuint)v) * xv).StoreUnsafe(ref acc, (nuint)v);
            }
        }
    }

    /// <summary>§4 and §5: requantize and apply the fused activation. Returns how many values clipped.</summary>
    private long Finish<T>(QLayer l, ReadOnlySpan<T> acc, Span<int> y) where T : struct, IBinaryInteger<T>
    {
        var rounding = _model.Rounding;
        int s = l.Shift;
        long clipped = 0;
        if (l.Activation == Activation.Tanh)
        {
            var t = l.Tanh!;
            int half = 1 << (t.IndexBits - 1);
            long lo = -half, hi = half - 1;
            for (int i = 0; i < y.Length; i++)
            {
                long shifted = FixedPointMath.Shift(long.CreateTruncating(acc[i]), s, rounding);
                // §5: the index always saturates, whatever the overflow mode.
                long idx = shifted < lo ? lo : shifted > hi ? hi : shifted;
                if (idx != shifted) clipped++;
                y[i] = t.Table[idx + half];
            }
            return clipped;
        }
        int bits = l.Output.ArithmeticBits;
        var overflow = _model.Overflow;
        bool relu = l.Activation == Activation.ReLU;
        for (int i = 0; i < y.Length; i++)
        {
            long shifted = FixedPointMath.Shift(long.CreateTruncating(acc[i]), s, rounding);
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
        int c = outS.C;
        for (int oy = 0; oy < outS.H; oy++)
        for (int ox = 0; ox < outS.W; ox++)
        {
            var best = y.AsSpan((oy * outS.W + ox) * c, c);
            best.Fill(int.MinValue);
            for (int ky = 0; ky < l.Kernel; ky++)
            for (int kx = 0; kx < l.Kernel; kx++)
            {
                var window = x.Slice(((oy * l.Stride + ky) * inS.W + ox * l.Stride + kx) * inS.C, c);
                for (int ch = 0; ch < c; ch++) if (window[ch] > best[ch]) best[ch] = window[ch];
            }
        }
        return 0;
    }

    private long AvgPool(QLayer l, ReadOnlySpan<int> x, int[] y)
    {
        var inS = l.InShape;
        var outS = l.OutShape;
        int s = l.Shift;
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
