namespace LeNetHls.Trainer.Tests;

public sealed class NetworkTests
{
    private static FloatModel RandomModelWithBiases(ModelSpec spec, int seed)
    {
        var model = FloatModel.CreateRandom(spec, seed);
        var rng = new SplitMix64((ulong)seed);
        foreach (var p in model.Parameters)
            for (int i = 0; i < p.Biases.Length; i++) p.Biases[i] = (float)(0.1 * rng.NextGaussian());
        return model;
    }

    [Theory]
    [InlineData("lenet5")]
    [InlineData("lenet5-classic")]
    public void Batched_forward_matches_FloatReference_within_1e4(string preset)
    {
        var model = RandomModelWithBiases(Presets.Get(preset), 5);
        var data = SyntheticData.Create(37, seed: 9);
        var logits = new FloatInference(model, threads: 2, batch: 16).Logits(data);
        for (int i = 0; i < data.Count; i++)
        {
            var expected = FloatReference.Forward(model, data.Image(i));
            for (int c = 0; c < 10; c++)
                Assert.True(Math.Abs(expected[c] - logits[i * 10 + c]) <= 1e-4f, $"image {i} class {c}: reference {expected[c]}, batched {logits[i * 10 + c]}");
        }
    }

    [Fact]
    public void Forward_of_a_spec_with_strided_conv_and_dense_on_a_map_matches_FloatReference()
    {
        var spec = new ModelSpec
        {
            Name = "odd",
            Input = new Shape3(28, 28, 1),
            Layers =
            [
                new() { Kind = LayerKind.Conv2D, Name = "c", Out = 3, Kernel = 4, Stride = 2, Pad = 1 },
                new() { Kind = LayerKind.Tanh, Name = "t" },
                new() { Kind = LayerKind.MaxPool, Name = "p", Kernel = 3, Stride = 1 },
                new() { Kind = LayerKind.Dense, Name = "d", Out = 10 },
            ],
        };
        var model = RandomModelWithBiases(spec, 2);
        var data = SyntheticData.Create(5, seed: 1);
        var logits = new FloatInference(model, threads: 1, batch: 5).Logits(data);
        for (int i = 0; i < data.Count; i++)
        {
            var expected = FloatReference.Forward(model, data.Image(i));
            for (int c = 0; c < 10; c++) Assert.True(Math.Abs(expected[c] - logits[i * 10 + c]) <= 1e-4f);
        }
    }

    [Fact]
    public void FloatModel_round_trip_through_the_internal_layout_is_exact()
    {
        var model = RandomModelWithBiases(Presets.LeNet5Classic(), 3);
        var back = Network.FromFloatModel(model).ToFloatModel();
        for (int i = 0; i < model.Parameters.Count; i++)
        {
            Assert.Equal(model.Parameters[i].Weights, back.Parameters[i].Weights);
            Assert.Equal(model.Parameters[i].Biases, back.Parameters[i].Biases);
        }
    }

    [Fact]
    public void Random_init_zeroes_the_weights_cut_by_the_C3_connection_table()
    {
        var model = Network.CreateRandom(Presets.LeNet5Classic(), 1).ToFloatModel();
        var c3 = model.ForLayer(3);
        var table = Presets.LeCunC3Table;
        for (int j = 0; j < c3.Weights.Length; j++)
        {
            int co = j % 16, ci = j / 16 % 6;
            Assert.Equal(table[co].Contains(ci), c3.Weights[j] != 0f);
        }
    }

    [Fact]
    public void Evaluate_counts_agree_with_reference_predictions_and_fill_the_confusion_matrix()
    {
        var model = RandomModelWithBiases(Presets.LeNet5(), 4);
        var data = SyntheticData.Create(50, seed: 3);
        var result = FloatInference.Evaluate(model, data, threads: 2);
        int expectedCorrect = 0;
        for (int i = 0; i < data.Count; i++)
        {
            var logits = FloatReference.Forward(model, data.Image(i));
            if (Array.IndexOf(logits, logits.Max()) == data.Labels[i]) expectedCorrect++;
        }
        Assert.Equal(expectedCorrect, result.Correct);
        Assert.Equal(50, result.Confusion.Cast<int>().Sum());
        Assert.Equal(result.Correct, Enumerable.Range(0, 10).Sum(c => result.Confusion[c, c]));
    }

    [Fact]
    public void Images_of_the_wrong_size_are_rejected_with_a_clear_error()
    {
        var data = SyntheticData.Create(3, seed: 1, size: 20);
        var e = Assert.Throws<Core.IO.LeNetHlsException>(() => FloatInference.Evaluate(FloatModel.CreateRandom(Presets.LeNet5(), 1), data));
        Assert.Contains("20x20", e.Message);
    }
}
