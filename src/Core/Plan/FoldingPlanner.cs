namespace LeNetHls.Core.Plan;

/// <summary>How one layer is folded onto hardware: PE output lanes x SIMD input lanes (compute layers).</summary>
/// <param name="Positions">Output positions per image (windows the layer evaluates).</param>
/// <param name="Elems">Window length: kernel x kernel x input channels (the dot-product length).</param>
/// <param name="WindowCycles">Cycles the window generator needs per position (new columns + read latency + hand-off).</param>
public sealed record LayerFolding(
    int LayerIndex, string Name, QLayerKind Kind, int Positions, int Elems, int Outs, int WindowCycles, int Pe = 1, int Simd = 1)
{
    public bool IsCompute => Kind is QLayerKind.Conv2D or QLayerKind.Dense;
    public int Nf => IsCompute ? (Outs + Pe - 1) / Pe : 1;
    public int Sf => IsCompute ? (Elems + Simd - 1) / Simd : 1;
    public int Multipliers => IsCompute ? Pe * Simd : 0;
    public long CyclesPerImage => (long)Positions * Math.Max(IsCompute ? Nf * Sf : 1, WindowCycles);
}

/// <summary>
/// Spreads the multiplier budget over the compute layers as FINN's folding does: the smallest
/// initiation interval II for which every layer, given just enough PE x SIMD multipliers to finish
/// an image within II cycles, fits the budget. Heavier layers therefore get proportionally more.
/// </summary>
public static class FoldingPlanner
{
    /// <summary>Cycles the input stream needs per image: one pixel per cycle.</summary>
    public static long InputCycles(QModel model) => model.InputShape.H * model.InputShape.W;

    /// <summary>Every layer with one PE and one SIMD lane: the geometry the planner starts from.</summary>
    public static IReadOnlyList<LayerFolding> Unfolded(QModel model) => model.Layers.Select((l, i) => Describe(l, i)).ToList();

    public static IReadOnlyList<LayerFolding> Plan(QModel model, int multipliers)
    {
        var layers = Unfolded(model);
        int compute = layers.Count(l => l.IsCompute);
        if (multipliers < compute)
            throw new LeNetHlsException($"--multipliers {multipliers}: the model has {compute} compute layers and each needs at least one multiplier");

        long lower = Math.Max(InputCycles(model), layers.Max(l => (long)l.Positions * l.WindowCycles));
        long upper = Math.Max(lower, layers.Where(l => l.IsCompute).Max(l => (long)l.Positions * l.Outs * l.Elems));
        while (lower < upper)
        {
            long mid = lower + (upper - lower) / 2;
            if (layers.Sum(l => Cheapest(l, mid)?.Multipliers ?? int.MaxValue / 64) <= multipliers) upper = mid;
            else lower = mid + 1;
        }
        return layers.Select(l => Cheapest(l, lower) ?? l).ToList();
    }

    /// <summary>The folding with the fewest multipliers that finishes an image within ii cycles (ties: faster).</summary>
    private static LayerFolding? Cheapest(LayerFolding layer, long ii)
    {
        if (!layer.IsCompute) return (long)layer.Positions * layer.WindowCycles <= ii ? layer : null;
        if ((long)layer.Positions * layer.WindowCycles > ii) return null;
        LayerFolding? best = null;
        for (int pe = 1; pe <= layer.Outs; pe++)
        {
            int nf = (layer.Outs + pe - 1) / pe;
            long sfMax = ii / ((long)layer.Positions * nf);
            if (sfMax < 1) continue;
            int simd = (int)((layer.Elems + Math.Min(sfMax, layer.Elems) - 1) / Math.Min(sfMax, layer.Elems));
            var candidate = layer with { Pe = pe, Simd = simd };
            if (best is null || candidate.Multipliers < best.Multipliers ||
                (candidate.Multipliers == best.Multipliers && candidate.CyclesPerImage < best.CyclesPerImage))
                best = candidate;
        }
        return best;
    }

    private static LayerFolding Describe(QLayer l, int index)
    {
        var (kernel, stride) = WindowGeometry(l);
        int newColumns = Math.Min(stride, kernel);
        return new LayerFolding(
            LayerIndex: index, Name: l.Name, Kind: l.Kind,
            Positions: l.OutShape.H * l.OutShape.W,
            Elems: kernel * kernel * l.InShape.C,
            Outs: l.OutShape.C,
            WindowCycles: newColumns + 2);
    }

    /// <summary>Every layer reads windows; a dense layer's window is its whole (square) input.</summary>
    public static (int Kernel, int Stride) WindowGeometry(QLayer l) =>
        l.Kind == QLayerKind.Dense ? (l.InShape.H, 1) : (l.Kernel, l.Stride);
}
