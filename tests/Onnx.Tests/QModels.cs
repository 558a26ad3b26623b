using LeNetHls.Quantizer;

namespace LeNetHls.Onnx.Tests;

/// <summary>Small hand-made qmodels that put one rule of docs/fixed-point.md on its edge values, and the ORT-vs-golden check.</summary>
internal static class QModels
{
    public static readonly QActivation Pixel = new(9, 0, 0, 255);

    /// <summary>One dense layer over two pixels: acc = w·p + bias, s = weightFrac − outFrac.</summary>
    public static QModel Dense(int[] weights, int[] bias, int weightFrac, QActivation output, RoundingMode rounding, OverflowMode overflow,
                               Activation activation = Activation.None, QTanhTable? tanh = null, int weightBits = 8)
    {
        int outs = bias.Length, ins = weights.Length / outs;
        var layer = new QLayer
        {
            Name = "fc", Kind = QLayerKind.Dense, InShape = new Shape3(1, 1, ins), OutShape = new Shape3(1, 1, outs),
            Activation = activation, Tanh = tanh,
            Weights = new QTensor(weightBits, weightFrac, [ins, outs], weights),
            Bias = new QTensor(16, weightFrac, [outs], bias),
            Accumulator = new QFormat(2, weightFrac), Output = output,
        };
        layer = layer with { Accumulator = new QFormat(FixedPointMath.SignedBitsFor(QModelFile.AccumulatorBound(layer, Pixel)), weightFrac) };
        return new QModel
        {
            Name = "rule", Rounding = rounding, Overflow = overflow, InputShape = new Shape3(1, 1, ins), Input = Pixel, Layers = [layer],
        };
    }

    /// <summary>Every pair (p0, p1) with p0 in 0..255 and p1 in 0..7: every residue, both signs of p0 − p1.</summary>
    public static byte[][] PixelPairs() =>
        (from p0 in Enumerable.Range(0, 256) from p1 in Enumerable.Range(0, 8) select new[] { (byte)p0, (byte)p1 }).ToArray();

    /// <summary>Runs the exported graph in ONNX Runtime and the golden model on every image; the scores must be equal.</summary>
    public static void AssertOrtEqualsGolden(QModel model, IReadOnlyList<byte[]> images)
    {
        var golden = new GoldenModel(model);
        using var ort = new Ort(FixedPointOnnxExporter.Export(model));
        var scores = ort.Scores(images, [model.InputShape.C, model.InputShape.H, model.InputShape.W]);
        for (int i = 0; i < images.Count; i++)
        {
            var expected = golden.Run(images[i]).ToArray();
            if (!expected.SequenceEqual(scores[i]))
                Assert.Fail($"image {i} [{string.Join(",", images[i].Take(8))}…]: golden [{string.Join(",", expected)}], ONNX Runtime [{string.Join(",", scores[i])}]");
        }
    }
}
