using System.Text.Json.Serialization;

namespace LeNetHls.Cli.Regress;

/// <summary>
/// One configuration of the regression: quantized, generated, C-simulated and co-simulated with the
/// harness driving ap_start as <paramref name="Host"/> (hold, handshake or sequential; `cosim --host`).
/// </summary>
public sealed record RegressCase(string Preset, int Bits, string Rounding, string Overflow, int Multipliers, double StallProbability,
                                 string Host = RegressCase.HoldHost)
{
    public const string HoldHost = "hold";
    public static readonly string[] HostModes = [HoldHost, "handshake", "sequential"];

    /// <summary>The case's name, also its folder and its model's name, so a model name (no '.': 0.3 is written 0p3).</summary>
    public string Id => string.Create(CultureInfo.InvariantCulture,
        $"{Preset}-w{Bits}a{Bits}-{Rounding}-{Overflow}-m{Multipliers}{(StallProbability > 0 ? $"-stall{StallProbability:0.##}".Replace('.', 'p') : "")}" +
        $"{(Host == HoldHost ? "" : "-" + Host)}");
}

/// <summary>
/// The regression matrix: the product of the axes (presets × bits × rounding × overflow × multipliers)
/// plus any explicit extra cases. JSON:
/// { "images": 300, "presets": [...], "bits": [...], "rounding": [...], "overflow": [...],
///   "multipliers": [...], "hosts": ["hold"], "stallProbability": 0, "cases": [ {"preset": ..., "bits": ..., ..., "host": "handshake"} ] }
/// </summary>
public sealed record RegressMatrix
{
    public int Images { get; init; } = 300;
    public string[] Presets { get; init; } = [];
    public int[] Bits { get; init; } = [];
    public string[] Rounding { get; init; } = ["rnd"];
    public string[] Overflow { get; init; } = ["sat"];
    public int[] Multipliers { get; init; } = [32];
    /// <summary>ap_start host modes of the harness (hold, handshake, sequential).</summary>
    public string[] Hosts { get; init; } = [RegressCase.HoldHost];
    public double StallProbability { get; init; }
    public RegressCase[] Cases { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>
    /// 18 configurations: lenet5 at 4, 8 and 16 bits in every rounding mode, both overflow modes at 8 bits,
    /// the folding extremes M = 8 and 128, stalled streams, every ap_start host mode (hold, handshake,
    /// sequential) and lenet5-classic (tanh tables, connection table).
    /// </summary>
    public static RegressMatrix Default => new()
    {
        Presets = ["lenet5"],
        Bits = [4, 8, 16],
        Rounding = ["rnd", "trn", "rnd_conv"],
        Overflow = ["sat"],
        Multipliers = [32],
        Cases =
        [
            new("lenet5", 8, "rnd", "wrap", 32, 0),
            new("lenet5", 8, "rnd", "sat", 8, 0),
            new("lenet5", 8, "rnd", "sat", 128, 0),
            new("lenet5", 8, "rnd", "sat", 32, 0.3),
            new("lenet5", 8, "rnd", "sat", 32, 0, "handshake"),
            new("lenet5", 8, "rnd", "sat", 32, 0, "sequential"),
            new("lenet5-classic", 8, "rnd", "sat", 32, 0),
            new("lenet5-classic", 8, "rnd_conv", "sat", 32, 0),
            new("lenet5-classic", 6, "rnd", "sat", 32, 0),
        ],
    };

    public static RegressMatrix Load(string path)
    {
        if (!File.Exists(path)) throw LeNetHlsException.InFile(path, "matrix file not found");
        RegressMatrix? m;
        try { m = JsonSerializer.Deserialize<RegressMatrix>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw LeNetHlsException.InFile(path, $"invalid matrix JSON ({e.Message.Split('\n')[0]})"); }
        if (m is null) throw LeNetHlsException.InFile(path, "empty matrix");
        try { m.Expand(); }
        catch (LeNetHlsException e) { throw LeNetHlsException.InFile(path, e.Message); }
        return m;
    }

    /// <summary>Every case in a stable order, checked.</summary>
    public List<RegressCase> Expand()
    {
        var cases = (from p in Presets from b in Bits from r in Rounding from o in Overflow from mul in Multipliers from h in Hosts
                     select new RegressCase(p, b, r, o, mul, StallProbability, h)).Concat(Cases).DistinctBy(c => c.Id).ToList();
        if (cases.Count == 0) throw new LeNetHlsException("the matrix has no cases");
        if (Images < 1) throw new LeNetHlsException("images must be at least 1");
        foreach (var c in cases)
        {
            LeNetHls.Core.Model.Presets.Get(c.Preset);
            if (c.Bits is < 2 or > 32) throw new LeNetHlsException($"case {c.Id}: bits must be 2..32");
            if (c.Rounding is not ("rnd" or "trn" or "rnd_conv")) throw new LeNetHlsException($"case {c.Id}: rounding must be rnd, trn or rnd_conv");
            if (c.Overflow is not ("sat" or "wrap")) throw new LeNetHlsException($"case {c.Id}: overflow must be sat or wrap");
            if (c.Multipliers < 1) throw new LeNetHlsException($"case {c.Id}: multipliers must be at least 1");
            if (c.StallProbability is < 0 or >= 1) throw new LeNetHlsException($"case {c.Id}: stall probability must be in [0, 1)");
            if (!RegressCase.HostModes.Contains(c.Host)) throw new LeNetHlsException($"case {c.Id}: host must be hold, handshake or sequential");
        }
        return cases;
    }

    /// <summary>"i/n" (1-based): this machine's share of the cases, every n-th starting at i.</summary>
    public static (int Index, int Count) ParseShard(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int i) || !int.TryParse(parts[1], out int n) || n < 1 || i < 1 || i > n)
            throw new LeNetHlsException($"--shard '{text}': expected i/n with 1 <= i <= n");
        return (i, n);
    }

    public static List<RegressCase> Shard(List<RegressCase> cases, int index, int count) =>
        cases.Where((_, k) => k % count == index - 1).ToList();
}
