using System.Security.Cryptography;
using LeNetHls.RtlCodegen;

namespace LeNetHls.RtlCodegen.Tests;

/// <summary>
/// A generated design that every test of this assembly simulating the same RTL shares, whatever its class.
/// The folder is named by the SHA-256 of the generated files, so the same RTL always lands in the same
/// folder and CosimRunner's build stamp (sources, harness, flags) finds the Verilator build an earlier test
/// made there. A Verilator build takes tens of seconds; simulating a few images takes a fraction of that.
/// Runs in one folder take turns, as they share its tb_data and cosim folders. The folders live as long as
/// the test process.
/// </summary>
public sealed class SharedDesign
{
    private static readonly string Root = CreateRoot();
    private static readonly Dictionary<string, Folder> Folders = [];

    /// <summary>One design's folder and the turn its runs take.</summary>
    private sealed record Folder(string Dir, SemaphoreSlim Turn);

    private readonly Folder _folder;

    /// <summary>The design folder: rtl/ as generated, and tb_data/ and cosim/ once simulated.</summary>
    public string Dir => _folder.Dir;
    public QModel Model { get; }

    private SharedDesign(Folder folder, QModel model) => (_folder, Model) = (folder, model);

    public string RtlDir => Path.Combine(Dir, CosimRunner.RtlFolder);

    public static SharedDesign Of(QModel model, int multipliers) =>
        Adopt(RtlFixture.Generate(model, multipliers, "rtl-staging"), model);

    /// <summary>A copy of this design with <paramref name="editRtl"/> applied to its rtl folder: a design of its own, shared by its own content.</summary>
    public SharedDesign Edited(Action<string> editRtl)
    {
        string staging = RepoPaths.NewTempDir("rtl-staging");
        string rtl = Path.Combine(staging, CosimRunner.RtlFolder);
        Directory.CreateDirectory(rtl);
        foreach (string file in Directory.GetFiles(RtlDir)) File.Copy(file, Path.Combine(rtl, Path.GetFileName(file)));
        editRtl(rtl);
        return Adopt(staging, Model);
    }

    public CosimResult Cosim(byte[] images, CosimOptions options)
    {
        _folder.Turn.Wait();
        try { return CosimRunner.Run(Model, Dir, images, options); }
        finally { _folder.Turn.Release(); }
    }

    /// <summary>
    /// Co-simulates with <paramref name="editRoms"/> applied to the ROM images (.mem) in the rtl folder, then puts
    /// them back. The simulator reads the ROM images when it starts, so the design's build serves the edited run
    /// too; an edit of the Verilog itself belongs in <see cref="Edited"/>.
    /// </summary>
    public CosimResult CosimWithEditedRoms(Action<string> editRoms, byte[] images, CosimOptions options)
    {
        _folder.Turn.Wait();
        var roms = Directory.GetFiles(RtlDir, "*.mem").ToDictionary(f => f, File.ReadAllBytes);
        try
        {
            editRoms(RtlDir);
            return CosimRunner.Run(Model, Dir, images, options);
        }
        finally
        {
            foreach (var (file, bytes) in roms) File.WriteAllBytes(file, bytes);
            _folder.Turn.Release();
        }
    }

    /// <summary>Moves a freshly generated folder to its content's place, or drops it when that design is already there.</summary>
    private static SharedDesign Adopt(string staging, QModel model)
    {
        string key = ContentHash(Path.Combine(staging, CosimRunner.RtlFolder));
        lock (Folders)
        {
            if (!Folders.TryGetValue(key, out var folder))
            {
                folder = new Folder(Path.Combine(Root, key), new SemaphoreSlim(1, 1));
                Directory.Move(staging, folder.Dir);
                Folders[key] = folder;
            }
            else Directory.Delete(staging, recursive: true);
            return new SharedDesign(folder, model);
        }
    }

    private static string ContentHash(string rtlDir)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string file in Directory.GetFiles(rtlDir).Order(StringComparer.Ordinal))
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            sha.AppendData(SHA256.HashData(File.ReadAllBytes(file)));
        }
        return Convert.ToHexString(sha.GetHashAndReset())[..16].ToLowerInvariant();
    }

    /// <summary>
    /// The folder of this test process's designs, named by its process id. The test host is not always given
    /// the chance to clean up when it ends, so the folders of test processes that are gone are removed here.
    /// </summary>
    private static string CreateRoot()
    {
        const string prefix = "lenet-test-designs-";
        foreach (string old in Directory.GetDirectories(Path.GetTempPath(), prefix + "*"))
            if (int.TryParse(Path.GetFileName(old)[prefix.Length..], out int pid) && (pid == Environment.ProcessId || !IsRunning(pid)))
            {
                try { Directory.Delete(old, recursive: true); }
                catch (IOException) { /* another test process is removing it too */ }
            }
        string root = Path.Combine(Path.GetTempPath(), prefix + Environment.ProcessId);
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { /* the next test process removes it */ }
        };
        return root;
    }

    private static bool IsRunning(int pid)
    {
        try { using var process = System.Diagnostics.Process.GetProcessById(pid); return !process.HasExited; }
        catch (ArgumentException) { return false; }
    }
}
