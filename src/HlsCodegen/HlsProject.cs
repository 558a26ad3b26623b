namespace LeNetHls.HlsCodegen;

/// <summary>
/// The generated folder as the CLI and the flow use it:
/// DIR/qmodel.json (copy of the input), DIR/hls/ (the HLS project), DIR/tb_data/ (test vectors and scores).
/// </summary>
public static class HlsProject
{
    public const string QModelFile = "qmodel.json";
    public const string HlsFolder = "hls";
    public const string TbDataFolder = "tb_data";

    /// <summary>Writes DIR/hls from the qmodel file alone (AcceleratorPlan.Uniform) and copies it to DIR/qmodel.json.</summary>
    public static QModel Codegen(string qmodelPath, string dir, HlsOptions options)
    {
        options.Validate();
        var model = Core.Quantized.QModelFile.Load(qmodelPath);
        Codegen(model, qmodelPath, dir, AcceleratorPlan.Uniform(model, options.MultipliersPerLayer, options.ClockNs), options.Part);
        return model;
    }

    /// <summary>Writes DIR/hls for <paramref name="model"/>, loaded from <paramref name="qmodelPath"/>, as <paramref name="plan"/> says, and copies the file to DIR/qmodel.json.</summary>
    public static void Codegen(QModel model, string qmodelPath, string dir, AcceleratorPlan plan, string part)
    {
        HlsOptions.ValidatePart(part);
        AtomicFile.EnsureWritableDirectory(dir);
        HlsGenerator.Generate(model, Path.Combine(dir, HlsFolder), plan, part);
        string copy = Path.Combine(dir, QModelFile);
        if (Path.GetFullPath(copy) != Path.GetFullPath(qmodelPath))
            AtomicFile.WriteAllBytes(copy, File.ReadAllBytes(qmodelPath));
    }

    /// <summary>
    /// Runs C simulation of DIR/hls over the first <paramref name="images"/> MNIST test images
    /// (all when null) and compares every score with the golden model of DIR/qmodel.json, compiled with
    /// <paramref name="types"/> (by default what <see cref="ApTypes.Find(string?)"/> finds).
    /// </summary>
    public static CsimReport Csim(string dir, int? images, string mnistDir, ApTypes? types = null)
    {
        string hls = Path.Combine(dir, HlsFolder);
        if (!File.Exists(Path.Combine(hls, HlsGenerator.TopSource)))
            throw LeNetHlsException.InFile(hls, "no generated HLS project here (run lenet-hls codegen QMODEL --out DIR first)");
        var model = Core.Quantized.QModelFile.Load(Path.Combine(dir, QModelFile));
        var test = Mnist.Load(mnistDir, MnistSplit.Test);
        if (images is { } n) test = test.Take(n);
        if (test.PixelsPerImage != model.InputShape.Size)
            throw LeNetHlsException.InFile(mnistDir, $"images have {test.PixelsPerImage} pixels, the qmodel expects {model.InputShape.Size}");
        return CsimRunner.Run(model, hls, Path.Combine(dir, TbDataFolder), test.Images, types);
    }
}
