using System.Buffers.Binary;
using System.IO.Compression;

namespace LeNetHls.Core.Data;

public enum MnistSplit { Train, Test }

/// <summary>Images (row-major, one byte per pixel) and labels of one MNIST split.</summary>
public sealed class MnistSet
{
    public MnistSet(byte[] images, byte[] labels, int rows, int cols)
    {
        Images = images;
        Labels = labels;
        Rows = rows;
        Cols = cols;
    }

    public byte[] Images { get; }
    public byte[] Labels { get; }
    public int Rows { get; }
    public int Cols { get; }
    public int PixelsPerImage => Rows * Cols;
    public int Count => Labels.Length;

    public ReadOnlySpan<byte> Image(int i) => Images.AsSpan(i * PixelsPerImage, PixelsPerImage);

    public MnistSet Take(int n)
    {
        n = Math.Min(n, Count);
        return new MnistSet(Images[..(n * PixelsPerImage)], Labels[..n], Rows, Cols);
    }
}

/// <summary>Reads MNIST's IDX files (plain or .gz) and checks them: magic, dimensions, lengths, counts, MD5.</summary>
public static class Mnist
{
    public const string DefaultDir = "data/mnist";

    /// <summary>MD5 of the uncompressed original files.</summary>
    public static readonly IReadOnlyDictionary<string, string> KnownMd5 = new Dictionary<string, string>
    {
        ["train-images-idx3-ubyte"] = "6bbc9ace898e44ae57da46a324031adb",
        ["train-labels-idx1-ubyte"] = "a25bea736e30d166cdddb491f175f624",
        ["t10k-images-idx3-ubyte"] = "2646ac647ad5339dbf082846283269ea",
        ["t10k-labels-idx1-ubyte"] = "27ae3e4e09519cfbb04c329615203637",
    };

    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;

    public static (string Images, string Labels) FileNames(MnistSplit split) => split == MnistSplit.Train
        ? ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
        : ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    public static MnistSet Load(string dir, MnistSplit split)
    {
        var (imagesName, labelsName) = FileNames(split);
        string imagesPath = Locate(dir, imagesName), labelsPath = Locate(dir, labelsName);
        byte[] imageBytes = ReadMaybeGzip(imagesPath), labelBytes = ReadMaybeGzip(labelsPath);
        // Structure first, then the checksum: a truncated or mismatched file gets the more precise error.
        var (images, count, rows, cols) = ReadImages(imagesPath, imageBytes);
        var labels = ReadLabels(labelsPath, labelBytes);
        if (labels.Length != count)
            throw LeNetHlsException.InFile(labelsPath, $"{labels.Length} labels but {imagesPath} has {count} images");
        VerifyMd5(imagesPath, imagesName, imageBytes);
        VerifyMd5(labelsPath, labelsName, labelBytes);
        return new MnistSet(images, labels, rows, cols);
    }

    /// <summary>Parses an IDX3 image file: magic 0x803, count, rows, cols, then count·rows·cols bytes.</summary>
    public static (byte[] Pixels, int Count, int Rows, int Cols) ReadImages(string path, byte[] data)
    {
        if (data.Length < 16) throw LeNetHlsException.InFile(path, $"truncated IDX header ({data.Length} bytes)");
        int magic = BinaryPrimitives.ReadInt32BigEndian(data);
        if (magic != ImagesMagic) throw LeNetHlsException.InFile(path, $"wrong magic 0x{magic:x8}, expected 0x{ImagesMagic:x8} (IDX images)");
        int count = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
        int rows = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(8));
        int cols = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(12));
        if (count < 0 || rows != 28 || cols != 28)
            throw LeNetHlsException.InFile(path, $"unexpected dimensions {count}x{rows}x{cols} (MNIST images are 28x28)");
        long expected = 16 + (long)count * rows * cols;
        if (data.Length != expected)
            throw LeNetHlsException.InFile(path, data.Length < expected
                ? $"truncated: {data.Length} bytes, expected {expected} for {count} images"
                : $"{data.Length - expected} trailing bytes after {count} images");
        return (data[16..], count, rows, cols);
    }

    /// <summary>Parses an IDX1 label file: magic 0x801, count, then count bytes in 0..9.</summary>
    public static byte[] ReadLabels(string path, byte[] data)
    {
        if (data.Length < 8) throw LeNetHlsException.InFile(path, $"truncated IDX header ({data.Length} bytes)");
        int magic = BinaryPrimitives.ReadInt32BigEndian(data);
        if (magic != LabelsMagic) throw LeNetHlsException.InFile(path, $"wrong magic 0x{magic:x8}, expected 0x{LabelsMagic:x8} (IDX labels)");
        int count = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
        long expected = 8L + count;
        if (count < 0 || data.Length != expected)
            throw LeNetHlsException.InFile(path, data.Length < expected
                ? $"truncated: {data.Length} bytes, expected {expected} for {count} labels"
                : $"length {data.Length} does not match {count} labels");
        var labels = data[8..];
        int bad = Array.FindIndex(labels, l => l > 9);
        if (bad >= 0) throw LeNetHlsException.InFile(path, $"label {bad} is {labels[bad]}, outside 0..9");
        return labels;
    }

    /// <summary>The original MNIST files are known by name: any other content under that name is damage.</summary>
    public static void VerifyMd5(string path, string knownName, byte[] data)
    {
        if (!KnownMd5.TryGetValue(knownName, out var md5)) return;
        string actual = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(data));
        if (actual != md5) throw LeNetHlsException.InFile(path, $"MD5 {actual} does not match the original {knownName} ({md5}); the file is damaged or not MNIST");
    }

    public static byte[] ReadMaybeGzip(string path)
    {
        var raw = FileErrors.Reading(path, () => File.ReadAllBytes(path));
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b) return raw;
        try
        {
            using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var ms = new MemoryStream();
            gz.CopyTo(ms);
            return ms.ToArray();
        }
        catch (InvalidDataException e) { throw LeNetHlsException.InFile(path, $"corrupt gzip ({e.Message})"); }
    }

    private static string Locate(string dir, string name)
    {
        string plain = Path.Combine(dir, name);
        if (File.Exists(plain)) return plain;
        if (File.Exists(plain + ".gz")) return plain + ".gz";
        throw LeNetHlsException.InFile(plain, "MNIST file not found (run `lenet-hls data fetch` or `make data`)");
    }
}
