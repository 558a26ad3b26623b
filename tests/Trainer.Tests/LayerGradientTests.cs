namespace LeNetHls.Trainer.Tests;

/// <summary>
/// Every layer's backward pass against central finite differences of the scalar L = Σ r·y, for a
/// fixed random r, on a small random batch (2 images), both for the input and for the parameters.
/// </summary>
public sealed unsafe class LayerGradientTests
{
    private const int Images = 2;

    [Fact]
    public void Conv_backward_matches_finite_differences_with_padding()
    {
        var input = new Shape3(5, 5, 2);
        var spec = new LayerSpec { Kind = LayerKind.Conv2D, Out = 3, Kernel = 3, Pad = 1 };
        Check(new ConvLayer(input, new Shape3(5, 5, 3), spec));
    }

    [Fact]
    public void Conv_backward_matches_finite_differences_across_image_groups()
    {
        // 529 output pixels per image: one image per unfolded group, so two groups here.
        var input = new Shape3(23, 23, 1);
        var spec = new LayerSpec { Kind = LayerKind.Conv2D, Out = 2, Kernel = 3, Pad = 1 };
        Check(new ConvLayer(input, new Shape3(23, 23, 2), spec));
    }

    [Fact]
    public void Conv_backward_matches_finite_differences_with_stride_2()
    {
        var input = new Shape3(6, 6, 2);
        var spec = new LayerSpec { Kind = LayerKind.Conv2D, Out = 2, Kernel = 3, Stride = 2, Pad = 1 };
        Check(new ConvLayer(input, new Shape3(3, 3, 2), spec));
    }

    [Fact]
    public void Conv_backward_matches_finite_differences_for_many_images_per_group()
    {
        // 2×2 outputs: the layer unfolds many images at once, which exercises the grouped products.
        var input = new Shape3(4, 4, 3);
        var spec = new LayerSpec { Kind = LayerKind.Conv2D, Out = 5, Kernel = 3 };
        Check(new ConvLayer(input, new Shape3(2, 2, 5), spec), images: 9);
    }

    [Fact]
    public void Dense_backward_matches_finite_differences() =>
        Check(new DenseLayer(new Shape3(1, 1, 13), new Shape3(1, 1, 7)), images: 3);

    [Fact]
    public void MaxPool_backward_matches_finite_differences() =>
        Check(new PoolLayer(new Shape3(4, 4, 2), new Shape3(2, 2, 2), new LayerSpec { Kind = LayerKind.MaxPool, Kernel = 2, Stride = 2 }));

    [Fact]
    public void AvgPool_backward_matches_finite_differences_with_overlapping_windows() =>
        Check(new PoolLayer(new Shape3(4, 4, 2), new Shape3(2, 2, 2), new LayerSpec { Kind = LayerKind.AvgPool, Kernel = 3, Stride = 1 }));

    [Fact]
    public void MaxPool_2x2_vector_path_backward_matches_finite_differences() =>
        // Output width 5: one block of four windows through the vector code, one through the scalar tail.
        Check(new PoolLayer(new Shape3(4, 10, 2), new Shape3(2, 5, 2), new LayerSpec { Kind = LayerKind.MaxPool, Kernel = 2, Stride = 2 }));

    [Fact]
    public void AvgPool_2x2_vector_path_backward_matches_finite_differences() =>
        Check(new PoolLayer(new Shape3(4, 10, 2), new Shape3(2, 5, 2), new LayerSpec { Kind = LayerKind.AvgPool, Kernel = 2, Stride = 2 }));

    [Fact]
    public void MaxPool_sends_the_gradient_of_a_tied_window_to_its_first_tap_only()
    {
        // All-zero windows (common after ReLU) must not multiply the gradient; the first maximal tap takes it.
        var layer = new PoolLayer(new Shape3(2, 10, 1), new Shape3(1, 5, 1), new LayerSpec { Kind = LayerKind.MaxPool, Kernel = 2, Stride = 2 });
        var x = new float[20];
        x[13] = 5f;                 // window 1 (columns 2-3): its bottom-right tap is the unique max
        x[4] = 1f; x[14] = 1f;      // window 2 (columns 4-5): a tie between the top-left and bottom-left taps
        var y = new float[5];
        float[] dy = [1f, 2f, 3f, 4f, 5f];
        var dx = Enumerable.Repeat(float.NaN, 20).ToArray();
        fixed (float* xp = x) fixed (float* yp = y) fixed (float* dyp = dy) fixed (float* dxp = dx)
        {
            layer.Forward(null, xp, yp, 1, default);
            layer.Backward(null, xp, yp, dyp, dxp, null, 1, default);
        }
        Assert.Equal([0f, 5f, 1f, 0f, 0f], y);
        float[] expected = new float[20];
        expected[0] = 1f; expected[13] = 2f; expected[4] = 3f; expected[6] = 4f; expected[8] = 5f;
        Assert.Equal(expected, dx);
    }

    [Fact]
    public void ReLU_backward_matches_finite_differences() => Check(new ReLULayer(new Shape3(3, 3, 2)));

    [Fact]
    public void Tanh_backward_matches_finite_differences() => Check(new TanhLayer(new Shape3(3, 3, 2)));

    [Fact]
    public void Flatten_backward_matches_finite_differences() => Check(new FlattenLayer(new Shape3(2, 3, 4)));

    [Fact]
    public void Softmax_cross_entropy_gradient_matches_finite_differences()
    {
        const int classes = 4, n = 3, batch = 5;
        var rng = new SplitMix64(3);
        var logits = Enumerable.Range(0, classes * n).Select(_ => (float)rng.NextGaussian()).ToArray();
        byte[] labels = [2, 0, 3];
        var grad = new float[classes * n];
        double Loss(float[] z)
        {
            fixed (float* zp = z) fixed (float* gp = new float[classes * n])
                return SoftmaxCrossEntropy.Compute(zp, classes, n, labels, gp, batch).LossSum / batch;
        }
        fixed (float* zp = logits) fixed (float* gp = grad) SoftmaxCrossEntropy.Compute(zp, classes, n, labels, gp, batch);
        for (int i = 0; i < logits.Length; i++)
        {
            double numeric = Central(logits, i, 1e-2f, Loss);
            Assert.True(Math.Abs(numeric - grad[i]) < 2e-4, $"logit {i}: analytic {grad[i]}, numeric {numeric}");
        }
    }

    [Fact]
    public void Softmax_cross_entropy_of_uniform_logits_is_log_of_class_count()
    {
        var logits = new float[10];
        var grad = new float[10];
        fixed (float* z = logits) fixed (float* g = grad)
        {
            var (loss, _) = SoftmaxCrossEntropy.Compute(z, 10, 1, [7], g, 1);
            Assert.Equal(Math.Log(10), loss, 6);
        }
        Assert.Equal(0.1f - 1f, grad[7], 6);
        Assert.Equal(0.1f, grad[0], 6);
    }

    private static void Check(Layer layer, int images = Images)
    {
        var rng = new SplitMix64(42);
        int inLen = layer.In.Size * images, outLen = layer.Out.Size * images;
        // Inputs spaced apart so that no finite-difference step crosses a ReLU kink or a max-pool tie.
        var x = Enumerable.Range(0, inLen).Select(i => (float)((rng.NextInt(2) * 2 - 1) * (0.1 + 0.9 * rng.NextDouble()) + 0.003 * i)).ToArray();
        var p = Enumerable.Range(0, layer.ParamCount).Select(_ => (float)(0.5 * rng.NextGaussian())).ToArray();
        var r = Enumerable.Range(0, outLen).Select(_ => (float)rng.NextGaussian()).ToArray();
        var sf = new float[Math.Max(1, layer.ScratchFloats(images))];
        var si = new int[Math.Max(1, layer.ScratchInts(images))];
        var y = new float[outLen];
        var dx = new float[inLen];
        var g = new float[Math.Max(1, layer.ParamCount)];

        double Loss()
        {
            fixed (float* xp = x) fixed (float* pp = p) fixed (float* yp = y) fixed (float* sfp = sf) fixed (int* sip = si)
                layer.Forward(pp, xp, yp, images, new Scratch(sfp, sip));
            double sum = 0;
            for (int i = 0; i < outLen; i++) sum += (double)r[i] * y[i];
            return sum;
        }

        Loss();
        fixed (float* xp = x) fixed (float* pp = p) fixed (float* yp = y) fixed (float* rp = r) fixed (float* dxp = dx) fixed (float* gp = g)
        fixed (float* sfp = sf) fixed (int* sip = si)
            layer.Backward(pp, xp, yp, rp, dxp, gp, images, new Scratch(sfp, sip));

        for (int i = 0; i < inLen; i++)
        {
            double numeric = Central(x, i, 1e-3f, _ => Loss());
            Assert.True(Math.Abs(numeric - dx[i]) < 2e-3 * Math.Max(1, Math.Abs(numeric)), $"{layer.GetType().Name} input {i}: analytic {dx[i]}, numeric {numeric}");
        }
        for (int i = 0; i < layer.ParamCount; i++)
        {
            double numeric = Central(p, i, 1e-3f, _ => Loss());
            Assert.True(Math.Abs(numeric - g[i]) < 2e-3 * Math.Max(1, Math.Abs(numeric)), $"{layer.GetType().Name} parameter {i}: analytic {g[i]}, numeric {numeric}");
        }
    }

    private static double Central(float[] values, int i, float eps, Func<float[], double> loss)
    {
        float saved = values[i];
        values[i] = saved + eps;
        double plus = loss(values);
        values[i] = saved - eps;
        double minus = loss(values);
        values[i] = saved;
        return (plus - minus) / ((double)(saved + eps) - (saved - eps));
    }
}
