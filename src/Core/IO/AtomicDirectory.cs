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
            throw LeNetHlsException.InFile(target, $"cannot write: {FileErrors.Reason(e)}");
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
            throw LeNetHlsException.InFile(Target, $"cannot replace the folder: {FileErrors.Reason(e)}");
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

    /// <summary>
    /// Runs a step that writes into <see cref="StagingPath"/>; its file errors name the final folder, the one
    /// the user gave, because the staging folder is gone after the failure.
    /// </summary>
    public T Build<T>(Func<string, T> writeInto)
    {
        try { return writeInto(StagingPath); }
        catch (LeNetHlsException e) when (e.Message.Contains(StagingPath, StringComparison.Ordinal))
        {
            throw new LeNetHlsException(e.Message.Replace(StagingPath, Target, StringComparison.Ordinal), e);
        }
    }

    /// <inheritdoc cref="Build{T}(Func{string, T})"/>
    public void Build(Action<string> writeInto) => Build(path => { writeInto(path); return 0; });

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

    /// <summary>
    /// <see cref="Recover"/> for every folder under <paramref name="root"/> that a killed process left a
    /// staging, ready or old sibling of, and removal of its temporary files (<see cref="AtomicFile.RemoveStaleTemporariesUnder"/>):
    /// a rerun starts clean whichever of its steps it repeats.
    /// </summary>
    public static void RecoverAllUnder(string root)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        if (!Directory.Exists(full)) return;
        try
        {
            var targets = new SortedSet<string>(StringComparer.Ordinal);
            var pending = new Stack<string>([full]);
            while (pending.Count > 0)
            {
                foreach (var dir in Directory.EnumerateDirectories(pending.Pop()))
                {
                    if (LeftoverTarget(dir) is { } target) targets.Add(target);
                    else if ((File.GetAttributes(dir) & FileAttributes.ReparsePoint) == 0) pending.Push(dir);
                }
            }
            foreach (var target in targets) Recover(target);
            AtomicFile.RemoveStaleTemporariesUnder(full);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw LeNetHlsException.InFile(root, $"cannot clean up after an earlier run: {FileErrors.Reason(e)}");
        }
    }

    /// <summary>The folder that <paramref name="dir"/> is a staging, ready or old version of, or null.</summary>
    private static string? LeftoverTarget(string dir)
    {
        string name = Path.GetFileName(dir);
        if (!name.StartsWith('.')) return null;
        var parts = name.Split('.');
        if (parts.Length < 3) return null;
        var tail = parts[^1].Split('-');
        if (tail.Length != 3 || tail[0] is not (Staging or Ready or Old) || !int.TryParse(tail[1], out _)) return null;
        return Path.Combine(Path.GetDirectoryName(dir)!, string.Join('.', parts[1..^1]));
    }

    /// <summary>Whether each file exists in both the current <see cref="Target"/> and the staging folder with the same bytes.</summary>
    public bool SameInTargetAndStaging(params string[] relativeFiles) =>
        relativeFiles.All(f =>
        {
            string before = Path.Combine(Target, f), after = Path.Combine(StagingPath, f);
            return File.Exists(before) && File.Exists(after) && File.ReadAllBytes(before).AsSpan().SequenceEqual(File.ReadAllBytes(after));
        });

    /// <summary>Copies the files of the current <see cref="Target"/> that the staging folder does not have (another command's results that still hold).</summary>
    public void KeepFromTarget(IEnumerable<string> relativeFiles)
    {
        foreach (var f in relativeFiles)
        {
            string before = Path.Combine(Target, f), after = Path.Combine(StagingPath, f);
            if (File.Exists(before) && !File.Exists(after)) AtomicFile.WriteAllBytes(after, File.ReadAllBytes(before));
        }
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
