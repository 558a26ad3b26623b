namespace LeNetHls.Cli.Flow;

/// <summary>
/// DIR/.flow/STAGE.stamp: the hashes of a stage's inputs and outputs after its last success. A stamp
/// that cannot be read (an older one-line stamp, or a damaged file) simply makes the stage rerun.
/// </summary>
public sealed record StageStamp(string Inputs, string Outputs)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static StageStamp? TryRead(string path)
    {
        try
        {
            if (!File.Exists(path)) return null;
            var stamp = JsonSerializer.Deserialize<StageStamp>(File.ReadAllText(path), Json);
            return stamp is { Inputs: not null, Outputs: not null } ? stamp : null;
        }
        catch (JsonException) { return null; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
