namespace LeNetHls.Core.Tests;

public class FloatReferenceTests
{
    private static readonly ModelSpec Tiny = new()
    {
        Name = "tiny",
        Input = new Shape3(2, 2, 1),
        Layers =
        [
            new() { Kind = LayerKind.Conv2D, Name = "c", Out = 2, Kernel = 2, Pad = 0 },
            new() { Kind = LayerKind.ReLU, Name = "r" },
            new() { Kind = LayerKind.Flatten, Name = "f" },
            new() { Kind = LayerKind.Dense, Name = "d", Out = 1 },
        ],
    };

    [Fact]
    public void Conv_relu_dense_on_a_2x2_image_matches_hand_arithmetic()
    {
        // Conv weights [kh,kw,in,out]: channel 0 sums the pixels, channel 1 subtracts them.
        var conv = new FloatParameters(0, [2, 2, 1, 2], [1, -1, 1, -1, 1, -1, 1, -1], [0.5f, 0f]);
        var dense = new FloatParameters(3, [2, 1], [2f, 3f], [1f]);
        var model = new FloatModel(Tiny, [conv, dense]);
        byte[] pixels = [255, 0, 51, 102];  // x = 1, 0, 0.2, 0.4
        var trace = FloatReference.ForwardTrace(model, pixels);
        Assert.Equal(2.1f, trace[0][0], 5);
        Assert.Equal(-1.6f, trace[0][1], 5);
        Assert.Equal(0f, trace[1][1]);
        Assert.Equal(1 + 2 * 2.1f, trace[3][0], 5);
    }

    [Fact]
    public void Pooling_takes_the_max_or_the_mean_of_each_window()
    {
        var spec = new ModelSpec
        {
            Name = "pool", Input = new Shape3(2, 2, 1),
            Layers = [new() { Kind = LayerKind.MaxPool, Name = "m", Kernel = 2, Stride = 2 }],
        };
        var avg = spec with { Layers = [new() { Kind = LayerKind.AvgPool, Name = "a", Kernel = 2, Stride = 2 }] };
        byte[] pixels = [0, 255, 51, 102];
        Assert.Equal(1f, FloatReference.Forward(new FloatModel(spec, []), pixels)[0]);
        Assert.Equal(0.4f, FloatReference.Forward(new FloatModel(avg, []), pixels)[0], 5);
    }

    [Fact]
    public void Random_init_is_reproducible_by_seed()
    {
        var a = FloatModel.CreateRandom(Presets.LeNet5(), 5);
        var b = FloatModel.CreateRandom(Presets.LeNet5(), 5);
        Assert.Equal(a.Parameters[1].Weights, b.Parameters[1].Weights);
        Assert.NotEqual(a.Parameters[1].Weights, FloatModel.CreateRandom(Presets.LeNet5(), 6).Parameters[1].Weights);
    }
}
