namespace LeNetHls.Core.Verification;

/// <summary>The processes below a process, read from /proc: what Ctrl-C must stop and what a test checks is gone.</summary>
public static class ProcessTree
{
    /// <summary>Every descendant of <paramref name="root"/>, children before grandchildren; empty off Linux.</summary>
    public static IReadOnlyList<int> Descendants(int root)
    {
        var found = new List<int>();
        if (!OperatingSystem.IsLinux()) return found;
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                // Field 4 of /proc/PID/stat is the parent; the name (field 2) is in parentheses and may hold spaces.
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields.Length > 1 && int.TryParse(fields[1], out int parent)) parents[pid] = parent;
            }
            catch (IOException) { /* the process ended while being read */ }
            catch (UnauthorizedAccessException) { }
        }
        var frontier = new Queue<int>([root]);
        while (frontier.Count > 0)
        {
            int current = frontier.Dequeue();
            foreach (var (pid, parent) in parents)
                if (parent == current) { found.Add(pid); frontier.Enqueue(pid); }
        }
        return found;
    }
}
