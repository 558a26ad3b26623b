using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace LeNetHls.Trainer;

/// <summary>
/// Everything needed to continue a run exactly: the settings, the position (epoch, batch, step), the
/// parameters, the optimizer state and the selection state (the kept epoch, its validation accuracy and
/// its parameters). Shuffling and shifts are re-derived from (seed, epoch), so no generator state needs
/// saving. File: magic, JSON header, float32 arrays, SHA-256 of all before it.
/// </summary>
public sealed record Checkpoint
{
    public const string Extension = ".ckpt";
    private static readonly byte[] Magic = "LNHCKPT1"u8.ToArray();
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    public required string SpecJson { get; init; }
    public required int BatchSize { get; init; }
    public required OptimizerKind Optimizer { get; init; }
    public required float LearningRate { get; init; }
    public required float Momentum { get; init; }
    public required float WeightDecay { get; init; }
    public required int WarmupSteps { get; init; }
    public required int MaxShift { get; init; }
    public required int Seed { get; init; }
    public required int Threads { get; init; }
    /// <summary>Held-out validation images (the last of the training set); 0 in checkpoints written before validation existed.</summary>
    public int ValidationImages { get; init; }
    public bool KeepLast { get; init; }
    /// <summary>Next epoch to run (0-based) and next batch inside it.</summary>
    public required int Epoch { get; init; }
    public required int Batch { get; init; }
    public required long Step { get; init; }
    /// <summary>Statistics of the partly done epoch, so a resumed epoch reports the same numbers.</summary>
    public double EpochLossSum { get; init; }
    public int EpochCorrect { get; init; }
    public int EpochImages { get; init; }
    public double EpochSeconds { get; init; }
    /// <summary>Validation accuracy of the kept epoch (null: none kept yet, or no validation).</summary>
    public double? SelectedValidationAccuracy { get; init; }
    /// <summary>The kept epoch (1-based; 0: none yet).</summary>
    public int SelectedEpoch { get; init; }
    public List<EpochResult> History { get; init; } = [];
    public List<string> LogLines { get; init; } = [];
    [JsonIgnore] public float[] Parameters { get; init; } = [];
    [JsonIgnore] public float[] OptimizerState { get; init; } = [];
    /// <summary>Parameters of the kept epoch; empty when none is kept yet.</summary>
    [JsonIgnore] public float[] SelectedParameters { get; init; } = [];

    public static string PathFor(string modelBasePath) => ModelFile.BasePath(modelBasePath) + Extension;

    public TrainOptions ToOptions(int epochs, string? outPath, string? logPath) => new()
    {
        Spec = ModelSpec.FromJson(SpecJson, "checkpoint"),
        Epochs = epochs, BatchSize = BatchSize, Optimizer = Optimizer, LearningRate = LearningRate,
        Momentum = Momentum, WeightDecay = WeightDecay, WarmupSteps = WarmupSteps, MaxShift = MaxShift,
        Seed = Seed, Threads = Threads, ValidationImages = ValidationImages, KeepLast = KeepLast, OutPath = outPath, LogPath = logPath,
    };

    public void Save(string path)
    {
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            var header = JsonSerializer.SerializeToUtf8Bytes(this, Json);
            w.Write(header.Length);
            w.Write(header);
            WriteFloats(w, Parameters);
            WriteFloats(w, OptimizerState);
            WriteFloats(w, SelectedParameters);
        }
        var bytes = body.ToArray();
        var hash = SHA256.HashData(bytes);
        AtomicFile.Write(path, s => { s.Write(bytes); s.Write(hash); });
    }

    public static Checkpoint Load(string path)
    {
        // The model's base path, PATH.modelstruct or PATH.bin all name the checkpoint PATH.ckpt beside them.
        if (!path.EndsWith(Extension, StringComparison.Ordinal)) path = PathFor(path);
        if (!File.Exists(path)) throw LeNetHlsException.InFile(path, "checkpoint not found");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + 4 + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw LeNetHlsException.InFile(path, "not a LeNetHls checkpoint (bad magic)");
        var body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            throw LeNetHlsException.InFile(path, "checkpoint is corrupt (SHA-256 mismatch)");
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, 0, body.Length));
            r.ReadBytes(Magic.Length);
            var header = JsonSerializer.Deserialize<Checkpoint>(r.ReadBytes(r.ReadInt32()), Json)
                ?? throw LeNetHlsException.InFile(path, "checkpoint header is empty");
            var parameters = ReadFloats(r);
            var optimizerState = ReadFloats(r);
            // Checkpoints written before the selection state existed end after the optimizer state.
            var selected = r.BaseStream.Position < r.BaseStream.Length ? ReadFloats(r) : [];
            return header with { Parameters = parameters, OptimizerState = optimizerState, SelectedParameters = selected };
        }
        catch (Exception e) when (e is JsonException or EndOfStreamException or IOException)
        {
            throw LeNetHlsException.InFile(path, $"checkpoint cannot be read ({e.Message})");
        }
    }

    private static void WriteFloats(BinaryWriter w, float[] values)
    {
        w.Write(values.Length);
        foreach (var v in values) w.Write(v);
    }

    private static float[] ReadFloats(BinaryReader r)
    {
        int n = r.ReadInt32();
        if (n < 0 || n > (r.BaseStream.Length - r.BaseStream.Position) / 4) throw new EndOfStreamException("array length beyond the end of the file");
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = r.ReadSingle();
        return values;
    }
}
