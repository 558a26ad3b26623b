namespace LeNetHls.RtlCodegen;

/// <summary>
/// How the modules to synthesize are shared out over the yosys processes. Every synth_xilinx process costs
/// about two seconds of set-up (techmap libraries, cell library) whatever it holds, so each job gets one
/// lane: one batch of modules in one process, plus a process of its own for a module that must go alone
/// (the design's top). The lanes must come out of even length, or one core idles while the other
/// finishes. Module text length is a poor measure of that length: the largest elaborated modules
/// (feature-map buffers, megabytes) are mostly unrolled initial-block table arithmetic that yosys folds
/// to constants in its first passes, and cost about as much as a multiplier array a hundredth of their
/// size. Sized by text, one of the two batches of lenet5 8-bit M = 128 held 80 % of the work; with the
/// estimate below, which grows with the logarithm of the text, the two lanes took 42.5 and 42.1 s of CPU.
/// Splitting each lane into two processes (less of synth_xilinx's whole-design pass repetition per
/// process, one more set-up) measured the same.
/// </summary>
internal static class SynthSchedule
{
    /// <summary>The set-up of one yosys synth_xilinx process, in the units of <see cref="EstimatedCost"/>.</summary>
    public const double ProcessCost = 2.0;

    /// <summary>Estimated synthesis cost of a module from the length of its RTLIL text, in about seconds of one core.</summary>
    public static double EstimatedCost(long textLength) => Math.Log(1 + textLength / 8000.0);

    /// <summary>
    /// <paramref name="items"/> over at most <paramref name="jobs"/> lanes of similar estimated cost, largest
    /// item first, each to the cheapest lane. A lane is a list of batches run one after the other: one batch
    /// shared by its items, and one batch of its own for each item that must go <paramref name="alone"/>.
    /// </summary>
    public static List<List<List<T>>> Plan<T>(IReadOnlyList<T> items, Func<T, double> cost, Func<T, bool> alone, int jobs)
    {
        var lanes = Enumerable.Range(0, Math.Max(1, jobs)).Select(_ => new Lane<T>()).ToList();
        double ProcessAndItem(T item) => cost(item) + (alone(item) ? ProcessCost : 0);
        foreach (var item in items.OrderByDescending(ProcessAndItem))
        {
            var lane = lanes.MinBy(l => l.Cost)!;
            if (alone(item))
            {
                lane.Alone.Add([item]);
                lane.Cost += ProcessAndItem(item);
            }
            else
            {
                if (lane.Shared.Count == 0) lane.Cost += ProcessCost;
                lane.Shared.Add(item);
                lane.Cost += cost(item);
            }
        }
        return lanes.Select(l => (l.Shared.Count > 0 ? [l.Shared] : new List<List<T>>()).Concat(l.Alone).ToList())
                    .Where(l => l.Count > 0).ToList();
    }

    private sealed class Lane<T>
    {
        public List<T> Shared { get; } = [];
        public List<List<T>> Alone { get; } = [];
        public double Cost { get; set; }
    }

    /// <summary>
    /// Runs the lanes side by side and the batches of a lane one after the other; <paramref name="work"/> gets
    /// each batch and its number, unique over all lanes. Once a batch fails, no lane starts another.
    /// </summary>
    public static void Run<T>(IReadOnlyList<List<List<T>>> lanes, Action<List<T>, int> work)
    {
        var firstIndex = new int[lanes.Count];
        for (int i = 1; i < lanes.Count; i++) firstIndex[i] = firstIndex[i - 1] + lanes[i - 1].Count;
        int failed = 0;
        Parallel.For(0, lanes.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, lanes.Count) }, lane =>
        {
            for (int b = 0; b < lanes[lane].Count && Volatile.Read(ref failed) == 0; b++)
            {
                try { work(lanes[lane][b], firstIndex[lane] + b); }
                catch
                {
                    Volatile.Write(ref failed, 1);
                    throw;
                }
            }
        });
    }
}
