using System.Numerics.Tensors;
using LeNetHls.Core.Model;

namespace LeNetHls.Quantizer;

/// <summary>
/// The float model's logits with reusable buffers and vectorized multiply-adds: FloatReference's
/// semantics (x = pixel / 255, HWC) at evaluation speed. Holds scratch buffers: one per thread.
/// </summary>
public sealed class BufferedFloatInference
{
    private readonly FloatModel _model;
    private readonly Shape3[] _shapes;
    private readonly float[][] _outputs;
    private readonly float[] _input;

    public BufferedFloatInference(FloatModel model)
    {
        _model = model;
        _shapes = model.Spec.OutputShapes();
        _outputs = _shapes.Select(s => new float[s.Size]).ToArray();
        _input = new float[model.Spec.Input.Size];
    }

    /// <summary>The logits of one image (a view valid until the next call).</summary>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<byte> pixels)
    {
        if (pixels.Length != _input.Length) throw new ArgumentException($"expected {_input.Length} pixels, got {pixels.Length}");
        for (int i = 0; i < pixels.Length; i++) _input[i] = pixels[i] * FloatReference.PixelScale;
        var spec = _model.Spec;
        float[] x = _input;
        var inShape = spec.Input;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var l = spec.Layers[i];
            var y = _outputs[i];
            switch (l.Kind)
            {
                case LayerKind.Conv2D: Conv(x, inShape, _shapes[i], l, _model.ForLayer(i), y); break;
                case LayerKind.Dense: Dense(x, _model.ForLayer(i), y); break;
                case LayerKind.MaxPool: Pool(x, inShape, _shapes[i], l, max: true, y); break;
                case LayerKind.AvgPool: Pool(x, inShape, _shapes[i], l, max: false, y); break;
                case LayerKind.ReLU: TensorPrimitives.Max(x, 0f, y); break;
                case LayerKind.Tanh: TensorPrimitives.Tanh(x, y); break;
                default: x.CopyTo(y, 0); break;
            }
            x = y;
            inShape = _shapes[i];
        }
        return x;
    }

    private static void Conv(float[] x, Shape3 inS, Shape3 outS, LayerSpec l, FloatParameters p, float[] y)
    {
        int k = l.Kernel, inC = inS.C, outC = outS.C;
        for (int oy = 0; oy < outS.H; oy++)
        for (int ox = 0; ox < outS.W; ox++)
        {
            var acc = y.AsSpan((oy * outS.W + ox) * outC, outC);
            p.Biases.CopyTo(acc);
            for (int ky = 0; ky < k; ky++)
            {
                int iy = oy * l.Stride - l.Pad + ky;
                if ((uint)iy >= (uint)inS.H) continue;
                for (int kx = 0; kx < k; kx++)
                {
                    int ix = ox * l.Stride - l.Pad + kx;
                    if ((uint)ix >= (uint)inS.W) continue;
                    int xBase = (iy * inS.W + ix) * inC, wBase = (ky * k + kx) * inC * outC;
                    for (int ci = 0; ci < inC; ci++)
                    {
                        float xv = x[xBase + ci];
                        if (xv != 0) TensorPrimitives.MultiplyAdd(p.Weights.AsSpan(wBase + ci * outC, outC), xv, acc, acc);
                    }
                }
            }
        }
    }

    private static void Dense(float[] x, FloatParameters p, float[] y)
    {
        int outC = p.Outputs;
        p.Biases.CopyTo(y, 0);
        for (int i = 0; i < x.Length; i++)
            if (x[i] != 0) TensorPrimitives.MultiplyAdd(p.Weights.AsSpan(i * outC, outC), x[i], y, y);
    }

    private static void Pool(float[] x, Shape3 inS, Shape3 outS, LayerSpec l, bool max, float[] y)
    {
        for (int oy = 0; oy < outS.H; oy++)
        for (int ox = 0; ox < outS.W; ox++)
        for (int c = 0; c < outS.C; c++)
        {
            float acc = max ? float.NegativeInfinity : 0f;
            for (int ky = 0; ky < l.Kernel; ky++)
            for (int kx = 0; kx < l.Kernel; kx++)
            {
                float v = x[((oy * l.Stride + ky) * inS.W + ox * l.Stride + kx) * inS.C + c];
                acc = max ? Math.Max(acc, v) : acc + v;
            }
            y[(oy * outS.W + ox) * outS.C + c] = max ? acc : acc / (l.Kernel * l.Kernel);
        }
    }
}
