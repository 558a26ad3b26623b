using System.Diagnostics;

namespace LeNetHls.Onnx.Tests;

/// <summary>`lenet-hls import onnx` and `export onnx` as a user runs them: the real executable, exit codes and output lines.</summary>
public sealed class OnnxCliTests : IDisposable
{
    private readonly string _dir = RepoPaths.NewTempDir("onnx-cli");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        var psi = new ProcessStartInfo(host, [Path.Combine(AppContext.BaseDirectory, "lenet-hls.dll"), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root,
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // A hang guard only: these commands take about a second.
        if (!p.WaitForExit(300_000)) { p.Kill(entireProcessTree: true); throw new TimeoutException($"lenet-hls {string.Join(' ', args)} hung"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static void AssertOneErrorLine((int Exit, string Stdout, string Stderr) r, string mustContain)
    {
        Assert.NotEqual(0, r.Exit);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(mustContain, lines[0]);
    }

    [Fact]
    public void Import_writes_a_model_that_export_turns_back_into_onnx()
    {
        string basePath = Path.Combine(_dir, "torch-gemm");
        var imported = Run("import", "onnx", Ort.Fixture("gemm.onnx"), "--out", basePath);
        Assert.Equal(0, imported.Exit);
        Assert.Contains("-> flatten -> dense 1x1x64 -> relu -> dense 1x1x32 -> relu -> dense 1x1x10", imported.Stdout);
        string onnx = Path.Combine(_dir, "again.onnx");
        var exported = Run("export", "onnx", basePath, "--out", onnx);
        Assert.Equal(0, exported.Exit);
        Assert.Contains("opset 13, input 'input' [N,1,28,28] float = pixel / 255", exported.Stdout);
        Assert.Equal(3, OnnxImporter.Import(onnx, "again").Spec.Layers.Count(l => l.Kind == LayerKind.Dense));
    }

    [Fact]
    public void A_truncated_file_fails_with_one_error_line_naming_it()
    {
        string file = Path.Combine(_dir, "cut.onnx");
        File.WriteAllBytes(file, File.ReadAllBytes(Ort.Fixture("lenet5.onnx"))[..50_000]);
        AssertOneErrorLine(Run("import", "onnx", file, "--out", Path.Combine(_dir, "cut")), $"{file}: not a valid ONNX model: truncated or corrupt protobuf");
        Assert.False(File.Exists(Path.Combine(_dir, "cut.modelstruct")));
    }

    [Fact]
    public void A_qmodel_too_wide_for_float32_is_refused_naming_the_file_the_layer_and_the_width()
    {
        string qmodel = Path.Combine(_dir, "wide.qmodel.json");
        QModelFile.Save(SyntheticQModel.Create(Presets.LeNet5(), 16, 16), qmodel);
        string onnx = Path.Combine(_dir, "wide.onnx");
        AssertOneErrorLine(Run("export", "onnx", qmodel, "--out", onnx), $"{qmodel}: layer conv1: the fixed-point ONNX graph needs ");
        Assert.False(File.Exists(onnx));
    }
}
