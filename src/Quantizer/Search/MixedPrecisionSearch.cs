using LeNetHls.Core.Golden;
using LeNetHls.Quantizer.Reporting;

namespace LeNetHls.Quantizer.Search;

/// <summary>
/// Widths of every conv/dense layer (spec order): weights, and outputs (the last output is the scores,
/// which the search leaves alone).
/// </summary>
public sealed record SearchWidths(IReadOnlyList<int> WeightBits, IReadOnlyList<int> OutputBits)
{
    public static SearchWidths Uniform(int layers, int weightBits, int activationBits, int scoreBits)
    {
        var outputs = Enumerable.Repeat(activationBits, layers).ToArray();
        outputs[^1] = scoreBits;
        return new SearchWidths(Enumerable.Repeat(weightBits, layers).ToArray(), outputs);
    }

    public int Layers => WeightBits.Count;

    public bool Equals(SearchWidths? other) =>
        other is not null && WeightBits.SequenceEqual(other.WeightBits) && OutputBits.SequenceEqual(other.OutputBits);

    public override int GetHashCode() => WeightBits.Concat(OutputBits).Aggregate(17, (h, b) => h * 31 + b);

    /// <summary>"w 4,4,2,3,4 a 4,4,3,4 s 8": weights per layer, hidden activations, scores.</summary>
    public override string ToString() =>
        $"w {string.Join(",", WeightBits)} a {string.Join(",", OutputBits.Take(Layers - 1))} s {OutputBits[^1]}";
}

/// <summary>A built candidate: the qmodel and the float weights later candidates may start from.</summary>
public sealed record BuiltCandidate(QModel Model, FloatModel Weights);

/// <summary>
/// Builds the qmodel for some widths, starting from the float weights of the accepted configuration
/// (post-training quantization, or a short quantization-aware fine-tune from those weights).
/// </summary>
public delegate BuiltCandidate CandidateBuilder(SearchWidths widths, FloatModel start);

public sealed record SearchCandidate(SearchWidths Widths, HardwareCost Cost, int Correct, int Count, bool MeetsTarget)
{
    public double Accuracy => Count == 0 ? 0 : (double)Correct / Count;
}

public sealed record SearchOptions
{
    /// <summary>
    /// Widths a step may go down to, widest first; a step moves one tensor one rung down. The last rung, 1,
    /// is for weights only (bipolar, docs/fixed-point.md §1): an activation needs a 0 and stops at 2 bits.
    /// </summary>
    public IReadOnlyList<int> Ladder { get; init; } = [8, 6, 4, 3, 2, 1];
    /// <summary>The narrowest weight width a move may choose (1: bipolar; 2 keeps every layer a signed format).</summary>
    public int MinWeightBits { get; init; } = 1;
    /// <summary>Stop after this many built candidates (each may be a QAT fine-tune).</summary>
    public int MaxCandidates { get; init; } = 60;
}

/// <param name="Path">The accepted configurations from the start on, each cheaper than the one before.</param>
/// <param name="BestModel">The qmodel and weights of the last accepted configuration, or null if the start misses the target.</param>
public sealed record SearchResult(IReadOnlyList<SearchCandidate> Path, BuiltCandidate? BestModel, IReadOnlyList<SearchCandidate> Evaluated, double Target)
{
    /// <summary>The cheapest accepted configuration (meets the target on the validation set), or null if the start does not.</summary>
    public SearchCandidate? Best => Path.Count == 0 ? null : Path[^1];

    /// <summary>Evaluated candidates no other candidate beats on both cost and accuracy, cheapest first.</summary>
    public IReadOnlyList<SearchCandidate> Pareto => MixedPrecisionSearch.ParetoFront(Evaluated);
}

/// <summary>
/// Greedy descent over per-layer widths. From the start configuration, every step lists the moves
/// "one tensor one rung down the ladder", orders them by the cost they would save (largest first), and
/// builds them in that order until one meets the target accuracy on the validation set; that one is
/// accepted and becomes the next start (its fine-tuned weights included). The search ends when no move
/// meets the target at a lower cost. Accuracy is always the golden model's on the built qmodel.
/// </summary>
public static class MixedPrecisionSearch
{
    public static SearchResult Run(SearchWidths start, double targetAccuracy, CandidateBuilder build, FloatModel startWeights,
        MnistSet validation, SearchOptions options, Action<string>? log = null, CancellationToken cancel = default)
    {
        if (targetAccuracy is <= 0 or > 1 || double.IsNaN(targetAccuracy))
            throw new LeNetHlsException($"--target-accuracy: {targetAccuracy} is not a fraction in (0, 1]");
        if (validation.Count == 0) throw new LeNetHlsException("search: the validation set is empty");
        var evaluated = new List<SearchCandidate>();
        var seen = new HashSet<SearchWidths>();

        (SearchCandidate Candidate, BuiltCandidate Built) Evaluate(SearchWidths widths, FloatModel from)
        {
            cancel.ThrowIfCancellationRequested();
            var built = build(widths, from);
            int correct = GoldenEvaluation.Run(built.Model, validation).Correct(validation.Labels);
            var candidate = new SearchCandidate(widths, HardwareCost.Of(built.Model), correct, validation.Count, correct >= targetAccuracy * validation.Count);
            evaluated.Add(candidate);
            seen.Add(widths);
            log?.Invoke(ParetoReport.Line(candidate));
            return (candidate, built);
        }

        var weightFloors = WeightFloors(startWeights.Spec, options.MinWeightBits);
        var (current, currentBuilt) = Evaluate(start, startWeights);
        if (!current.MeetsTarget) return new SearchResult([], null, evaluated, targetAccuracy);
        var path = new List<SearchCandidate> { current };
        while (evaluated.Count < options.MaxCandidates)
        {
            var moves = Moves(current.Widths, options.Ladder, weightFloors).Where(m => !seen.Contains(m))
                .OrderByDescending(m => PredictedSaving(currentBuilt.Model, current.Widths, m)).ToList();
            bool stepped = false;
            foreach (var move in moves)
            {
                if (evaluated.Count >= options.MaxCandidates) break;
                var (candidate, built) = Evaluate(move, currentBuilt.Weights);
                if (!candidate.MeetsTarget || candidate.Cost.Total >= current.Cost.Total) continue;
                (current, currentBuilt) = (candidate, built);
                path.Add(current);
                stepped = true;
                break;
            }
            if (!stepped) break;
        }
        return new SearchResult(path, currentBuilt, evaluated, targetAccuracy);
    }

    /// <summary>
    /// Every configuration one rung lower in exactly one tensor (scores excluded). Weights go down to
    /// minWeightBits at most, activations to <see cref="MinActivationBits"/>.
    /// </summary>
    public static IEnumerable<SearchWidths> Moves(SearchWidths w, IReadOnlyList<int> ladder, int minWeightBits = 1) =>
        Moves(w, ladder, Enumerable.Repeat(minWeightBits, w.Layers).ToArray());

    /// <summary>As above with a floor per layer (<see cref="WeightFloors"/>).</summary>
    public static IEnumerable<SearchWidths> Moves(SearchWidths w, IReadOnlyList<int> ladder, IReadOnlyList<int> weightFloors)
    {
        int? Lower(int bits, int floor)
        {
            foreach (int rung in ladder) if (rung < bits) return rung >= floor ? rung : null;
            return null;
        }
        for (int i = 0; i < w.Layers; i++)
            if (Lower(w.WeightBits[i], weightFloors[i]) is { } lower)
                yield return w with { WeightBits = w.WeightBits.Select((b, j) => j == i ? lower : b).ToArray() };
        for (int i = 0; i < w.Layers - 1; i++)
            if (Lower(w.OutputBits[i], MinActivationBits) is { } lower)
                yield return w with { OutputBits = w.OutputBits.Select((b, j) => j == i ? lower : b).ToArray() };
    }

    /// <summary>
    /// The narrowest weight width of each conv/dense layer: minWeightBits, but 2 for a layer with a
    /// connection table, whose cut pairs need a weight of 0 that bipolar ±1 cannot hold.
    /// </summary>
    public static int[] WeightFloors(ModelSpec spec, int minWeightBits) =>
        spec.ParameterLayers().Select(i => spec.Layers[i].Connections is null ? minWeightBits : Math.Max(minWeightBits, 2)).ToArray();

    /// <summary>An activation needs 0 and both signs of the format's range to mean anything: 2 bits.</summary>
    public const int MinActivationBits = 2;

    /// <summary>The cost a move saves with the current model's parameter counts and bias widths.</summary>
    public static long PredictedSaving(QModel current, SearchWidths from, SearchWidths to)
    {
        long saving = 0;
        var compute = current.Layers.Select((l, i) => (Layer: l, Index: i)).Where(x => x.Layer.HasWeights).ToList();
        for (int c = 0; c < compute.Count; c++)
        {
            var (l, index) = compute[c];
            int inFrom = c == 0 ? current.Input.Bits : from.OutputBits[c - 1];
            int inTo = c == 0 ? current.Input.Bits : to.OutputBits[c - 1];
            saving += HardwareCost.ConnectedWeights(l) * (from.WeightBits[c] - to.WeightBits[c]);
            saving += (long)l.OutShape.C * (from.WeightBits[c] * inFrom - to.WeightBits[c] * inTo);
        }
        return saving;
    }

    public static IReadOnlyList<SearchCandidate> ParetoFront(IEnumerable<SearchCandidate> candidates)
    {
        var front = new List<SearchCandidate>();
        foreach (var c in candidates.OrderBy(c => c.Cost.Total).ThenByDescending(c => c.Correct))
            if (front.Count == 0 || c.Correct > front[^1].Correct) front.Add(c);
        return front;
    }
}
