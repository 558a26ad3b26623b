using LeNetHls.Core.FixedPoint;
using LeNetHls.Core.Model;
using LeNetHls.Core.Quantized;
using LeNetHls.RtlCodegen;
using LeNetHls.TestSupport;

namespace LeNetHls.RtlCodegen.Tests;

/// <summary>Generates a synthetic qmodel's RTL into a fresh folder and co-simulates it.</summary>
internal static class RtlFixture
{
    public static QModel Model(string preset, int weightBits = 8, int actBits = 8, int seed = 1,
                               RoundingMode rounding = RoundingMode.Rnd, OverflowMode overflow = OverflowMode.Sat,
                               bool unsignedRelu = false) =>
        SyntheticQModel.Create(Presets.Get(preset), weightBits, actBits, seed, rounding, overflow, unsignedRelu);

    public static string Generate(QModel model, int multipliers, string prefix = "rtl-test")
    {
        string dir = RepoPaths.NewTempDir(prefix);
        RtlGenerator.Generate(model, Path.Combine(dir, CosimRunner.RtlFolder), new RtlOptions { Multipliers = multipliers });
        return dir;
    }

    public static byte[] Images(int count, int seed = 7) => SyntheticQModel.Images(count, seed).SelectMany(i => i).ToArray();

    public static CosimResult Cosim(QModel model, int multipliers, int images, double stall = 0, string prefix = "rtl-test")
    {
        string dir = Generate(model, multipliers, prefix);
        try { return CosimRunner.Run(model, dir, Images(images), new CosimOptions { StallProbability = stall, Seed = 3 }); }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>Co-simulates <paramref name="dir"/> with every bit of the first word of conv2's weight ROM flipped
    /// (some conv2 weights change, nothing else does), then restores the file.</summary>
    public static CosimResult CosimWithCorruptConv2Weights(QModel model, string dir, int images = 3)
    {
        string mem = Path.Combine(dir, CosimRunner.RtlFolder, "l2_conv2_weights.mem");
        string original = File.ReadAllText(mem);
        try
        {
            var lines = original.Split('\n');
            lines[0] = new string(lines[0].Select(c => "fedcba9876543210"[Convert.ToInt32(c.ToString(), 16)]).ToArray());
            File.WriteAllText(mem, string.Join('\n', lines));
            return CosimRunner.Run(model, dir, Images(images), new CosimOptions());
        }
        finally
        {
            File.WriteAllText(mem, original);
        }
    }
}
