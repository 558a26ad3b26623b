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
                               RoundingMode rounding = RoundingMode.Rnd, OverflowMode overflow = OverflowMode.Sat) =>
        SyntheticQModel.Create(Presets.Get(preset), weightBits, actBits, seed, rounding, overflow);

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
}
