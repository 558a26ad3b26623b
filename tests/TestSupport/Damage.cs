namespace LeNetHls.TestSupport;

/// <summary>Corrupts a file in place, as a bad disk or a careless edit would, for tests of what reads it.</summary>
public static class Damage
{
    /// <summary>Flips the <paramref name="mask"/> bits of the byte at <paramref name="offset"/>.</summary>
    public static void FlipBits(string path, int offset, byte mask)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= mask;
        File.WriteAllBytes(path, bytes);
    }
}
