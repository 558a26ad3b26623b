namespace LeNetHls.Core.IO;

/// <summary>
/// Writes a file completely under a temporary name in the same folder, then renames it over the
/// target, so a crash or Ctrl-C never leaves a half-written result and never destroys the old one.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(dir);
            RemoveStaleTemporaries(full);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            Stopping.ThrowIfNoMoreWrites();
            if (Directory.Exists(full)) throw LeNetHlsException.InFile(path, "is a folder, expected a file");
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            TryDelete(temp);
            throw LeNetHlsException.InFile(path, $"cannot write: {FileErrors.Describe(e)}");
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s => s.Write(new UTF8Encoding(false).GetBytes(text)));

    /// <summary>Fails early, with a clear message, when a folder cannot be created or written.</summary>
    public static void EnsureWritableDirectory(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            string probe = Path.Combine(dir, $".write-probe.{Environment.ProcessId}.{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw LeNetHlsException.InFile(dir, $"output folder is not writable ({e.Message})");
        }
    }

    /// <summary>Temporaries of this target left by a process that was killed (SIGKILL, power loss).</summary>
    private static void RemoveStaleTemporaries(string full)
    {
        string prefix = $".{Path.GetFileName(full)}.";
        foreach (var temp in Directory.EnumerateFiles(Path.GetDirectoryName(full)!, prefix + "*.tmp"))
        {
            var parts = Path.GetFileName(temp)[prefix.Length..].Split('.');
            if (parts.Length == 3 && int.TryParse(parts[0], out int pid) && pid != Environment.ProcessId && !ProcessIsAlive(pid)) TryDelete(temp);
        }
    }

    internal static bool ProcessIsAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    private static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
