namespace LeNetHls.Core.Model;

/// <summary>
/// Plain float inference, written for clarity, that defines what the float model computes:
/// x = pixel / 255, HWC activations, flatten in HWC order. Faster paths are tested against it.
/// </summary>
public static class FloatReference
{
    public const float PixelScale = 1f / 255f;

    public static float[] Forward(FloatModel m, ReadOnlySpan<byte> pixels) => ForwardTrace(m, pixels)[^1];

    /// <summary>The output of every layer of the spec, in order.</summary>
    public static float[][] ForwardTrace(FloatModel m, ReadOnlySpan<byte> pixels)
    {
        var spec = m.Spec;
        var shapes = spec.OutputShapes();
        var x = new float[pixels.Length];
        for (int i = 0; i < x.Length; i++) x[i] = pixels[i] * PixelScale;
        var outputs = new float[spec.Layers.Count][];
        var inShape = spec.Input;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var l = spec.Layers[i];
            var outShape = shapes[i];
            var y = l.Kind switch
            {
                LayerKind.Conv2D => Conv(x, inShape, outShape, l, m.ForLayer(i)),
                LayerKind.Dense => Dense(x, m.ForLayer(i)),
                LayerKind.MaxPool => Pool(x, inShape, outShape, l, max: true),
                LayerKind.AvgPool => Pool(x, inShape, outShape, l, max: false),
                LayerKind.ReLU => x.Select(v => Math.Max(v, 0f)).ToArray(),
                LayerKind.Tanh => x.Select(MathF.Tanh).ToArray(),
                _ => (float[])x.Clone(),
            };
            outputs[i] = y;
            x = y;
            inShape = outShape;
        }
        return outputs;
    }

    private static float[] Conv(float[] x, Shape3 inS, Shape3 outS, LayerSpec l, FloatParameters p)
    {
        var y = new float[outS.Size];
        int k = l.Kernel;
        for (int oy = 0; oy < outS.H; oy++)
        for (int ox = 0; ox < outS.W; ox++)
        for (int co = 0; co < outS.C; co++)
        {
            double sum = p.Biases[co];
            for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++)
            {
                int iy = oy * l.Stride - l.Pad + ky, ix = ox * l.Stride - l.Pad + kx;
                if (iy < 0 || iy >= inS.H || ix < 0 || ix >= inS.W) continue;
                for (int ci = 0; ci < inS.C; ci++)
                    sum += x[(iy * inS.W + ix) * inS.C + ci] * p.Weights[((ky * k + kx) * inS.C + ci) * outS.C + co];
            }
            y[(oy * outS.W + ox) * outS.C + co] = (float)sum;
        }
        return y;
    }

    private static float[] Dense(float[] x, FloatParameters p)
    {
        int outs = p.Outputs;
        var y = new float[outs];
        for (int o = 0; o < outs; o++)
        {
            double sum = p.Biases[o];
            for (int i = 0; i < x.Length; i++) sum += x[i] * p.Weights[i * outs + o];
            y[o] = (float)sum;
        }
        return y;
    }

    private static float[] Pool(float[] x, Shape3 inS, Shape3 outS, LayerSpec l, bool max)
    {
        var y = new float[outS.Size];
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
        return y;
    }
}
