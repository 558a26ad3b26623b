namespace LeNetHls.Trainer;

/// <summary>
/// A tiny, fully specified generator: its whole state is one ulong, so runs are reproducible across
/// .NET versions and every stream can be re-derived from (seed, purpose, epoch) when resuming.
/// </summary>
public struct SplitMix64(ulong state)
{
    private ulong _state = state;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, bound), bias-free by rejection.</summary>
    public int NextInt(int bound)
    {
        ulong limit = ulong.MaxValue - ulong.MaxValue % (ulong)bound;
        ulong r;
        do r = NextUInt64(); while (r >= limit);
        return (int)(r % (ulong)bound);
    }

    /// <summary>Uniform in (0, 1].</summary>
    public double NextDouble() => ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));

    public double NextGaussian() => Math.Sqrt(-2 * Math.Log(NextDouble())) * Math.Cos(2 * Math.PI * NextDouble());
}

public static class Rng
{
    /// <summary>
    /// Random shifts in [−maxShift, maxShift] for every position of one epoch, fixed by (seed, salt, epoch);
    /// null when augmentation is off.
    /// </summary>
    public static (sbyte[]? X, sbyte[]? Y) EpochShifts(int count, int maxShift, int seed, ulong salt, int epoch)
    {
        if (maxShift == 0) return (null, null);
        var rng = new SplitMix64(Mix(Mix((ulong)seed, salt), (ulong)epoch));
        var x = new sbyte[count];
        var y = new sbyte[count];
        int span = 2 * maxShift + 1;
        for (int i = 0; i < count; i++)
        {
            x[i] = (sbyte)(rng.NextInt(span) - maxShift);
            y[i] = (sbyte)(rng.NextInt(span) - maxShift);
        }
        return (x, y);
    }

    public static ulong Mix(ulong a, ulong b)
    {
        var g = new SplitMix64(a * 0x9E3779B97F4A7C15UL ^ b);
        return g.NextUInt64();
    }

    /// <summary>The order in which an epoch visits the training images, fixed by (seed, epoch).</summary>
    public static int[] EpochPermutation(int count, int seed, int epoch)
    {
        var rng = new SplitMix64(Mix(Mix((ulong)seed, 0x5348_5546), (ulong)epoch));
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        for (int i = count - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
