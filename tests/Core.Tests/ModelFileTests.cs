using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace LeNetHls.Core.Tests;

public class ModelFileTests
{
    private static string SaveRandom(string preset = "lenet5", int seed = 3)
    {
        string basePath = Path.Combine(RepoPaths.NewTempDir(), "net");
        ModelFile.Save(FloatModel.CreateRandom(Presets.Get(preset), seed), basePath, new Dictionary<string, string> { ["epochs"] = "2" });
        return basePath;
    }

    [Theory]
    [InlineData("lenet5")]
    [InlineData("lenet5-classic")]
    public void Save_then_load_gives_back_every_weight_bit_for_bit(string preset)
    {
        var model = FloatModel.CreateRandom(Presets.Get(preset), 11);
        string basePath = Path.Combine(RepoPaths.NewTempDir(), "m");
        ModelFile.Save(model, basePath);
        var loaded = ModelFile.Load(basePath + ".modelstruct");
        Assert.Equal(model.Spec.ToJson(), loaded.Spec.ToJson());
        for (int i = 0; i < model.Parameters.Count; i++)
        {
            Assert.Equal(model.Parameters[i].Weights, loaded.Parameters[i].Weights);
            Assert.Equal(model.Parameters[i].Biases, loaded.Parameters[i].Biases);
        }
    }

    [Fact]
    public void Layout_follows_the_numpy_seed_conv_w_then_b_little_endian()
    {
        string basePath = SaveRandom();
        var doc = JsonNode.Parse(File.ReadAllText(basePath + ".modelstruct"))!;
        var conv1 = doc["layer_weights"]!["layer_0_Conv2D"]!;
        Assert.Equal("[5,5,1,6]", conv1["W"]!["shape"]!.ToJsonString());
        Assert.Equal(0, (int)conv1["W"]!["offset"]!);
        Assert.Equal(150, (int)conv1["W"]!["size"]!);
        Assert.Equal(600, (int)conv1["b"]!["offset"]!);
        Assert.Equal(624, (int)doc["layer_weights"]!["layer_3_Conv2D"]!["W"]!["offset"]!);
        var bin = File.ReadAllBytes(basePath + ".bin");
        var model = ModelFile.Load(basePath);
        Assert.Equal(model.Parameters[0].Weights[1], BinaryPrimitives.ReadSingleLittleEndian(bin.AsSpan(4)));
        Assert.Equal(61_706 * 4, bin.Length);
    }

    [Fact]
    public void Training_metadata_is_kept()
    {
        Assert.Equal("2", ModelFile.ReadTraining(SaveRandom())["epochs"]);
    }

    [Fact]
    public void Truncated_bin_is_reported_with_both_sizes()
    {
        string basePath = SaveRandom();
        var bin = File.ReadAllBytes(basePath + ".bin");
        File.WriteAllBytes(basePath + ".bin", bin[..1000]);
        var e = Assert.Throws<LeNetHlsException>(() => ModelFile.Load(basePath));
        Assert.Equal($"{basePath}.bin: truncated: 1000 bytes, expected {bin.Length}", e.Message);
    }

    [Fact]
    public void A_changed_weight_fails_the_sha256()
    {
        string basePath = SaveRandom();
        Damage.FlipBits(basePath + ".bin", 100, 1);
        Assert.Contains("SHA-256 does not match", Assert.Throws<LeNetHlsException>(() => ModelFile.Load(basePath)).Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Non_finite_weights_are_rejected_with_the_layer_and_element(float bad)
    {
        var model = FloatModel.CreateRandom(Presets.LeNet5(), 1);
        model.Parameters[2].Weights[7] = bad;
        string basePath = Path.Combine(RepoPaths.NewTempDir(), "m");
        ModelFile.Save(model, basePath);
        var e = Assert.Throws<LeNetHlsException>(() => ModelFile.Load(basePath));
        Assert.Contains("layer_7_FC.W element 7", e.Message);
    }

    [Fact]
    public void Shapes_that_disagree_with_the_architecture_are_rejected()
    {
        string basePath = SaveRandom();
        var doc = JsonNode.Parse(File.ReadAllText(basePath + ".modelstruct"))!;
        doc["layer_weights"]!["layer_0_Conv2D"]!["W"]!["shape"] = new JsonArray(3, 3, 1, 6);
        File.WriteAllText(basePath + ".modelstruct", doc.ToJsonString());
        var e = Assert.Throws<LeNetHlsException>(() => ModelFile.Load(basePath));
        Assert.Contains("layer_0_Conv2D.W shape [3,3,1,6] disagrees with the architecture [5,5,1,6]", e.Message);
    }

    [Fact]
    public void An_architecture_whose_layers_do_not_fit_is_rejected()
    {
        string basePath = SaveRandom();
        var doc = JsonNode.Parse(File.ReadAllText(basePath + ".modelstruct"))!;
        doc["architecture"]!["layers"]![0]!["kernel"] = 40;
        File.WriteAllText(basePath + ".modelstruct", doc.ToJsonString());
        Assert.Contains("does not fit input", Assert.Throws<LeNetHlsException>(() => ModelFile.Load(basePath)).Message);
    }

    [Fact]
    public void Invalid_json_names_the_modelstruct()
    {
        string basePath = SaveRandom();
        File.WriteAllText(basePath + ".modelstruct", "{ \"model_name\": ");
        Assert.StartsWith(basePath + ".modelstruct: invalid JSON", Assert.Throws<LeNetHlsException>(() => ModelFile.Load(basePath)).Message);
    }

    [Fact]
    public void Missing_model_is_named() =>
        Assert.EndsWith("nothing.modelstruct: model file not found",
            Assert.Throws<LeNetHlsException>(() => ModelFile.Load("/tmp/nothing.modelstruct")).Message);
}
