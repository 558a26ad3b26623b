namespace LeNetHls.Core.Tests;

public class ModelSpecTests
{
    [Fact]
    public void Lenet5_shapes_follow_the_textbook()
    {
        var shapes = Presets.LeNet5().OutputShapes();
        Assert.Equal(new Shape3(28, 28, 6), shapes[0]);
        Assert.Equal(new Shape3(5, 5, 16), shapes[5]);
        Assert.Equal(new Shape3(1, 1, 400), shapes[6]);
        Assert.Equal(new Shape3(1, 1, 10), shapes[^1]);
    }

    [Fact]
    public void Lenet5_does_416520_macs_per_image() => Assert.Equal(416_520, Presets.LeNet5().MacsPerImage());

    [Fact]
    public void Classic_c3_reads_60_input_maps_through_the_lecun_table()
    {
        Assert.Equal(60, Presets.LeCunC3Table.Sum(r => r.Length));
        // C1 117,600 + C3 60·25·100 + C5 400·120 + F6 120·84 + output 84·10.
        Assert.Equal(117_600 + 150_000 + 48_000 + 10_080 + 840, Presets.LeNet5Classic().MacsPerImage());
    }

    [Fact]
    public void Classic_has_lecuns_parameter_counts_for_c3()
    {
        // LeCun 1998: C3 has 1,516 trainable parameters (60·25 weights + 16 biases).
        var spec = Presets.LeNet5Classic();
        var c3 = FloatModel.CreateRandom(spec, 1).ForLayer(3);
        Assert.Equal(1_500, c3.Weights.Count(w => w != 0));
        Assert.Equal(16, c3.Biases.Length);
    }

    [Fact]
    public void Spec_survives_a_json_round_trip()
    {
        var spec = Presets.LeNet5Classic();
        Assert.Equal(spec.ToJson(), ModelSpec.FromJson(spec.ToJson(), "x").ToJson());
    }

    [Fact]
    public void A_connection_table_with_the_wrong_row_count_is_rejected()
    {
        var spec = Presets.LeNet5Classic();
        var layers = spec.Layers.ToList();
        layers[3] = layers[3] with { Connections = Presets.LeCunC3Table[..5] };
        var e = Assert.Throws<LeNetHlsException>(() => (spec with { Layers = layers }).OutputShapes());
        Assert.Contains("connection table has 5 rows, expected 16", e.Message);
    }

    [Fact]
    public void A_connection_to_a_missing_input_channel_is_rejected()
    {
        var spec = Presets.LeNet5Classic();
        var layers = spec.Layers.ToList();
        var table = Presets.LeCunC3Table.Select(r => r.ToArray()).ToArray();
        table[0][0] = 6;
        layers[3] = layers[3] with { Connections = table };
        Assert.Contains("distinct input channels in 0..5", Assert.Throws<LeNetHlsException>(() => (spec with { Layers = layers }).OutputShapes()).Message);
    }

    [Fact]
    public void Unknown_presets_list_the_known_ones() =>
        Assert.Equal("unknown preset 'alexnet' (choose one of: lenet5, lenet5-classic)", Assert.Throws<LeNetHlsException>(() => Presets.Get("alexnet")).Message);

    [Fact]
    public void Json_with_no_layers_is_rejected_naming_the_source() =>
        Assert.Equal("spec.json: model spec has no layers",
            Assert.Throws<LeNetHlsException>(() => ModelSpec.FromJson("{\"name\":\"x\",\"input\":{\"h\":28,\"w\":28,\"c\":1},\"layers\":[]}", "spec.json")).Message);
}
