using System.Security.Cryptography;

namespace LeNetHls.RtlCodegen;

/// <summary>
/// Content-addressed store of synthesis results shared by every run and every output folder:
/// $LENET_CACHE, else ~/.cache/lenet-hls (XDG_CACHE_HOME respected). An entry is a folder named by the
/// SHA-256 of everything that decides its content; it appears complete or not at all (written beside,
/// then renamed), so parallel runs may race on the same key safely.
/// </summary>
public sealed class SynthCache(string root)
{
    public const string Variable = "LENET_CACHE";

    public string Root { get; } = root;

    public static SynthCache Default()
    {
        string? configured = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(configured)) return new SynthCache(Path.GetFullPath(configured));
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string baseDir = !string.IsNullOrWhiteSpace(xdg) ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return new SynthCache(Path.Combine(baseDir, "lenet-hls"));
    }

    public static string Key(params string[] parts)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in parts)
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            sha.AppendData(BitConverter.GetBytes(bytes.Length));
            sha.AppendData(bytes);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private string EntryDir(string kind, string key) => Path.Combine(Root, kind, key[..2], key);

    /// <summary>The entry's folder when it is complete, else null.</summary>
    public string? TryGet(string kind, string key)
    {
        string dir = EntryDir(kind, key);
        return Directory.Exists(dir) ? dir : null;
    }

    /// <summary>Fills a new entry through <paramref name="fill"/> (given an empty private folder) and publishes it.</summary>
    public string Put(string kind, string key, Action<string> fill)
    {
        string dir = EntryDir(kind, key);
        string parent = Path.GetDirectoryName(dir)!;
        try { Directory.CreateDirectory(parent); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw LeNetHlsException.InFile(parent, $"cannot create the synthesis cache folder ({e.Message}); set {Variable} to a writable folder");
        }
        string temp = Path.Combine(parent, $".{key}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temp);
        try
        {
            fill(temp);
            try { Directory.Move(temp, dir); }
            catch (IOException) when (Directory.Exists(dir)) { Directory.Delete(temp, recursive: true); }   // another run published it first
        }
        catch
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            throw;
        }
        return dir;
    }
}
