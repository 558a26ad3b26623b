using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LeNetHls.Trainer;

/// <summary>
/// One layer of the batched float network. Inside a shard of n images every activation is stored
/// channel-major, [C][n][H][W], so that convolutions and dense layers become long matrix products with
/// vectors running over images and pixels. Parameters are kept as Wt[out][K] (K = kh·kw·in or in,
/// the file layout transposed) followed by the bias.
/// </summary>
internal abstract unsafe class Layer
{
    protected Layer(Shape3 input, Shape3 output)
    {
        In = input;
        Out = output;
    }

    public Shape3 In { get; }
    public Shape3 Out { get; }
    /// <summary>Offset of this layer's parameters in the flat parameter array, or -1.</summary>
    public int ParamOffset { get; set; } = -1;
    public virtual int ParamCount => 0;
    public virtual int ScratchFloats(int maxImages) => 0;
    public virtual int ScratchInts(int maxImages) => 0;

    public abstract void Forward(float* p, float* x, float* y, int n, Scratch s);

    /// <summary>
    /// Adds this layer's parameter gradients into g and, unless dx is null, writes the gradient with
    /// respect to its input into dx (overwriting it).
    /// </summary>
    public abstract void Backward(float* p, float* x, float* y, float* dy, float* dx, float* g, int n, Scratch s);
}

internal readonly unsafe struct Scratch(float* floats, int* ints)
{
    public readonly float* Floats = floats;
    public readonly int* Ints = ints;
}

internal sealed unsafe class ConvLayer : Layer
{
    private readonly int _k, _stride, _pad, _cin, _cout, _kSize;
    private readonly int _outPixels, _groupImages;

    public ConvLayer(Shape3 input, Shape3 output, LayerSpec spec) : base(input, output)
    {
        _k = spec.Kernel; _stride = spec.Stride; _pad = spec.Pad;
        _cin = input.C; _cout = output.C;
        _kSize = _k * _k * _cin;
        _outPixels = output.H * output.W;
        // Images are processed in groups of about 512 output pixels: long enough rows for the vector
        // kernels, small enough that the unfolded input stays in the L2 cache.
        _groupImages = Math.Max(1, (512 + _outPixels - 1) / _outPixels);
    }

    public int WeightCount => _cout * _kSize;
    public override int ParamCount => WeightCount + _cout;
    public override int ScratchFloats(int maxImages) => _kSize * Math.Min(_groupImages, maxImages) * _outPixels;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]

    public override void Forward(float* p, float* x, float* y, int n, Scratch s)
    {
        float* col = s.Floats;
        for (int n0 = 0; n0 < n; n0 += _groupImages)
        {
            int g = Math.Min(_groupImages, n - n0);
            Im2Col(x, n, n0, g, col);
            Gemm.MatMul(_cout, g * _outPixels, _kSize, p, _kSize, 1, col, g * _outPixels, y + n0 * _outPixels, n * _outPixels, accumulate: false);
        }
        float* bias = p + WeightCount;
        int row = n * _outPixels;
        for (int co = 0; co < _cout; co++)
        {
            var r = new Span<float>(y + co * row, row);
            TensorPrimitives.Add(r, bias[co], r);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]

    public override void Backward(float* p, float* x, float* y, float* dy, float* dx, float* g, int n, Scratch s)
    {
        int row = n * _outPixels;
        float* gBias = g + WeightCount;
        for (int co = 0; co < _cout; co++) gBias[co] += TensorPrimitives.Sum(new ReadOnlySpan<float>(dy + co * row, row));
        if (dx != null) new Span<float>(dx, In.Size * n).Clear();
        float* col = s.Floats;
        for (int n0 = 0; n0 < n; n0 += _groupImages)
        {
            int gi = Math.Min(_groupImages, n - n0);
            int len = gi * _outPixels;
            Im2Col(x, n, n0, gi, col);
            Gemm.DotRows(_cout, _kSize, len, dy + n0 * _outPixels, row, col, len, g, _kSize, accumulate: true);
            if (dx == null) continue;
            Gemm.MatMul(_kSize, len, _cout, p, 1, _kSize, dy + n0 * _outPixels, row, col, len, accumulate: false);
            Col2Im(col, n, n0, gi, dx);
        }
    }

    /// <summary>col[(kh·k + kw)·cin + ci][image·OH·OW + oh·OW + ow] = x at the input pixel that tap reads, or 0 in the padding.</summary>
    private void Im2Col(float* x, int n, int n0, int g, float* col) => ForEachColumnRow<GatherRow>(col, x, n, n0, g);

    /// <summary>The adjoint of Im2Col: adds every column entry back onto the input pixel it came from.</summary>
    private void Col2Im(float* col, int n, int n0, int g, float* dx) => ForEachColumnRow<ScatterAddRow>(col, dx, n, n0, g);

    /// <summary>
    /// Pairs every row of the column matrix (one kernel tap, input channel, image and output row) with the
    /// input row it reads, or null where the tap falls in the vertical padding; [lo, hi) are the output
    /// columns whose tap lands inside the row. Im2Col and its adjoint differ only in what they do with a pair.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForEachColumnRow<TRow>(float* col, float* image, int n, int n0, int g) where TRow : struct, IColumnRow
    {
        int inH = In.H, inW = In.W, outH = Out.H, outW = Out.W, inPlane = inH * inW;
        for (int kh = 0; kh < _k; kh++)
        for (int kw = 0; kw < _k; kw++)
        for (int ci = 0; ci < _cin; ci++)
        {
            float* rowStart = col + ((kh * _k + kw) * _cin + ci) * g * _outPixels;
            int lo = Math.Clamp((_pad - kw + _stride - 1) / _stride, 0, outW);
            int hi = Math.Clamp((inW + _pad - kw + _stride - 1) / _stride, lo, outW);
            for (int img = 0; img < g; img++)
            {
                float* plane = image + (ci * n + n0 + img) * inPlane;
                float* colRow = rowStart + img * _outPixels;
                for (int oh = 0; oh < outH; oh++, colRow += outW)
                {
                    int ih = oh * _stride + kh - _pad;
                    TRow.Apply(colRow, ih < 0 || ih >= inH ? null : plane + ih * inW + kw - _pad, lo, hi, outW, _stride);
                }
            }
        }
    }

    private interface IColumnRow
    {
        /// <summary>inputRow points at the input pixel of output column 0 (it may lie left of the row: only [lo, hi) is read).</summary>
        static abstract void Apply(float* colRow, float* inputRow, int lo, int hi, int outW, int stride);
    }

    private readonly struct GatherRow : IColumnRow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Apply(float* colRow, float* inputRow, int lo, int hi, int outW, int stride)
        {
            if (inputRow == null)
            {
                new Span<float>(colRow, outW).Clear();
                return;
            }
            for (int ow = 0; ow < lo; ow++) colRow[ow] = 0f;
            if (stride == 1) CopyShort(inputRow + lo, colRow + lo, hi - lo);
            else for (int ow = lo; ow < hi; ow++) colRow[ow] = inputRow[ow * stride];
            for (int ow = hi; ow < outW; ow++) colRow[ow] = 0f;
        }
    }

    private readonly struct ScatterAddRow : IColumnRow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Apply(float* colRow, float* inputRow, int lo, int hi, int outW, int stride)
        {
            if (inputRow == null) return;
            if (stride == 1) AddShort(colRow + lo, inputRow + lo, hi - lo);
            else for (int ow = lo; ow < hi; ow++) inputRow[ow * stride] += colRow[ow];
        }
    }

    // Rows here are a few dozen floats long: inline vector code beats a call to a general copy routine.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyShort(float* src, float* dst, int len)
    {
        if (len < 8)
        {
            for (int i = 0; i < len; i++) dst[i] = src[i];
            return;
        }
        int j = 0;
        for (; j + 8 <= len; j += 8) Vector256.Load(src + j).Store(dst + j);
        if (j < len) Vector256.Load(src + len - 8).Store(dst + len - 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddShort(float* src, float* dst, int len)
    {
        int j = 0;
        for (; j + 8 <= len; j += 8) (Vector256.Load(dst + j) + Vector256.Load(src + j)).Store(dst + j);
        for (; j < len; j++) dst[j] += src[j];
    }
}

internal sealed unsafe class DenseLayer(Shape3 input, Shape3 output) : Layer(input, output)
{
    private readonly int _in = input.Size, _out = output.C;

    public int WeightCount => _in * _out;
    public override int ParamCount => WeightCount + _out;
    public override int ScratchFloats(int maxImages) => _in * maxImages;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]

    public override void Forward(float* p, float* x, float* y, int n, Scratch s)
    {
        Gemm.MatMul(_out, n, _in, p, _in, 1, x, n, y, n, accumulate: false);
        float* bias = p + WeightCount;
        for (int o = 0; o < _out; o++)
        {
            var r = new Span<float>(y + o * n, n);
            TensorPrimitives.Add(r, bias[o], r);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]

    public override void Backward(float* p, float* x, float* y, float* dy, float* dx, float* g, int n, Scratch s)
    {
        float* gBias = g + WeightCount;
        for (int o = 0; o < _out; o++) gBias[o] += TensorPrimitives.Sum(new ReadOnlySpan<float>(dy + o * n, n));
        // The weight gradient sums over the few images of the shard; transposing x to [n][in] turns
        // that into a product whose vectors run along the long input dimension.
        float* xt = s.Floats;
        for (int i = 0; i < _in; i++)
            for (int img = 0; img < n; img++) xt[img * _in + i] = x[i * n + img];
        Gemm.MatMul(_out, _in, n, dy, n, 1, xt, _in, g, _in, accumulate: true);
        if (dx != null) Gemm.MatMul(_in, n, _out, p, 1, _in, dy, n, dx, n, accumulate: false);
    }
}

internal sealed unsafe class PoolLayer : Layer
{
    private readonly int _k, _stride;
    private readonly bool _max;

    public PoolLayer(Shape3 input, Shape3 output, LayerSpec spec) : base(input, output)
    {
        _k = spec.Kernel; _stride = spec.Stride; _max = spec.Kind == LayerKind.MaxPool;
    }

    public bool IsAverage => !_max;

    /// <summary>2×2 windows with stride 2 (both presets) take a vectorized path that keeps no indices.</summary>
    private bool IsTwoByTwo => _k == 2 && _stride == 2;

    public override int ScratchInts(int maxImages) => _max && !IsTwoByTwo ? Out.Size * maxImages : 0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Forward(float* p, float* x, float* y, int n, Scratch s)
    {
        if (IsTwoByTwo)
        {
            ForwardTwoByTwo(x, y, n);
            return;
        }
        int planes = In.C * n, inW = In.W, inPlane = In.H * In.W, outH = Out.H, outW = Out.W;
        float scale = 1f / (_k * _k);
        int* arg = s.Ints;
        for (int pl = 0; pl < planes; pl++)
        {
            float* src = x + pl * inPlane;
            for (int oh = 0; oh < outH; oh++)
            for (int ow = 0; ow < outW; ow++)
            {
                int top = oh * _stride * inW + ow * _stride;
                if (_max)
                {
                    // Branch-free: which tap wins is data-dependent and would defeat branch prediction.
                    float best = float.NegativeInfinity;
                    int bestAt = top;
                    for (int kh = 0; kh < _k; kh++)
                    for (int kw = 0; kw < _k; kw++)
                    {
                        int at = top + kh * inW + kw;
                        float v = src[at];
                        bool greater = v > best;
                        best = greater ? v : best;
                        bestAt = greater ? at : bestAt;
                    }
                    *y++ = best;
                    *arg++ = bestAt;
                }
                else
                {
                    float sum = 0f;
                    for (int kh = 0; kh < _k; kh++)
                    for (int kw = 0; kw < _k; kw++) sum += src[top + kh * inW + kw];
                    *y++ = sum * scale;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForwardTwoByTwo(float* x, float* y, int n)
    {
        int rows = In.C * n * Out.H, inW = In.W, outW = Out.W;
        var quarter = Vector256.Create(0.25f);
        var even = Vector256.Create(0, 2, 4, 6, 0, 2, 4, 6);
        var odd = Vector256.Create(1, 3, 5, 7, 1, 3, 5, 7);
        // Output row r reads input rows 2r and 2r+1 of the same plane: planes stack, so rows do too.
        for (int r = 0; r < rows; r++)
        {
            float* r0 = x + 2 * r * inW, r1 = r0 + inW, o = y + r * outW;
            int ow = 0;
            for (; ow + 4 <= outW; ow += 4)
            {
                var a = Vector256.Load(r0 + 2 * ow);
                var b = Vector256.Load(r1 + 2 * ow);
                var v = _max ? Vector256.Max(a, b) : a + b;
                var e = Vector256.Shuffle(v, even);
                var d = Vector256.Shuffle(v, odd);
                (_max ? Vector256.Max(e, d) : (e + d) * quarter).GetLower().Store(o + ow);
            }
            for (; ow < outW; ow++)
            {
                float a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];
                o[ow] = _max ? Math.Max(Math.Max(a, b), Math.Max(c, d)) : (a + b + c + d) * 0.25f;
            }
        }
    }

    /// <summary>Sends each gradient to the first tap (in window order) that equals the window's maximum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BackwardMaxTwoByTwo(float* x, float* y, float* dy, float* dx, int n)
    {
        int rows = In.C * n * Out.H, inW = In.W, outW = Out.W;
        var pairFirst = Vector256.Create(0, 0, 2, 2, 4, 4, 6, 6);
        var pairSecond = Vector256.Create(1, 1, 3, 3, 5, 5, 7, 7);
        var spread = Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3);
        var evenLanes = Vector256.Create(-1, 0, -1, 0, -1, 0, -1, 0).AsSingle();
        for (int r = 0; r < rows; r++)
        {
            float* x0 = x + 2 * r * inW, x1 = x0 + inW, d0 = dx + 2 * r * inW, d1 = d0 + inW;
            float* m = y + r * outW, g = dy + r * outW;
            int ow = 0;
            // Four windows at a time; lanes hold taps (a, b) of row 0 or (c, d) of row 1, window by window.
            for (; ow + 4 <= outW; ow += 4)
            {
                var max = Vector256.Shuffle(Vector256.Create(Vector128.Load(m + ow), Vector128.Load(m + ow)), spread);
                var grad = Vector256.Shuffle(Vector256.Create(Vector128.Load(g + ow), Vector128.Load(g + ow)), spread);
                var eq0 = Vector256.Equals(Vector256.Load(x0 + 2 * ow), max);
                var eq1 = Vector256.Equals(Vector256.Load(x1 + 2 * ow), max);
                var aHit = Vector256.Shuffle(eq0, pairFirst);
                var rowZeroHit = aHit | Vector256.Shuffle(eq0, pairSecond);
                var take0 = eq0 & (evenLanes | ~aHit);
                var take1 = ~rowZeroHit & Vector256.ConditionalSelect(evenLanes, eq1, ~Vector256.Shuffle(eq1, pairFirst));
                (take0 & grad).Store(d0 + 2 * ow);
                (take1 & grad).Store(d1 + 2 * ow);
            }
            for (; ow < outW; ow++)
            {
                int i = 2 * ow;
                float max = m[ow], grad = g[ow];
                bool a = x0[i] == max, b = !a && x0[i + 1] == max, c = !a && !b && x1[i] == max, d = !a && !b && !c;
                d0[i] = a ? grad : 0f; d0[i + 1] = b ? grad : 0f; d1[i] = c ? grad : 0f; d1[i + 1] = d ? grad : 0f;
            }
        }
    }

    /// <summary>Each of the four taps of a window gets a quarter of its gradient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BackwardAvgTwoByTwo(float* dy, float* dx, int n)
    {
        int rows = In.C * n * Out.H, inW = In.W, outW = Out.W;
        var spread = Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3);
        var quarter = Vector256.Create(0.25f);
        for (int r = 0; r < rows; r++)
        {
            float* d0 = dx + 2 * r * inW, d1 = d0 + inW, g = dy + r * outW;
            int ow = 0;
            for (; ow + 4 <= outW; ow += 4)
            {
                var share = Vector256.Shuffle(Vector256.Create(Vector128.Load(g + ow), Vector128.Load(g + ow)), spread) * quarter;
                share.Store(d0 + 2 * ow);
                share.Store(d1 + 2 * ow);
            }
            for (; ow < outW; ow++)
            {
                float share = g[ow] * 0.25f;
                d0[2 * ow] = d0[2 * ow + 1] = d1[2 * ow] = d1[2 * ow + 1] = share;
            }
        }
    }

    public override void Backward(float* p, float* x, float* y, float* dy, float* dx, float* g, int n, Scratch s)
    {
        if (dx == null) return;
        if (IsTwoByTwo)
        {
            // The 2×2 windows tile the input exactly, so every dx entry is written.
            if (_max) BackwardMaxTwoByTwo(x, y, dy, dx, n);
            else BackwardAvgTwoByTwo(dy, dx, n);
            return;
        }
        int planes = In.C * n, inW = In.W, inPlane = In.H * In.W, outPlane = Out.H * Out.W;
        new Span<float>(dx, inPlane * planes).Clear();
        float scale = 1f / (_k * _k);
        int* arg = s.Ints;
        for (int pl = 0; pl < planes; pl++)
        {
            float* d = dx + pl * inPlane;
            if (_max)
            {
                for (int o = 0; o < outPlane; o++) d[*arg++] += *dy++;
                continue;
            }
            for (int oh = 0; oh < Out.H; oh++)
            for (int ow = 0; ow < Out.W; ow++)
            {
                float share = *dy++ * scale;
                int top = oh * _stride * inW + ow * _stride;
                for (int kh = 0; kh < _k; kh++)
                for (int kw = 0; kw < _k; kw++) d[top + kh * inW + kw] += share;
            }
        }
    }
}

internal sealed unsafe class ReLULayer(Shape3 shape) : Layer(shape, shape)
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Forward(float* p, float* x, float* y, int n, Scratch s)
    {
        int len = In.Size * n, i = 0;
        for (; i + 8 <= len; i += 8)
        {
            var v = Vector256.Load(x + i);
            Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<float>.Zero), v, Vector256<float>.Zero).Store(y + i);
        }
        for (; i < len; i++) y[i] = x[i] > 0f ? x[i] : 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]

    public override void Backward(float* p, float* x, float* y, float* dy, float* dx, float* g, int n, Scratch s)
    {
        if (dx == null) return;
        int len = In.Size * n, i = 0;
        for (; i + 8 <= len; i += 8)
        {
            var positive = Vector256.GreaterThan(Vector256.Load(y + i), Vector256<float>.Zero);
            Vector256.ConditionalSelect(positive, Vector256.Load(dy + i), Vector256<float>.Zero).Store(dx + i);
        }
        for (; i < len; i++) dx[i] = y[i] > 0f ? dy[i] : 0f;
    }
}

internal sealed unsafe class TanhLayer(Shape3 shape) : Layer(shape, shape)
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Forward(float* p, float* x, float* y, int n, Scratch s)
    {
        int len = In.Size * n;
        TensorPrimitives.Tanh(new ReadOnlySpan<float>(x, len), new Span<float>(y, len));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]

    public override void Backward(float* p, float* x, float* y, float* dy, float* dx, float* g, int n, Scratch s)
    {
        if (dx == null) return;
        int len = In.Size * n, i = 0;
        var one = Vector256<float>.One;
        for (; i + 8 <= len; i += 8)
        {
            var t = Vector256.Load(y + i);
            (Vector256.Load(dy + i) * (one - t * t)).Store(dx + i);
        }
        for (; i < len; i++) dx[i] = dy[i] * (1f - y[i] * y[i]);
    }
}

/// <summary>[C][n][H][W] to [(h·W + w)·C + c][n]: features in the HWC order of the file format.</summary>
internal sealed unsafe class FlattenLayer(Shape3 input) : Layer(input, new Shape3(1, 1, input.Size))
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Forward(float* p, float* x, float* y, int n, Scratch s)
    {
        int c = In.C, plane = In.H * In.W;
        for (int ch = 0; ch < c; ch++)
        for (int img = 0; img < n; img++)
        {
            float* src = x + (ch * n + img) * plane;
            for (int px = 0; px < plane; px++) y[(px * c + ch) * n + img] = src[px];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]

    public override void Backward(float* p, float* x, float* y, float* dy, float* dx, float* g, int n, Scratch s)
    {
        if (dx == null) return;
        int c = In.C, plane = In.H * In.W;
        for (int ch = 0; ch < c; ch++)
        for (int img = 0; img < n; img++)
        {
            float* dst = dx + (ch * n + img) * plane;
            for (int px = 0; px < plane; px++) dst[px] = dy[(px * c + ch) * n + img];
        }
    }
}

internal static unsafe class SoftmaxCrossEntropy
{
    /// <summary>
    /// Loss and gradient for logits stored [class][n]. The gradient is divided by batchSize so that
    /// summing the shards of a batch gives the gradient of the batch-mean loss.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double LossSum, int Correct) Compute(float* logits, int classes, int n, ReadOnlySpan<byte> labels, float* grad, int batchSize)
    {
        double lossSum = 0;
        int correct = 0;
        float inv = 1f / batchSize;
        Span<float> e = stackalloc float[classes];
        for (int img = 0; img < n; img++)
        {
            float max = float.NegativeInfinity;
            int argmax = 0;
            for (int c = 0; c < classes; c++)
            {
                float v = logits[c * n + img];
                if (v > max) { max = v; argmax = c; }
            }
            float sum = 0f;
            for (int c = 0; c < classes; c++) { e[c] = MathF.Exp(logits[c * n + img] - max); sum += e[c]; }
            int label = labels[img];
            lossSum += Math.Log(sum) - (logits[label * n + img] - max);
            if (argmax == label) correct++;
            float invSum = 1f / sum;
            for (int c = 0; c < classes; c++) grad[c * n + img] = (e[c] * invSum - (c == label ? 1f : 0f)) * inv;
        }
        return (lossSum, correct);
    }
}
