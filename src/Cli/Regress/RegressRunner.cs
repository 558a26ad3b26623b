using LeNetHls.Cli.Flow;

namespace LeNetHls.Cli.Regress;

public sealed record RegressOutcome(RegressCase Case, bool Passed, double Seconds, string Detail, VerificationResult? Csim, VerificationResult? Cosim);

/// <summary>
/// Runs regression cases in parallel on the local cores: quantize → codegen → csim → cosim per case,
/// each in its own folder with logs, skipping stages whose inputs did not change since the last run.
/// </summary>
/// <param name="images">Test images per case: a count or "all", as csim and cosim take it.</param>
public sealed class RegressRunner(string outDir, string modelsDir, string dataDir, string images, Action<string> say, CancellationToken cancel)
{
    private readonly object _gate = new();

    public string ModelBase(string preset) => Path.Combine(modelsDir, preset);

    /// <summary>Trains the float model of each preset that has none yet (once, before the cases).</summary>
    public void EnsureModels(IEnumerable<string> presets)
    {
        var stages = presets.Distinct()
            .Where(p => !File.Exists(ModelBase(p) + ModelFile.StructExtension))
            .Select(p => new FlowStage($"train-{p}", ["train", "--preset", p, "--out", ModelBase(p), "--data", dataDir], [],
                                       [ModelBase(p) + ModelFile.StructExtension]))
            .ToList();
        if (stages.Count == 0) return;
        say($"training missing float models into {modelsDir}: {string.Join(", ", stages.Select(s => s.Name))}");
        new FlowRunner(outDir, say, cancel).Run(stages);
    }

    public List<RegressOutcome> Run(IReadOnlyList<RegressCase> cases, int jobs)
    {
        var outcomes = new RegressOutcome[cases.Count];
        Parallel.For(0, cases.Count, new ParallelOptions { MaxDegreeOfParallelism = jobs }, i =>
        {
            if (cancel.IsCancellationRequested) return;
            outcomes[i] = RunCase(cases[i]);
        });
        cancel.ThrowIfCancellationRequested();
        return outcomes.ToList();
    }

    private RegressOutcome RunCase(RegressCase c)
    {
        var watch = Stopwatch.StartNew();
        string caseDir = Path.Combine(outDir, "cases", c.Id);
        string modelBase = ModelBase(c.Preset);
        string qmodel = Path.Combine(caseDir, "quant", c.Id + ".qmodel.json");
        string gen = Path.Combine(caseDir, "gen");
        string n = images;
        string[] modelFiles = [modelBase + ModelFile.StructExtension, modelBase + ModelFile.BinExtension];
        var stages = new List<FlowStage>
        {
            new("quantize", ["quantize", modelBase, "--bits", c.Bits.ToString(CultureInfo.InvariantCulture), "--rounding", c.Rounding,
                             "--overflow", c.Overflow, "--name", c.Id, "--out", Path.GetDirectoryName(qmodel)!, "--data", dataDir],
                modelFiles, [qmodel]),
            new("codegen", ["codegen", qmodel, "--out", gen, "--multipliers", c.Multipliers.ToString(CultureInfo.InvariantCulture)],
                [qmodel], [Path.Combine(gen, "hls"), Path.Combine(gen, "rtl")]),
            new("csim", ["csim", gen, "--images", n, "--data", dataDir],
                [Path.Combine(gen, "hls"), Path.Combine(gen, "qmodel.json")], [VerificationResult.PathIn(gen, "csim")]),
            new("cosim", ["cosim", gen, "--images", n, "--stall-prob", c.StallProbability.ToString(CultureInfo.InvariantCulture), "--host", c.Host, "--data", dataDir],
                [Path.Combine(gen, "rtl"), Path.Combine(gen, "qmodel.json")], [VerificationResult.PathIn(gen, "cosim")]),
        };
        string detail;
        bool passed;
        VerificationResult? csim = null, cosim = null;
        try
        {
            new FlowRunner(caseDir, line => Say($"{c.Id}: {line.Trim()}"), cancel).Run(stages);
            csim = VerificationResult.TryLoad(gen, "csim");
            cosim = VerificationResult.TryLoad(gen, "cosim");
            passed = csim is { Mismatches: 0 } && cosim is { Mismatches: 0 };
            detail = passed
                ? $"csim {csim!.Images} and cosim {cosim!.Images} images bit-exact"
                : $"csim: {Describe(csim)}; cosim: {Describe(cosim)}";
        }
        catch (LeNetHlsException e)
        {
            passed = false;
            detail = e.Message;
        }
        Say($"{c.Id}: {(passed ? "PASS" : "FAIL")} in {watch.Elapsed.TotalSeconds:F1} s ({detail})");
        return new RegressOutcome(c, passed, watch.Elapsed.TotalSeconds, detail, csim, cosim);
    }

    private static string Describe(VerificationResult? r) =>
        r is null ? "no result" : r.Mismatches == 0 ? "bit-exact" : $"{r.Mismatches} of {r.Images} images differ, first at {r.FirstDivergence}";

    private void Say(string line)
    {
        lock (_gate) say(line);
    }
}
