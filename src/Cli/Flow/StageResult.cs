namespace LeNetHls.Cli.Flow;

/// <summary>
/// What csim and cosim leave behind in DIR/&lt;backend&gt;_result.json, for the flow report and for CI:
/// the bit-exact comparison and, for the RTL, the measured cycles.
/// </summary>
public sealed record VerificationResult(
    string Backend,
    int Images,
    int Mismatches,
    string FirstDivergence,
    double Seconds,
    int Multipliers = 0,
    long InitiationInterval = 0,
    long Latency = 0,
    double MacUtilization = 0,
    double StallProbability = 0)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static string PathIn(string dir, string backend) => Path.Combine(dir, $"{backend}_result.json");

    /// <summary>Removes a previous run's result, so a failed run never leaves a stale one behind.</summary>
    public static void Delete(string dir, string backend)
    {
        string path = PathIn(dir, backend);
        try
        {
            if (Directory.Exists(path)) throw LeNetHlsException.InFile(path, "is a folder, expected the result file");
            if (File.Exists(path)) File.Delete(path);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw LeNetHlsException.InFile(path, $"cannot replace the previous result: {FileErrors.Reason(e)}");
        }
    }

    public void Save(string dir) => AtomicFile.WriteAllText(PathIn(dir, Backend), JsonSerializer.Serialize(this, Json));

    public static VerificationResult? TryLoad(string dir, string backend)
    {
        string path = PathIn(dir, backend);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<VerificationResult>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw LeNetHlsException.InFile(path, $"corrupt result file ({e.Message.Split('\n')[0]})"); }
    }
}
