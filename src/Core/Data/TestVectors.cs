using System.Buffers.Binary;

namespace LeNetHls.Core.Data;

/// <summary>
/// The binary test vectors that the C-sim testbench and the Verilator harness read from tb_data/:
/// images.bin (N × pixels bytes), golden_scores.bin (N × classes int32 little-endian), and the
/// simulators' own outputs in the same int32 layout (csim_scores.bin, cosim_scores.bin).
/// </summary>
public static class TestVectors
{
    public const string ImagesFile = "images.bin";
    public const string GoldenScoresFile = "golden_scores.bin";
    public const string CsimScoresFile = "csim_scores.bin";
    public const string CosimScoresFile = "cosim_scores.bin";

    public static void Write(string dir, ReadOnlySpan<byte> images, ReadOnlySpan<int> goldenScores)
    {
        AtomicFile.WriteAllBytes(Path.Combine(dir, ImagesFile), images);
        WriteScores(Path.Combine(dir, GoldenScoresFile), goldenScores);
    }

    public static void WriteScores(string path, ReadOnlySpan<int> scores)
    {
        var bytes = new byte[scores.Length * 4];
        for (int i = 0; i < scores.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), scores[i]);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Reads N × classes int32 scores; fails if the file is missing or its length is not a whole number of images.</summary>
    public static int[] ReadScores(string path, int classes)
    {
        if (!File.Exists(path)) throw LeNetHlsException.InFile(path, "scores file not found");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length % (4 * classes) != 0)
            throw LeNetHlsException.InFile(path, $"length {bytes.Length} is not a multiple of {4 * classes} bytes (one image's scores)");
        var scores = new int[bytes.Length / 4];
        for (int i = 0; i < scores.Length; i++) scores[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * 4));
        return scores;
    }
}
