using System.Text.Json.Nodes;

namespace LeNetHls.Core.Tests;

/// <summary>
/// The .modelstruct metadata cannot be edited into a different model: model_sha256 covers the
/// architecture, the tensor table and the weights, and every field is checked against the spec.
/// </summary>
public class ModelFileIntegrityTests
{
    private static string SaveRandom(string preset = "lenet5") => RandomModels.Save(preset, seed: 5);

    private static string Edit(string basePath, Action<JsonNode> edit)
    {
        var doc = JsonNode.Parse(File.ReadAllText(basePath + ".modelstruct"))!;
        edit(doc);
        File.WriteAllText(basePath + ".modelstruct", doc.ToJsonString());
        return Assert.Throws<LeNetHlsException>(() => ModelFile.Load(basePath)).Message;
    }

    [Fact]
    public void A_new_file_is_format_version_2_with_a_model_hash()
    {
        var doc = JsonNode.Parse(File.ReadAllText(SaveRandom() + ".modelstruct"))!;
        Assert.Equal(2, (int)doc["format_version"]!);
        Assert.Equal(64, ((string)doc["model_sha256"]!).Length);
    }

    [Fact]
    public void A_tensor_offset_moved_to_another_layers_numbers_is_rejected() =>
        Assert.Contains("layer_7_FC.W: offset 0, expected",
            Edit(SaveRandom(), d => d["layer_weights"]!["layer_7_FC"]!["W"]!["offset"] = 0));

    [Fact]
    public void An_activation_changed_from_relu_to_tanh_fails_the_model_hash() =>
        Assert.Contains("model_sha256 does not match",
            Edit(SaveRandom(), d => d["architecture"]!["layers"]![1]!["kind"] = "tanh"));

    [Fact]
    public void A_pooling_changed_from_max_to_average_fails_the_model_hash() =>
        Assert.Contains("model_sha256 does not match",
            Edit(SaveRandom(), d => d["architecture"]!["layers"]![2]!["kind"] = "avgpool"));

    [Fact]
    public void An_unknown_activation_kind_is_rejected() =>
        Assert.Contains("invalid model spec JSON",
            Edit(SaveRandom(), d => d["architecture"]!["layers"]![1]!["kind"] = "gelu"));

    [Theory]
    [InlineData(99)]
    [InlineData(0)]
    [InlineData(3)]
    public void An_unknown_format_version_is_refused(int version) =>
        Assert.Contains($"format_version {version} is not supported", Edit(SaveRandom(), d => d["format_version"] = version));

    [Fact]
    public void A_null_layer_in_the_architecture_is_a_file_error() =>
        Assert.StartsWith(SaveRandomPathFor(out var b) + ".modelstruct: ",
            Edit(b, d => d["architecture"]!["layers"]!.AsArray()[3] = null));

    private static string SaveRandomPathFor(out string basePath) => basePath = SaveRandom();

    [Fact]
    public void A_null_tensor_entry_is_a_file_error() =>
        Assert.Contains("missing weights for layer_0_Conv2D", Edit(SaveRandom(), d => d["layer_weights"]!["layer_0_Conv2D"] = null));

    [Fact]
    public void A_size_that_disagrees_with_the_shape_is_rejected() =>
        Assert.Contains("size 7 does not match shape", Edit(SaveRandom(), d => d["layer_weights"]!["layer_9_FC"]!["b"]!["size"] = 7));

    [Fact]
    public void An_unknown_field_is_rejected() =>
        Assert.Contains("unknown field 'sha'", Edit(SaveRandom(), d => d["sha"] = "x"));

    [Fact]
    public void A_bin_file_outside_the_model_folder_is_rejected() =>
        Assert.Contains("'bin_file' must name a .bin file beside the .modelstruct", Edit(SaveRandom(), d => d["bin_file"] = "../other.bin"));

    [Fact]
    public void An_extra_weight_entry_is_named() =>
        Assert.Contains("'layer_99_FC' matches no layer",
            Edit(SaveRandom(), d => d["layer_weights"]!["layer_99_FC"] = d["layer_weights"]!["layer_9_FC"]!.DeepClone()));

    [Fact]
    public void A_layer_name_that_is_not_an_identifier_is_rejected() =>
        Assert.Contains("is not an identifier",
            Edit(SaveRandom(), d => d["architecture"]!["layers"]![0]!["name"] = "conv1\n#define int float"));

    /// <summary>Version 1 hashed only the .bin: its architecture is trusted only when it is exactly a preset.</summary>
    private static string ToLegacy(string basePath, Action<JsonNode>? edit = null)
    {
        var doc = JsonNode.Parse(File.ReadAllText(basePath + ".modelstruct"))!.AsObject();
        doc["format_version"] = 1;
        doc.Remove("model_sha256");
        edit?.Invoke(doc);
        File.WriteAllText(basePath + ".modelstruct", doc.ToJsonString());
        return basePath;
    }

    [Theory]
    [InlineData("lenet5")]
    [InlineData("lenet5-classic")]
    public void A_legacy_version_1_file_of_a_preset_still_loads_bit_for_bit(string preset)
    {
        string basePath = SaveRandom(preset);
        var original = ModelFile.Load(basePath);
        var legacy = ModelFile.Load(ToLegacy(basePath));
        Assert.Equal(original.Spec.ToJson(), legacy.Spec.ToJson());
        for (int i = 0; i < original.Parameters.Count; i++) Assert.Equal(original.Parameters[i].Weights, legacy.Parameters[i].Weights);
    }

    [Fact]
    public void A_legacy_version_1_file_with_an_edited_architecture_is_refused_with_how_to_reexport()
    {
        string basePath = ToLegacy(SaveRandom(), d => d["architecture"]!["layers"]![1]!["kind"] = "tanh");
        var message = Assert.Throws<LeNetHlsException>(() => ModelFile.Load(basePath)).Message;
        Assert.Contains("format_version 1 only protects the weights", message);
        Assert.Contains("re-export", message);
    }

    [Fact]
    public void A_legacy_version_1_file_with_a_moved_offset_is_refused() =>
        Assert.Contains("offset 0, expected",
            Assert.Throws<LeNetHlsException>(() => ModelFile.Load(ToLegacy(SaveRandom(), d => d["layer_weights"]!["layer_7_FC"]!["W"]!["offset"] = 0))).Message);

    [Fact]
    public void A_folder_where_the_bin_should_be_is_named()
    {
        string basePath = SaveRandom();
        File.Delete(basePath + ".bin");
        Directory.CreateDirectory(basePath + ".bin");
        Assert.Equal($"{basePath}.bin: is a folder, expected the weight file", Assert.Throws<LeNetHlsException>(() => ModelFile.Load(basePath)).Message);
    }
}
