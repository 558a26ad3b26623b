using System.Buffers.Binary;
using System.IO.Compression;

namespace LeNetHls.Core.Tests;

public class MnistTests
{
    private static byte[] ImagesIdx(int count, int rows = 28, int cols = 28, int magic = Mnist.ImagesMagic)
    {
        var data = new byte[16 + count * rows * cols];
        BinaryPrimitives.WriteInt32BigEndian(data, magic);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(12), cols);
        for (int i = 16; i < data.Length; i++) data[i] = (byte)(i * 7);
        return data;
    }

    private static byte[] LabelsIdx(int count)
    {
        var data = new byte[8 + count];
        BinaryPrimitives.WriteInt32BigEndian(data, Mnist.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), count);
        for (int i = 0; i < count; i++) data[8 + i] = (byte)(i % 10);
        return data;
    }

    private static string WriteSplit(byte[] images, byte[] labels, bool gzip = false)
    {
        string dir = RepoPaths.NewTempDir();
        var (imagesName, labelsName) = Mnist.FileNames(MnistSplit.Test);
        void Put(string name, byte[] bytes)
        {
            if (!gzip) { File.WriteAllBytes(Path.Combine(dir, name), bytes); return; }
            using var f = File.Create(Path.Combine(dir, name + ".gz"));
            using var gz = new GZipStream(f, CompressionLevel.Fastest);
            gz.Write(bytes);
        }
        Put(imagesName, images);
        Put(labelsName, labels);
        return dir;
    }

    [Fact]
    public void Image_file_parses_count_dimensions_and_pixels()
    {
        var (pixels, count, rows, cols) = Mnist.ReadImages("x", ImagesIdx(3));
        Assert.Equal((3, 28, 28), (count, rows, cols));
        Assert.Equal(3 * 784, pixels.Length);
        Assert.Equal((byte)(16 * 7), pixels[0]);
    }

    [Fact]
    public void Wrong_magic_is_named_with_the_file()
    {
        var e = Assert.Throws<LeNetHlsException>(() => Mnist.ReadImages("imgs", ImagesIdx(1, magic: Mnist.LabelsMagic)));
        Assert.StartsWith("imgs: wrong magic 0x00000801", e.Message);
    }

    [Fact]
    public void Truncated_image_file_says_how_many_bytes_are_missing()
    {
        var data = ImagesIdx(2)[..^10];
        var e = Assert.Throws<LeNetHlsException>(() => Mnist.ReadImages("imgs", data));
        Assert.Contains("truncated: 1574 bytes, expected 1584", e.Message);
    }

    [Fact]
    public void Truncated_header_is_rejected() =>
        Assert.Contains("truncated IDX header", Assert.Throws<LeNetHlsException>(() => Mnist.ReadLabels("l", new byte[5])).Message);

    [Fact]
    public void Non_mnist_dimensions_are_rejected() =>
        Assert.Contains("unexpected dimensions 1x32x32", Assert.Throws<LeNetHlsException>(() => Mnist.ReadImages("i", ImagesIdx(1, 32, 32))).Message);

    [Fact]
    public void Labels_outside_0_to_9_are_rejected()
    {
        var data = LabelsIdx(3);
        data[9] = 12;
        Assert.Contains("label 1 is 12", Assert.Throws<LeNetHlsException>(() => Mnist.ReadLabels("l", data)).Message);
    }

    [Fact]
    public void Image_and_label_counts_must_match()
    {
        string dir = WriteSplit(ImagesIdx(3), LabelsIdx(4));
        var e = Assert.Throws<LeNetHlsException>(() => Mnist.Load(dir, MnistSplit.Test));
        Assert.Contains("4 labels but", e.Message);
        Assert.Contains("has 3 images", e.Message);
    }

    [Fact]
    public void Well_formed_files_with_the_original_names_but_other_content_fail_the_md5()
    {
        string dir = WriteSplit(ImagesIdx(3), LabelsIdx(3));
        var e = Assert.Throws<LeNetHlsException>(() => Mnist.Load(dir, MnistSplit.Test));
        Assert.Contains("does not match the original t10k-images-idx3-ubyte", e.Message);
    }

    [Fact]
    public void Gzipped_files_are_read_transparently()
    {
        string dir = WriteSplit(ImagesIdx(3), LabelsIdx(4), gzip: true);
        // Reaches the count check, so both files were decompressed and parsed.
        Assert.Contains("4 labels but", Assert.Throws<LeNetHlsException>(() => Mnist.Load(dir, MnistSplit.Test)).Message);
    }

    [Fact]
    public void Corrupt_gzip_is_named()
    {
        string dir = RepoPaths.NewTempDir();
        string path = Path.Combine(dir, "t10k-images-idx3-ubyte.gz");
        File.WriteAllBytes(path, [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]);
        File.WriteAllBytes(Path.Combine(dir, "t10k-labels-idx1-ubyte"), LabelsIdx(1));
        Assert.StartsWith(path + ": corrupt gzip", Assert.Throws<LeNetHlsException>(() => Mnist.Load(dir, MnistSplit.Test)).Message);
    }

    [Fact]
    public void Missing_files_point_to_the_fetch_command()
    {
        string dir = RepoPaths.NewTempDir();
        Assert.Contains("lenet-hls data fetch", Assert.Throws<LeNetHlsException>(() => Mnist.Load(dir, MnistSplit.Train)).Message);
    }

    [Fact]
    public void Fetcher_lists_missing_and_damaged_files()
    {
        string dir = RepoPaths.NewTempDir();
        File.WriteAllBytes(Path.Combine(dir, "t10k-labels-idx1-ubyte"), LabelsIdx(2));
        Assert.Equal(4, MnistFetcher.MissingOrDamaged(dir).Count);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void The_real_mnist_test_split_loads_with_10000_images()
    {
        var set = Mnist.Load(RepoPaths.MnistDir, MnistSplit.Test);
        Assert.Equal(10_000, set.Count);
        Assert.Equal(7, set.Labels[0]);
    }
}
