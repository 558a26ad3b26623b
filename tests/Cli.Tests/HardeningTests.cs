using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace LeNetHls.Cli.Tests;

/// <summary>Bad input gets one clear line naming the file and the problem, a non-zero exit, no stack trace.</summary>
public class HardeningTests
{
    private static string RandomModel(string preset = "lenet5") => RandomModels.Save(preset);

    private static string MnistCopy()
    {
        string dir = RepoPaths.NewTempDir("lenet-mnist");
        foreach (var f in Directory.GetFiles(RepoPaths.MnistDir)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        return dir;
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void Truncated_idx_file_is_named()
    {
        string dir = MnistCopy();
        string labels = Path.Combine(dir, "t10k-labels-idx1-ubyte");
        File.WriteAllBytes(labels, File.ReadAllBytes(labels)[..5000]);
        CliProcess.Run(["data", "verify", "--data", dir]).AssertCleanError($"{labels}: truncated: 5000 bytes, expected 10008");
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void Corrupt_idx_file_fails_its_md5()
    {
        string dir = MnistCopy();
        string images = Path.Combine(dir, "t10k-images-idx3-ubyte");
        Damage.FlipBits(images, 5000, 0xff);
        CliProcess.Run(["data", "verify", "--data", dir]).AssertCleanError("does not match the original t10k-images-idx3-ubyte");
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void Idx_files_with_mismatched_counts_are_rejected()
    {
        string dir = MnistCopy();
        string labels = Path.Combine(dir, "t10k-labels-idx1-ubyte");
        var bytes = File.ReadAllBytes(labels)[..9008];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), 9000);
        File.WriteAllBytes(labels, bytes);
        CliProcess.Run(["data", "verify", "--data", dir]).AssertCleanError("9000 labels but");
    }

    [Fact]
    public void Wrong_magic_is_rejected()
    {
        string dir = RepoPaths.NewTempDir();
        File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte"), new byte[32]);
        File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte"), new byte[32]);
        CliProcess.Run(["data", "verify", "--data", dir]).AssertCleanError("wrong magic 0x00000000");
    }

    [Fact]
    public void Truncated_bin_is_named_with_sizes()
    {
        string m = RandomModel();
        File.WriteAllBytes(m + ".bin", File.ReadAllBytes(m + ".bin")[..100]);
        CliProcess.Run(["eval", m + ".modelstruct", "--data", RepoPaths.MnistDir]).AssertCleanError($"{m}.bin: truncated: 100 bytes");
    }

    [Fact]
    public void Bin_with_a_sha_mismatch_is_rejected()
    {
        string m = RandomModel();
        Damage.FlipBits(m + ".bin", 8, 4);
        CliProcess.Run(["quantize", m, "--out", RepoPaths.NewTempDir()]).AssertCleanError("SHA-256 does not match");
    }

    [Fact]
    public void Nan_weights_are_rejected()
    {
        var model = FloatModel.CreateRandom(Presets.LeNet5(), 1);
        model.Parameters[0].Weights[3] = float.NaN;
        string m = Path.Combine(RepoPaths.NewTempDir(), "nan");
        ModelFile.Save(model, m);
        CliProcess.Run(["quantize", m, "--out", RepoPaths.NewTempDir()]).AssertCleanError("element 3 is NaN");
    }

    [Fact]
    public void Modelstruct_shapes_that_disagree_with_the_architecture_are_rejected()
    {
        string m = RandomModel();
        var doc = JsonNode.Parse(File.ReadAllText(m + ".modelstruct"))!;
        doc["layer_weights"]!["layer_7_FC"]!["W"]!["shape"] = new JsonArray(120, 400);
        File.WriteAllText(m + ".modelstruct", doc.ToJsonString());
        CliProcess.Run(["quantize", m, "--out", RepoPaths.NewTempDir()]).AssertCleanError("disagrees with the architecture [400,120]");
    }

    [Theory]
    [InlineData("--bits", "1", "2..32")]
    [InlineData("--bits", "33", "2..32")]
    [InlineData("--rounding", "nearest", "nearest")]
    public void Invalid_quantization_options_are_rejected(string option, string value, string expected) =>
        CliProcess.Run(["quantize", RandomModel(), option, value, "--out", RepoPaths.NewTempDir()]).AssertCleanError(expected);

    [Fact]
    public void An_override_naming_a_missing_layer_is_rejected_with_the_file()
    {
        string overrides = Path.Combine(RepoPaths.NewTempDir(), "override.json");
        File.WriteAllText(overrides, "{\"conv9\": {\"weights\": {\"bits\": 6}}}");
        CliProcess.Run(["quantize", RandomModel(), "--override", overrides, "--out", RepoPaths.NewTempDir()])
            .AssertCleanError(overrides);
    }

    [Fact]
    public void A_missing_qmodel_is_named()
    {
        string missing = Path.Combine(RepoPaths.NewTempDir(), "none.qmodel.json");
        CliProcess.Run(["codegen", missing, "--out", RepoPaths.NewTempDir()]).AssertCleanError($"{missing}: qmodel file not found");
    }

    [Fact]
    public void A_corrupt_qmodel_is_named()
    {
        string path = Path.Combine(RepoPaths.NewTempDir(), "bad.qmodel.json");
        File.WriteAllText(path, "{\"format\": \"lenet-hls-qmodel\", \"layers\": [");
        CliProcess.Run(["codegen", path, "--out", RepoPaths.NewTempDir()]).AssertCleanError($"{path}: corrupt qmodel JSON");
    }

    [Fact]
    public void A_qmodel_with_an_out_of_range_weight_is_rejected()
    {
        var q = SyntheticQModel.Create(Presets.LeNet5());
        string path = Path.Combine(RepoPaths.NewTempDir(), "q.qmodel.json");
        Core.Quantized.QModelFile.Save(q, path);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"data\":[", "\"data\":[999999,"));
        CliProcess.Run(["codegen", path, "--out", RepoPaths.NewTempDir()]).AssertCleanError(path);
    }

    [Fact]
    public void An_unwritable_output_folder_is_named()
    {
        string q = Path.Combine(RepoPaths.NewTempDir(), "q.qmodel.json");
        Core.Quantized.QModelFile.Save(SyntheticQModel.Create(Presets.LeNet5()), q);
        CliProcess.Run(["codegen", q, "--out", "/proc/lenet-out"]).AssertCleanError("/proc/lenet-out");
    }

    [Fact]
    public void A_missing_template_is_named()
    {
        string home = RepoPaths.NewTempDir("lenet-home");
        string q = Path.Combine(RepoPaths.NewTempDir(), "q.qmodel.json");
        Core.Quantized.QModelFile.Save(SyntheticQModel.Create(Presets.LeNet5()), q);
        CliProcess.Run(["codegen", q, "--out", RepoPaths.NewTempDir()], new Dictionary<string, string> { ["LENET_HLS_HOME"] = home })
            .AssertCleanError("template");
    }

    [Fact]
    public void Quantize_with_a_target_accuracy_runs_the_search_and_names_an_unwritable_output() =>
        CliProcess.Run(["quantize", RandomModel(), "--target-accuracy", "98.8", "--out", "/proc/lenet-search"])
            .AssertCleanError("/proc/lenet-search");

    [Fact]
    public void Unknown_preset_is_rejected() =>
        CliProcess.Run(["train", "--preset", "resnet50", "--out", Path.Combine(RepoPaths.NewTempDir(), "m")]).AssertCleanError("unknown preset 'resnet50'");
}

/// <summary>Numeric options outside their documented range fail before any work starts, with one line.</summary>
public class OptionRangeTests
{
    [Theory]
    [InlineData("train", "--threads", "100000")]
    [InlineData("eval", "--threads", "100000")]
    [InlineData("flow", "--images", "-1")]
    [InlineData("flow", "--multipliers", "0")]
    [InlineData("quantize", "--test-images", "-5")]
    [InlineData("csim", "--images", "0")]
    [InlineData("regress", "--jobs", "0")]
    [InlineData("codegen", "--clock-ns", "0")]
    public void An_option_outside_its_range_is_refused_before_any_work(string command, string option, string value)
    {
        string[] args = command switch
        {
            "flow" or "train" => [command, option, value, "--out", Path.Combine(RepoPaths.NewTempDir(), "x")],
            "regress" => [command, option, value],
            "codegen" or "quantize" => [command, "/nonexistent/input", option, value, "--out", RepoPaths.NewTempDir()],
            _ => [command, "/nonexistent/input", option, value],
        };
        // The input does not exist: the option error must come first, so nothing was read or started.
        CliProcess.Run(args).AssertCleanError($"{option}: '{value}' is outside its range");
    }

    [Fact]
    public void The_flow_checks_its_stages_options_before_the_first_stage()
    {
        string outDir = Path.Combine(RepoPaths.NewTempDir(), "flow");
        CliProcess.Run(["flow", "--sweep", "8,x", "--out", outDir]).AssertCleanError("--sweep: 'x' is not a width");
        CliProcess.Run(["flow", "--bits", "12", "--qat", "--out", outDir]).AssertCleanError("--bits 12 with --qat");
        CliProcess.Run(["flow", "--multipliers", "3", "--out", outDir]).AssertCleanError("--multipliers 3: lenet5 has 5 conv/dense layers");
        Assert.False(Directory.Exists(Path.Combine(outDir, "logs")));
    }

    [Fact]
    public void A_bad_command_line_gets_one_error_line_not_the_help_text() =>
        CliProcess.Run(["codegen", "--bogus"]).AssertCleanError("(see lenet-hls codegen --help)");

    [Fact]
    public void A_folder_given_as_the_model_is_named()
    {
        string dir = RepoPaths.NewTempDir();
        Directory.CreateDirectory(Path.Combine(dir, "m.modelstruct"));
        CliProcess.Run(["eval", Path.Combine(dir, "m"), "--data", RepoPaths.MnistDir]).AssertCleanError("m.modelstruct: is a folder");
    }
}
