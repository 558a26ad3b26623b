namespace LeNetHls.Core.Golden;

/// <summary>The best of several timed passes of the golden model over a set: wall time and this process's CPU time.</summary>
public sealed record GoldenBenchmarkResult(GoldenResult Result, double BestSeconds, double BestCpuSeconds, int Passes);

public static class GoldenBenchmark
{
    public static GoldenBenchmarkResult Measure(QModel model, MnistSet set, int passes)
    {
        if (passes < 1) throw new LeNetHlsException($"--repeat: {passes} must be at least 1");
        GoldenEvaluation.Run(model, set.Take(Math.Min(1000, set.Count))); // warm-up: JIT tiers and thread pool
        double best = double.PositiveInfinity, bestCpu = double.PositiveInfinity;
        GoldenResult? result = null;
        var process = Process.GetCurrentProcess();
        for (int pass = 0; pass < passes; pass++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            result = GoldenEvaluation.Run(model, set);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
            process.Refresh();
            // On a shared machine wall time depends on the other load; CPU time per image does not.
            bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpuBefore).TotalSeconds);
        }
        return new GoldenBenchmarkResult(result!, best, bestCpu, passes);
    }
}
