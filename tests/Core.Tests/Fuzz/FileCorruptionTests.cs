using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace LeNetHls.Core.Tests.Fuzz;

/// <summary>
/// Damaged input files end in one of two ways: success with the correct result, or one error line
/// that names the file. Never another exception, never a silently different model.
/// </summary>
public class FileCorruptionTests
{
    private static void AssertOneLineError(LeNetHlsException e, params string[] files)
    {
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(files.Any(f => e.Message.StartsWith(f + ":", StringComparison.Ordinal)), $"message does not start with the file: {e.Message}");
    }

    /// <summary>Runs the load; any exception but LeNetHlsException fails the property with its type.</summary>
    private static bool LoadsOrFailsCleanly<T>(Func<T> load, Func<T, bool> correct, params string[] files)
    {
        try
        {
            return correct(load());
        }
        catch (LeNetHlsException e)
        {
            AssertOneLineError(e, files);
            return true;
        }
    }

    private static bool SameWeights(FloatModel a, FloatModel b) =>
        a.Spec.ToJson() == b.Spec.ToJson() &&
        a.Parameters.Zip(b.Parameters).All(p => p.First.Weights.AsSpan().SequenceEqual(p.Second.Weights) && p.First.Biases.AsSpan().SequenceEqual(p.Second.Biases));

    [Theory]
    [InlineData("lenet5")]
    [InlineData("lenet5-classic")]
    public void A_damaged_modelstruct_loads_the_same_model_or_fails_with_one_line(string preset)
    {
        string dir = RepoPaths.NewTempDir();
        string basePath = Path.Combine(dir, "m");
        var original = FloatModel.CreateRandom(Presets.Get(preset), 2);
        ModelFile.Save(original, basePath);
        string structPath = basePath + ModelFile.StructExtension;
        var doc = JsonNode.Parse(File.ReadAllText(structPath))!;
        Corruptions.Json.Sample(edit =>
        {
            File.WriteAllText(structPath, edit(doc).ToJsonString());
            return LoadsOrFailsCleanly(() => ModelFile.Load(basePath), loaded => SameWeights(loaded, original), structPath, basePath + ModelFile.BinExtension);
        }, iter: 400, threads: 1);
    }

    [Fact]
    public void A_byte_damaged_modelstruct_or_bin_loads_the_same_model_or_fails_with_one_line()
    {
        string dir = RepoPaths.NewTempDir();
        string basePath = Path.Combine(dir, "m");
        var original = FloatModel.CreateRandom(Presets.LeNet5(), 2);
        ModelFile.Save(original, basePath);
        string structPath = basePath + ModelFile.StructExtension, binPath = basePath + ModelFile.BinExtension;
        byte[] structBytes = File.ReadAllBytes(structPath), binBytes = File.ReadAllBytes(binPath);
        Gen.Select(Corruptions.Bytes, Gen.Bool).Sample((damage, inBin) =>
        {
            File.WriteAllBytes(structPath, inBin ? structBytes : damage(structBytes));
            File.WriteAllBytes(binPath, inBin ? damage(binBytes) : binBytes);
            return LoadsOrFailsCleanly(() => ModelFile.Load(basePath), loaded => SameWeights(loaded, original), structPath, binPath);
        }, iter: 400, threads: 1);
    }

    [Theory]
    [InlineData("lenet5")]
    [InlineData("lenet5-classic")]
    public void A_structurally_damaged_qmodel_is_read_exactly_as_written_or_fails_with_one_line(string preset)
    {
        string path = Path.Combine(RepoPaths.NewTempDir(), "q.qmodel.json");
        QModelFile.Save(SyntheticQModel.Create(Presets.Get(preset)), path);
        var doc = JsonNode.Parse(File.ReadAllText(path))!;
        Corruptions.Json.Sample(edit =>
        {
            var damaged = edit(doc);
            File.WriteAllText(path, damaged.ToJsonString());
            // Accepted means every field was read as written: nothing dropped, nothing defaulted.
            return LoadsOrFailsCleanly(() => QModelFile.Load(path),
                loaded => JsonNode.DeepEquals(Corruptions.WithoutNullFields(JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(loaded, QModelFile.Json))),
                                              Corruptions.WithoutNullFields(damaged)),
                path);
        }, iter: 300, threads: 1);
    }

    [Fact]
    public void A_byte_damaged_qmodel_fails_with_one_line_or_loads_a_valid_model()
    {
        string path = Path.Combine(RepoPaths.NewTempDir(), "q.qmodel.json");
        QModelFile.Save(SyntheticQModel.Create(Presets.LeNet5()), path);
        byte[] original = File.ReadAllBytes(path);
        Corruptions.Bytes.Sample(damage =>
        {
            File.WriteAllBytes(path, damage(original));
            return LoadsOrFailsCleanly(() => QModelFile.Load(path), loaded => { QModelFile.Validate(loaded, path); return true; }, path);
        }, iter: 300, threads: 1);
    }

    private static byte[] SmallIdxImages(int count)
    {
        var bytes = new byte[16 + count * 28 * 28];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), 28);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), 28);
        for (int i = 16; i < bytes.Length; i++) bytes[i] = (byte)(i * 7);
        return bytes;
    }

    [Fact]
    public void A_damaged_idx_file_parses_consistently_or_fails_with_one_line()
    {
        const string images = "/data/t10k-images-idx3-ubyte", labels = "/data/t10k-labels-idx1-ubyte";
        byte[] imageBytes = SmallIdxImages(5);
        byte[] labelBytes = [0, 0, 8, 1, 0, 0, 0, 5, 1, 2, 3, 4, 9];
        Gen.Select(Corruptions.Bytes, Gen.Bool).Sample((damage, imageFile) =>
        {
            if (imageFile)
                return LoadsOrFailsCleanly(() => Mnist.ReadImages(images, damage(imageBytes)),
                    r => r.Pixels.Length == r.Count * r.Rows * r.Cols && r.Rows == 28 && r.Cols == 28, images);
            return LoadsOrFailsCleanly(() => Mnist.ReadLabels(labels, damage(labelBytes)), l => l.All(v => v <= 9), labels);
        }, iter: 600, threads: 1);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void A_damaged_mnist_labels_file_is_refused_unless_it_is_the_original()
    {
        string dir = RepoPaths.NewTempDir("lenet-mnist-fuzz");
        var (imagesName, labelsName) = Mnist.FileNames(MnistSplit.Test);
        File.CreateSymbolicLink(Path.Combine(dir, imagesName), Path.Combine(RepoPaths.MnistDir, imagesName));
        byte[] original = File.ReadAllBytes(Path.Combine(RepoPaths.MnistDir, labelsName));
        string labelsPath = Path.Combine(dir, labelsName);
        Corruptions.Bytes.Sample(damage =>
        {
            var damaged = damage(original);
            File.WriteAllBytes(labelsPath, damaged);
            return LoadsOrFailsCleanly(() => Mnist.Load(dir, MnistSplit.Test), _ => damaged.AsSpan().SequenceEqual(original),
                labelsPath, Path.Combine(dir, imagesName));
        }, iter: 100, threads: 1);
    }

    [Fact]
    public void A_gzip_file_that_is_damaged_fails_with_one_line()
    {
        string path = Path.Combine(RepoPaths.NewTempDir(), "t10k-labels-idx1-ubyte.gz");
        using (var ms = new MemoryStream())
        {
            using (var gz = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
                gz.Write(Encoding.ASCII.GetBytes(new string('7', 5000)));
            File.WriteAllBytes(path, ms.ToArray());
        }
        byte[] original = File.ReadAllBytes(path);
        Corruptions.Bytes.Sample(damage =>
        {
            File.WriteAllBytes(path, damage(original));
            return LoadsOrFailsCleanly(() => Mnist.ReadMaybeGzip(path), _ => true, path);
        }, iter: 300, threads: 1);
    }
}
