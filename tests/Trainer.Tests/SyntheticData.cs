namespace LeNetHls.Trainer.Tests;

/// <summary>A small learnable stand-in for MNIST: each class is a fixed random blob pattern plus noise.</summary>
internal static class SyntheticData
{
    public static MnistSet Create(int count, int seed, int classes = 10, int size = 28)
    {
        var rng = new SplitMix64((ulong)seed);
        var prototypes = new double[classes][];
        var protoRng = new SplitMix64(12345);
        for (int c = 0; c < classes; c++)
        {
            prototypes[c] = new double[size * size];
            for (int blob = 0; blob < 3; blob++)
            {
                int cy = 4 + protoRng.NextInt(size - 8), cx = 4 + protoRng.NextInt(size - 8);
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                        prototypes[c][y * size + x] += Math.Exp(-((y - cy) * (y - cy) + (x - cx) * (x - cx)) / 8.0);
            }
        }
        var images = new byte[count * size * size];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int label = rng.NextInt(classes);
            labels[i] = (byte)label;
            for (int px = 0; px < size * size; px++)
            {
                double v = 200 * prototypes[label][px] + 40 * rng.NextDouble();
                images[i * size * size + px] = (byte)Math.Clamp(v, 0, 255);
            }
        }
        return new MnistSet(images, labels, size, size);
    }
}
