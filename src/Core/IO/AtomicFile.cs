namespace LeNetHls.Core.IO;

/// <summary>
/// Writes a file completely under a temporary name in the same folder, then renames it over the
/// target, so a crash or Ctrl-C never leaves a half-written result and never destroys the old one.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string temp = TemporaryPathFor(path);
        OnTemporary(temp, path, () =>
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            if (Directory.Exists(Path.GetFullPath(path))) throw LeNetHlsException.InFile(path, "is a folder, expected a file");
        });
        Replace(temp, path);
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s => s.Write(new UTF8Encoding(false).GetBytes(text)));

    /// <summary>
    /// A temporary name beside <paramref name="path"/> for a writer that is not a .NET stream (g++ -o):
    /// the caller writes it and then calls <see cref="Replace"/>. Temporaries of dead processes are removed.
    /// </summary>
    public static string TemporaryPathFor(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            RemoveStaleTemporaries(full);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw LeNetHlsException.InFile(path, $"cannot write: {FileErrors.Reason(e)}");
        }
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>Puts a complete temporary from <see cref="TemporaryPathFor"/> in place of <paramref name="path"/> in one rename.</summary>
    public static void Replace(string temporary, string path) =>
        OnTemporary(temporary, path, () =>
        {
            Stopping.ThrowIfNoMoreWrites();
            File.Move(temporary, Path.GetFullPath(path), overwrite: true);
        });

    /// <summary>
    /// Runs one step of writing <paramref name="path"/> through <paramref name="temporary"/>: if it fails the
    /// temporary is removed, and an I/O failure becomes one line naming the path and the cause.
    /// </summary>
    private static void OnTemporary(string temporary, string path, Action step)
    {
        try
        {
            step();
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            TryDelete(temporary);
            throw LeNetHlsException.InFile(path, $"cannot write: {FileErrors.Reason(e)}");
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Removes a temporary from <see cref="TemporaryPathFor"/> that will not be used (its writer failed).</summary>
    public static void Discard(string temporary) => TryDelete(temporary);

    /// <summary>
    /// Removes, anywhere under <paramref name="root"/>, the temporaries of writers that died before their
    /// rename (SIGKILL, power loss). A live process's temporaries (a parallel run) are left alone.
    /// </summary>
    public static void RemoveStaleTemporariesUnder(string root)
    {
        if (!Directory.Exists(root)) return;
        foreach (var temp in Directory.EnumerateFiles(root, ".*.tmp", SearchOption.AllDirectories))
        {
            var parts = Path.GetFileName(temp).Split('.');
            // ".NAME.PID.GUID.tmp": NAME may hold dots of its own.
            if (parts.Length >= 5 && int.TryParse(parts[^3], out int pid) && parts[^2].Length == 32 && pid != Environment.ProcessId && !ProcessIsAlive(pid))
                TryDelete(temp);
        }
    }

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
            throw LeNetHlsException.InFile(dir, $"output folder is not writable: {FileErrors.Reason(e)}");
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
