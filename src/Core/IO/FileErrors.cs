namespace LeNetHls.Core.IO;

/// <summary>
/// Turns an operating-system I/O failure into the short reason of a one-line error
/// ("permission denied", "disk full", ...), so every reader and writer reports it the same way.
/// </summary>
public static class FileErrors
{
    private const int DiskFull = 28;        // ENOSPC
    private const int QuotaExceeded = 122;  // EDQUOT
    private const int IsADirectory = 21;    // EISDIR
    private const int NotADirectory = 20;   // ENOTDIR
    private const int ReadOnlyFileSystem = 30; // EROFS

    public static string Describe(Exception e)
    {
        string reason = KnownReason(e);
        string detail = e.Message.Split('\n')[0].Trim();
        return reason.Length == 0 ? detail : detail.Length == 0 || detail.Contains(reason, StringComparison.OrdinalIgnoreCase) ? reason : $"{reason} ({detail})";
    }

    /// <summary>
    /// Only the reason, for a message that already names the file: the exception's own text would add the
    /// name of a temporary or a probe file that no longer exists.
    /// </summary>
    public static string Reason(Exception e)
    {
        string reason = KnownReason(e);
        return reason.Length > 0 ? reason : e.Message.Split('\n')[0].Trim();
    }

    private static string KnownReason(Exception e)
    {
        int errno = e.HResult & 0xFFFF;
        return e switch
        {
            UnauthorizedAccessException => "permission denied",
            DirectoryNotFoundException => "folder not found",
            FileNotFoundException => "file not found",
            PathTooLongException => "path too long",
            IOException when errno is DiskFull or QuotaExceeded => "disk full",
            IOException when errno == IsADirectory => "is a folder, expected a file",
            IOException when errno == NotADirectory => "a file stands where a folder is expected",
            IOException when errno == ReadOnlyFileSystem => "read-only file system",
            _ => "",
        };
    }

    /// <summary>Runs a read, naming the file on any I/O failure.</summary>
    public static T Reading<T>(string path, Func<T> read)
    {
        try { return read(); }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw LeNetHlsException.InFile(path, Directory.Exists(path) ? "is a folder, expected a file" : $"cannot read: {Reason(e)}");
        }
    }
}
