using System.Text.Json.Nodes;

namespace LeNetHls.Core.Tests;

/// <summary>A qmodel's required fields have no silent defaults; nulls and wrong types are one-line errors naming file and field.</summary>
public class QModelSchemaTests
{
    private static string Saved(string preset = "lenet5")
    {
        string path = Path.Combine(RepoPaths.NewTempDir(), "q.qmodel.json");
        QModelFile.Save(SyntheticQModel.Create(Presets.Get(preset)), path);
        return path;
    }

    private static string LoadError(Action<JsonObject> edit)
    {
        string path = Saved();
        var doc = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(doc);
        File.WriteAllText(path, doc.ToJsonString());
        string message = Assert.Throws<LeNetHlsException>(() => QModelFile.Load(path)).Message;
        Assert.StartsWith(path + ": ", message);
        Assert.DoesNotContain("\n", message);
        return message;
    }

    private static JsonObject Layer(JsonObject doc, int i) => doc["layers"]![i]!.AsObject();

    [Fact]
    public void A_saved_qmodel_loads_back() => Assert.Equal(SyntheticQModel.Create(Presets.LeNet5()).Layers.Count, QModelFile.Load(Saved()).Layers.Count);

    [Fact]
    public void A_deleted_activation_is_an_error_not_none() =>
        Assert.Contains("layers[0].activation: is missing", LoadError(d => Layer(d, 0).Remove("activation")));

    [Fact]
    public void A_deleted_stride_is_an_error_not_1() =>
        Assert.Contains("layers[1].stride: is missing", LoadError(d => Layer(d, 1).Remove("stride")));

    [Fact]
    public void A_deleted_rounding_is_an_error() =>
        Assert.Contains("rounding: is missing", LoadError(d => d.Remove("rounding")));

    [Fact]
    public void A_deleted_activation_bound_is_an_error() =>
        Assert.Contains("layers[2].output.max: is missing", LoadError(d => Layer(d, 2)["output"]!.AsObject().Remove("max")));

    [Fact]
    public void A_null_layer_is_named() =>
        Assert.Contains("layers[3]: is null", LoadError(d => d["layers"]!.AsArray()[3] = null));

    [Fact]
    public void A_null_weight_value_is_named() =>
        Assert.Contains("layers[0].weights.data[4]: is null", LoadError(d => Layer(d, 0)["weights"]!["data"]!.AsArray()[4] = null));

    [Fact]
    public void A_null_required_field_is_named() =>
        Assert.Contains("layers[0].output: is null", LoadError(d => Layer(d, 0)["output"] = null));

    [Fact]
    public void A_string_where_a_number_belongs_is_named() =>
        Assert.Contains("layers[0].kernel: is the string \"5\", expected an integer", LoadError(d => Layer(d, 0)["kernel"] = "5"));

    [Fact]
    public void A_number_too_large_for_its_field_is_named() =>
        Assert.Contains("layers[0].pad: 99999999999 is not an integer", LoadError(d => Layer(d, 0)["pad"] = 99999999999L));

    [Fact]
    public void A_misspelt_field_is_an_error_not_ignored() =>
        Assert.Contains("layers[0]: unknown field 'activaton'", LoadError(d => Layer(d, 0)["activaton"] = "relu"));

    [Fact]
    public void A_model_name_with_a_newline_and_a_define_is_rejected() =>
        Assert.Contains("model name 'x\\u000a#define int float' must match", LoadError(d => d["name"] = "x\n#define int float"));

    [Theory]
    [InlineData("../../escape")]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("a b")]
    [InlineData("x\"y")]
    public void A_model_name_that_could_escape_a_file_name_or_string_is_rejected(string name) =>
        Assert.Contains("must match [A-Za-z_][A-Za-z0-9_-]*", LoadError(d => d["name"] = name));

    [Fact]
    public void A_model_name_longer_than_the_limit_is_rejected() =>
        Assert.Contains("at most 64 characters", LoadError(d => d["name"] = new string('a', 65)));

    [Fact]
    public void A_layer_name_that_is_not_an_identifier_is_rejected() =>
        Assert.Contains("layer name 'conv-1' is not an identifier", LoadError(d => Layer(d, 0)["name"] = "conv-1"));

    [Fact]
    public void Two_layers_with_one_name_are_rejected() =>
        Assert.Contains("layer name 'conv1' is used twice", LoadError(d => Layer(d, 1)["name"] = "conv1"));

    [Fact]
    public void A_negative_shape_is_rejected_before_any_arithmetic() =>
        Assert.Contains("sides must lie in 1..", LoadError(d => { Layer(d, 0)["outShape"]!["c"] = -6; }));

    [Fact]
    public void Saving_a_qmodel_with_a_bad_name_writes_nothing()
    {
        string dir = RepoPaths.NewTempDir();
        var q = SyntheticQModel.Create(Presets.LeNet5()) with { Name = "evil\n#define int float" };
        Assert.Throws<LeNetHlsException>(() => QModelFile.Save(q, Path.Combine(dir, "q.qmodel.json")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
    }

    [Fact]
    public void A_folder_given_as_the_qmodel_is_named()
    {
        string dir = RepoPaths.NewTempDir();
        Assert.Equal($"{dir}: is a folder, expected a .qmodel.json file", Assert.Throws<LeNetHlsException>(() => QModelFile.Load(dir)).Message);
    }
}
