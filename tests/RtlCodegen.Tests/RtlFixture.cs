using LeNetHls.RtlCodegen;

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

    /// <summary>Co-simulates the model's RTL at M = <paramref name="multipliers"/>, built once for every test that simulates the same design.</summary>
    public static CosimResult Cosim(QModel model, int multipliers, int images, double stall = 0) =>
        SharedDesign.Of(model, multipliers).Cosim(Images(images), new CosimOptions { StallProbability = stall, Seed = 3 });

    /// <summary>Co-simulates <paramref name="design"/> with every bit of the first word of conv2's weight ROM flipped
    /// (some conv2 weights change, nothing else does); the ROM is restored afterwards.</summary>
    public static CosimResult CosimWithCorruptConv2Weights(SharedDesign design, int images = 3) =>
        design.CosimWithEditedRoms(rtl =>
        {
            string mem = Path.Combine(rtl, "l2_conv2_weights.mem");
            var lines = File.ReadAllText(mem).Split('\n');
            lines[0] = new string(lines[0].Select(c => "fedcba9876543210"[Convert.ToInt32(c.ToString(), 16)]).ToArray());
            File.WriteAllText(mem, string.Join('\n', lines));
        }, Images(images), new CosimOptions());
}
