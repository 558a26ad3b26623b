namespace LeNetHls.Trainer.Tests;

public sealed class BatchEngineTests
{
    [Fact]
    public void Whole_network_gradient_matches_finite_differences_of_the_batch_loss()
    {
        // lenet5-classic is smooth (tanh, average pooling), so central differences are accurate.
        var net = Network.CreateRandom(Presets.LeNet5Classic(), 3);
        var data = SyntheticData.Create(6, seed: 4);
        int[] order = [0, 1, 2, 3, 4, 5];
        var engine = new BatchEngine(net, threads: 2, maxBatch: 6);
        engine.ComputeGradients(data, order, 0, 6);
        var gradient = (float[])engine.Gradient.Clone();
        var rng = new SplitMix64(8);
        for (int check = 0; check < 40; check++)
        {
            int i = rng.NextInt(net.Parameters.Length);
            if (net.ConnectionMask[i] == 0f) { Assert.Equal(0f, gradient[i]); continue; }
            float saved = net.Parameters[i];
            const float eps = 1e-2f;
            net.Parameters[i] = saved + eps;
            double plus = engine.ComputeGradients(data, order, 0, 6).LossSum / 6;
            net.Parameters[i] = saved - eps;
            double minus = engine.ComputeGradients(data, order, 0, 6).LossSum / 6;
            net.Parameters[i] = saved;
            double numeric = (plus - minus) / (2 * eps);
            Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-3 + 0.03 * Math.Abs(numeric), $"parameter {i}: analytic {gradient[i]}, numeric {numeric}");
        }
    }

    [Fact]
    public void A_batch_smaller_than_the_thread_count_gives_the_single_thread_gradient()
    {
        var net = Network.CreateRandom(Presets.LeNet5(), 1);
        var data = SyntheticData.Create(8, seed: 2);
        int[] order = [0, 1, 2, 3, 4, 5, 6, 7];
        var many = new BatchEngine(net, threads: 4, maxBatch: 8);
        many.ComputeGradients(data, order, 0, 8);   // leaves a gradient in every shard
        many.ComputeGradients(data, order, 5, 1);
        var one = new BatchEngine(net, threads: 1, maxBatch: 8);
        one.ComputeGradients(data, order, 5, 1);
        Assert.Equal(one.Gradient, many.Gradient);
    }

    [Fact]
    public void A_shift_of_plus_1_in_x_and_minus_1_in_y_moves_the_centre_pixel_to_the_top_right()
    {
        // Flatten + identity dense: the logits are the (shifted) pixels, so the softmax, and with it the
        // bias gradient p − onehot, peaks where the bright pixel landed.
        var spec = new ModelSpec
        {
            Name = "copy", Input = new Shape3(3, 3, 1),
            Layers = [new() { Kind = LayerKind.Flatten, Name = "f" }, new() { Kind = LayerKind.Dense, Name = "d", Out = 9 }],
        };
        var identity = new float[81];
        for (int i = 0; i < 9; i++) identity[i * 9 + i] = 1f;
        var net = Network.FromFloatModel(new FloatModel(spec, [new FloatParameters(1, [9, 9], identity, new float[9])]));
        var data = new Core.Data.MnistSet([0, 0, 0, 0, 255, 0, 0, 0, 0], [0], 3, 3);
        var engine = new BatchEngine(net, threads: 1, maxBatch: 1);
        engine.ComputeGradients(data, [0], 0, 1, shiftX: [1], shiftY: [-1]);
        var biasGradient = engine.Gradient.AsSpan(81, 9).ToArray();
        Assert.Equal(2, Array.IndexOf(biasGradient, biasGradient.Max()));
    }
}
