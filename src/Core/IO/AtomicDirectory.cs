using System.Runtime.InteropServices;

namespace LeNetHls.Core.IO;

/// <summary>
/// Writes a whole folder atomically: everything is built in a sibling staging folder
/// (".NAME.staging-PID-ID" next to NAME) and swapped in only by <see cref="Commit"/>. A failure, Ctrl-C
/// or SIGKILL at any moment leaves the old folder untouched or the new one complete, never a mix.
/// On Linux the swap is one renameat2(RENAME_EXCHANGE); elsewhere it is two renames, and a crash
/// between them is repaired by the next run. Staging folders of dead processes are removed then too.
/// </summary>
public sealed class AtomicDirectory : IDisposable
{
    private const string Staging = "staging", Ready = "ready", Old = "old";
    private bool _done;

    private AtomicDirectory(string target, string staging)
    {
        Target = target;
        StagingPath = staging;
    }

    /// <summary>The folder being replaced.</summary>
    public string Target { get; }

    /// <summary>Where the new content is written before <see cref="Commit"/>.</summary>
    public string StagingPath { get; }

    /// <summary>
    /// Starts a new version of <paramref name="target"/>: repairs and cleans what an earlier killed run
    /// left, then creates an empty staging folder beside it. The whole folder is replaced, so an existing
    /// non-empty folder must be one this command wrote: it holds <paramref name="ownerMarker"/>.
    /// </summary>
    public static AtomicDirectory Begin(string target, string? ownerMarker = null, string command = "this command")
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        string parent = Path.GetDirectoryName(full) ?? throw LeNetHlsException.InFile(target, "cannot replace a file-system root");
        if (File.Exists(full)) throw LeNetHlsException.InFile(target, "is a file, expected a folder");
        try
        {
            Directory.CreateDirectory(parent);
            Recover(full);
            if (ownerMarker is not null && Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any()
                && !Path.Exists(Path.Combine(full, ownerMarker)))
                throw LeNetHlsException.InFile(target, $"holds files that {command} did not write; {command} replaces its whole output folder, so give a new or empty folder");
            string staging = SiblingName(full, Staging, Environment.ProcessId);
            Directory.CreateDirectory(staging);
            return new AtomicDirectory(full, staging);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw LeNetHlsException.InFile(target, $"cannot write: {FileErrors.Describe(e)}");
        }
    }

    /// <summary>Swaps the staging folder in as <see cref="Target"/> and deletes the previous version.</summary>
    public void Commit()
    {
        if (_done) throw new InvalidOperationException("already committed or abandoned");
        Stopping.ThrowIfNoMoreWrites();
        try
        {
            if (!Directory.Exists(Target))
            {
                Directory.Move(StagingPath, Target);
            }
            else if (TryExchange(StagingPath, Target))
            {
                // StagingPath now holds the previous version.
                DeleteQuietly(StagingPath);
            }
            else
            {
                // Marked complete first, so that recovery after a crash between the two renames picks the new one.
                string ready = SiblingName(Target, Ready, Environment.ProcessId);
                string old = SiblingName(Target, Old, Environment.ProcessId);
                Directory.Move(StagingPath, ready);
                Directory.Move(Target, old);
                Directory.Move(ready, Target);
                DeleteQuietly(old);
            }
            _done = true;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw LeNetHlsException.InFile(Target, $"cannot replace the folder: {FileErrors.Describe(e)}");
        }
    }

    /// <summary>
    /// Text files that must hold absolute paths (a Vitis config's argv) were written with the staging
    /// path; this points them at the final folder before the swap.
    /// </summary>
    public void RetargetAbsolutePaths(params string[] relativeFiles)
    {
        foreach (var relative in relativeFiles)
        {
            string file = Path.Combine(StagingPath, relative);
            if (!File.Exists(file)) continue;
            string text = File.ReadAllText(file);
            if (text.Contains(StagingPath, StringComparison.Ordinal)) AtomicFile.WriteAllText(file, text.Replace(StagingPath, Target, StringComparison.Ordinal));
        }
    }

    /// <summary>Without a commit, the staging folder is removed and the target stays as it was.</summary>
    public void Dispose()
    {
        if (_done) return;
        _done = true;
        DeleteQuietly(StagingPath);
    }

    /// <summary>
    /// Finishes or undoes a swap that a killed process left half-done, and removes leftovers of
    /// processes that no longer run. Folders of a live lenet-hls (a parallel run) are left alone.
    /// </summary>
    public static void Recover(string target)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        string parent = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(parent)) return;
        var leftovers = Leftovers(full).Where(l => !IsAlive(l.Pid)).ToList();
        if (!Directory.Exists(full))
        {
            var restore = leftovers.FirstOrDefault(l => l.Kind == Ready) ?? leftovers.FirstOrDefault(l => l.Kind == Old);
            if (restore is not null)
            {
                Directory.Move(restore.Path, full);
                leftovers.Remove(restore);
            }
        }
        foreach (var l in leftovers) DeleteQuietly(l.Path);
    }

    private sealed record Leftover(string Path, string Kind, int Pid);

    private static IEnumerable<Leftover> Leftovers(string full)
    {
        string prefix = "." + Path.GetFileName(full) + ".";
        foreach (var dir in Directory.EnumerateDirectories(Path.GetDirectoryName(full)!, prefix + "*"))
        {
            string rest = Path.GetFileName(dir)[prefix.Length..];
            var parts = rest.Split('-');
            if (parts.Length == 3 && parts[0] is Staging or Ready or Old && int.TryParse(parts[1], out int pid))
                yield return new Leftover(dir, parts[0], pid);
        }
    }

    private static string SiblingName(string full, string kind, int pid) =>
        Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{kind}-{pid}-{Guid.NewGuid():N}");

    private static bool IsAlive(int pid) => pid != Environment.ProcessId && AtomicFile.ProcessIsAlive(pid);

    private static void DeleteQuietly(string path)
    {
        try { if (Directory.Exists(path)) Directory.Delete(path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private const int AtFdCwd = -100;
    private const uint RenameExchange = 2;

    [DllImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    private static extern int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    /// <summary>One atomic swap of two folders (Linux 3.15+, glibc 2.28+); false where unsupported.</summary>
    private static bool TryExchange(string a, string b)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { return RenameAt2(AtFdCwd, a, AtFdCwd, b, RenameExchange) == 0; }
        catch (EntryPointNotFoundException) { return false; }
        catch (DllNotFoundException) { return false; }
    }
}
