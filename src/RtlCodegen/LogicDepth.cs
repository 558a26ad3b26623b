namespace LeNetHls.RtlCodegen;

/// <summary>
/// A register-to-register path of the mapped netlist between Start and End, which are flip-flops, DSP48E1/BRAM
/// ports or top-level ports. Levels is the path's length under the weighting it was found with (see
/// <see cref="LevelWeighting"/>); Cells lists every logic cell on it, wide-mux cells included.
/// </summary>
public sealed record LogicPath(string Layer, int Levels, string Start, string End, IReadOnlyList<string> Cells)
{
    /// <summary>LUTs (distributed-RAM reads and inverters included) and carry cells on the path: the count.</summary>
    public int LutAndCarryCells => Cells.Count(LogicDepth.IsLutOrCarry);

    /// <summary>MUXF7/MUXF8 on the path: the slice's wide-mux cells, which Vivado counts as levels too.</summary>
    public int WideMuxCells => Cells.Count(LogicDepth.IsWideMux);
}

/// <summary>Which cells a logic level counts.</summary>
public enum LevelWeighting
{
    /// <summary>LUTs and carry cells; MUXF7/MUXF8 (the slice's wide-mux cells behind the LUTs) count 0.</summary>
    LutAndCarry,
    /// <summary>Every logic cell, MUXF7/MUXF8 included, as Vivado's report_design_analysis counts logic levels.</summary>
    AllCells,
}

/// <summary>
/// The deepest path overall and per layer, once per weighting, each found as a longest path under its own
/// weighting: Worst/PerLayer count LUTs and carry cells; WorstAllCells/PerLayerAllCells count MUXF7/8 too.
/// Logic levels, not a timing sign-off.
/// </summary>
public sealed record LogicDepthReport(LogicPath? Worst, IReadOnlyList<LogicPath> PerLayer,
                                      LogicPath? WorstAllCells, IReadOnlyList<LogicPath> PerLayerAllCells)
{
    public const string Caveat =
        "logic levels, not a signed-off Fmax: cells in series between flip-flops and DSP/BRAM ports after yosys synth_xilinx, " +
        "counted once as LUTs and carry cells (the target's count) and once with the MUXF7/MUXF8 wide-mux cells too (Vivado's count); " +
        "no placement, routing or cell delays are modelled";

    /// <summary>Written into resources.json beside the figures, so that the JSON says what they are too.</summary>
    public string Note => Caveat;

    /// <summary>The worst path of a layer under the other weighting, or null when that layer has none.</summary>
    public LogicPath? AllCellsOf(string layer) => (PerLayerAllCells ?? []).FirstOrDefault(p => p.Layer == layer);
}

/// <summary>
/// Longest combinational path, counted in cells, of a flattened yosys netlist mapped to 7-series
/// primitives (yosys `write_json`). Sequential cells and hard blocks end paths; so do top-level ports.
/// </summary>
public static class LogicDepth
{
    public static LogicDepthReport Analyze(string netlistJson, string top, Func<string, string> layerOfCell)
    {
        var netlist = Netlist.Parse(netlistJson, top);
        var lutAndCarry = LongestPaths(netlist, LevelWeighting.LutAndCarry, layerOfCell);
        var allCells = LongestPaths(netlist, LevelWeighting.AllCells, layerOfCell);
        return new LogicDepthReport(lutAndCarry.FirstOrDefault(), lutAndCarry, allCells.FirstOrDefault(), allCells);
    }

    /// <summary>A LUT (inverters and distributed-RAM reads are LUTs too) or a carry cell: one level in the target's count.</summary>
    public static bool IsLutOrCarry(string type) =>
        type.StartsWith("LUT", StringComparison.Ordinal) || type is "CARRY4" or "MUXCY" or "XORCY" or "INV" || IsLutRam(type);

    /// <summary>The slice's wide-function multiplexers that join LUT outputs.</summary>
    public static bool IsWideMux(string type) => type is "MUXF7" or "MUXF8";

    private static int Weight(string type, LevelWeighting weighting) =>
        weighting == LevelWeighting.AllCells || !IsWideMux(type) ? 1 : 0;

    private sealed record Netlist(List<Cell> Cells, Dictionary<int, (int Cell, string Pin)> Driver, Dictionary<int, string> NetNames,
                                  List<(string Port, int Bit)> OutputPortBits)
    {
        public static Netlist Parse(string netlistJson, string top)
        {
            using var doc = JsonDocument.Parse(netlistJson);
            if (!doc.RootElement.GetProperty("modules").TryGetProperty(top, out var module))
                throw new LeNetHlsException($"yosys netlist: top module '{top}' not found");

            var cells = new List<Cell>();
            foreach (var c in module.GetProperty("cells").EnumerateObject())
            {
                string type = c.Value.GetProperty("type").GetString()!;
                var inputs = new List<(string Pin, int Bit)>();
                var outputs = new List<(string Pin, int Bit)>();
                c.Value.TryGetProperty("port_directions", out var directions);
                foreach (var port in c.Value.GetProperty("connections").EnumerateObject())
                {
                    string direction = directions.ValueKind == JsonValueKind.Object && directions.TryGetProperty(port.Name, out var d) ? d.GetString()! : "input";
                    int index = 0;
                    foreach (var bit in port.Value.EnumerateArray())
                    {
                        string pin = port.Value.GetArrayLength() > 1 ? $"{port.Name}[{index}]" : port.Name;
                        index++;
                        if (bit.ValueKind != JsonValueKind.Number) continue;   // a constant starts nothing
                        (direction == "output" ? outputs : inputs).Add((pin, bit.GetInt32()));
                    }
                }
                cells.Add(new Cell(c.Name, type, Kind(type), inputs, outputs));
            }

            // Which cell (and pin) drives each net bit; input ports drive their bits as path starts.
            var driver = new Dictionary<int, (int Cell, string Pin)>();
            for (int i = 0; i < cells.Count; i++)
                foreach (var (pin, bit) in cells[i].Outputs) driver[bit] = (i, pin);

            var outputPortBits = new List<(string Port, int Bit)>();
            foreach (var port in module.GetProperty("ports").EnumerateObject())
            {
                if (port.Value.GetProperty("direction").GetString() != "output") continue;
                foreach (var bit in port.Value.GetProperty("bits").EnumerateArray())
                    if (bit.ValueKind == JsonValueKind.Number) outputPortBits.Add((port.Name, bit.GetInt32()));
            }
            return new Netlist(cells, driver, ReadNetNames(module), outputPortBits);
        }
    }

    /// <summary>
    /// The worst path of each layer under one weighting, deepest first. A path's length is (primary, secondary):
    /// its levels under the weighting, then its levels under the other one, so that among equally deep paths
    /// the one that is also deeper in the other count is named.
    /// </summary>
    private static List<LogicPath> LongestPaths(Netlist netlist, LevelWeighting weighting, Func<string, string> layerOfCell)
    {
        var (cells, driver, netNames) = (netlist.Cells, netlist.Driver, netlist.NetNames);
        var other = weighting == LevelWeighting.AllCells ? LevelWeighting.LutAndCarry : LevelWeighting.AllCells;

        // Longest path into each logic cell, in topological order (Kahn), remembering the predecessor.
        var level = new (int Primary, int Secondary)[cells.Count];
        var from = new int[cells.Count];          // the logic cell before this one on its deepest path, or -1
        var fromBit = new int[cells.Count];       // the net bit entering the first cell of that path
        var pending = new int[cells.Count];
        var fanout = new List<int>[cells.Count];
        for (int i = 0; i < cells.Count; i++)
        {
            fanout[i] = [];
            from[i] = -1;
            fromBit[i] = -1;
        }
        for (int i = 0; i < cells.Count; i++)
        {
            if (cells[i].Kind != CellKind.Logic) continue;
            foreach (var (pin, bit) in cells[i].Inputs)
            {
                if (!IsCombinational(cells[i], pin) || !driver.TryGetValue(bit, out var d) || cells[d.Cell].Kind != CellKind.Logic) continue;
                pending[i]++;
                fanout[d.Cell].Add(i);
            }
        }
        var ready = new Queue<int>(Enumerable.Range(0, cells.Count).Where(i => cells[i].Kind == CellKind.Logic && pending[i] == 0));
        int done = 0;
        while (ready.Count > 0)
        {
            int i = ready.Dequeue();
            done++;
            // A wide-mux cell weighs 0 in the target's count, so a predecessor at level (0, 0) still beats "no predecessor".
            (int Primary, int Secondary) best = (-1, -1);
            foreach (var (pin, bit) in cells[i].Inputs)
            {
                if (!IsCombinational(cells[i], pin)) continue;
                if (driver.TryGetValue(bit, out var d) && cells[d.Cell].Kind == CellKind.Logic)
                {
                    if (level[d.Cell].CompareTo(best) > 0) { best = level[d.Cell]; from[i] = d.Cell; }
                }
                else if (from[i] < 0 && StartRank(bit, driver, cells) > StartRank(fromBit[i], driver, cells)) fromBit[i] = bit;
            }
            if (best.Primary < 0) best = (0, 0);
            level[i] = (best.Primary + Weight(cells[i].Type, weighting), best.Secondary + Weight(cells[i].Type, other));
            foreach (int next in fanout[i])
                if (--pending[next] == 0) ready.Enqueue(next);
        }
        int logicCells = cells.Count(c => c.Kind == CellKind.Logic);
        if (done != logicCells)
            throw new LeNetHlsException($"yosys netlist: a combinational loop through {logicCells - done} logic cells; logic depth is undefined");

        // Every path end: an input pin of a sequential cell or hard block, or an output port, fed by logic.
        var worstPerLayer = new Dictionary<string, (LogicPath Path, (int, int) Length)>();
        void Consider(int last, string end)
        {
            string layer = layerOfCell(cells[last].Name);
            if (worstPerLayer.TryGetValue(layer, out var known) && known.Length.CompareTo(level[last]) >= 0) return;
            var chain = new List<int>();
            for (int c = last; c >= 0; c = from[c]) chain.Add(c);
            chain.Reverse();
            int first = chain[0];
            string start = fromBit[first] >= 0 ? Describe(fromBit[first], driver, cells, netNames) : "a constant";
            worstPerLayer[layer] = (new LogicPath(layer, level[last].Primary, start, end, chain.Select(c => cells[c].Type).ToList()), level[last]);
        }
        foreach (var cell in cells)
            foreach (var (pin, bit) in cell.Inputs)
                if ((cell.Kind != CellKind.Logic || !IsCombinational(cell, pin))
                    && driver.TryGetValue(bit, out var d) && cells[d.Cell].Kind == CellKind.Logic)
                    Consider(d.Cell, EndName(cell, pin, netNames));
        foreach (var (port, bit) in netlist.OutputPortBits)
            if (driver.TryGetValue(bit, out var d) && cells[d.Cell].Kind == CellKind.Logic)
                Consider(d.Cell, $"output port {port}");
        return worstPerLayer.Values.OrderByDescending(p => p.Length).ThenBy(p => p.Path.Layer, StringComparer.Ordinal).Select(p => p.Path).ToList();
    }

    private enum CellKind { Logic, Boundary }

    private sealed record Cell(string Name, string Type, CellKind Kind, List<(string Pin, int Bit)> Inputs, List<(string Pin, int Bit)> Outputs);

    private static CellKind Kind(string type) => IsLutOrCarry(type) || IsWideMux(type) ? CellKind.Logic : CellKind.Boundary;

    private static bool IsLutRam(string type) => type.StartsWith("RAM", StringComparison.Ordinal) && !type.StartsWith("RAMB", StringComparison.Ordinal);

    /// <summary>A distributed RAM reads combinationally from its address pins only; data and write enable are clocked in.</summary>
    private static bool IsCombinational(Cell cell, string pin) =>
        !IsLutRam(cell.Type) || pin.StartsWith("ADDR", StringComparison.Ordinal) || pin.StartsWith("DPRA", StringComparison.Ordinal)
        || pin.StartsWith("RADR", StringComparison.Ordinal) || (pin.StartsWith('A') && pin.Length > 1 && (char.IsDigit(pin[1]) || pin[1] == '['));

    /// <summary>Which input names a path's start best: a register or hard block (2), then a port (1); logic or nothing (0).</summary>
    private static int StartRank(int bit, Dictionary<int, (int Cell, string Pin)> driver, List<Cell> cells) =>
        bit < 0 ? 0 : !driver.TryGetValue(bit, out var d) ? 1 : cells[d.Cell].Kind == CellKind.Logic ? 0 : 2;

    private static string Describe(int bit, Dictionary<int, (int Cell, string Pin)> driver, List<Cell> cells, Dictionary<int, string> netNames)
    {
        if (!driver.TryGetValue(bit, out var d)) return netNames.TryGetValue(bit, out var port) ? $"input {port}" : $"net {bit}";
        var cell = cells[d.Cell];
        return cell.Type.StartsWith("FD", StringComparison.Ordinal) && netNames.TryGetValue(bit, out var reg)
            ? $"{reg} ({cell.Type})" : $"{Hier(cell.Name)}/{d.Pin} ({cell.Type})";
    }

    private static string EndName(Cell cell, string pin, Dictionary<int, string> netNames)
    {
        // A flip-flop is named by the register it holds (its Q net), as written in the RTL.
        if (cell.Type.StartsWith("FD", StringComparison.Ordinal))
        {
            var q = cell.Outputs.FirstOrDefault();
            if (q.Pin is not null && netNames.TryGetValue(q.Bit, out var reg)) return $"{reg} ({cell.Type}.{pin})";
        }
        return $"{Hier(cell.Name)}/{pin} ({cell.Type})";
    }

    /// <summary>yosys `flatten` names a sub-module's automatic cells `$flatten\instance.$…`; this drops the `$flatten\`.</summary>
    public static string WithoutFlattenPrefix(string name) =>
        name.StartsWith("$flatten\\", StringComparison.Ordinal) ? name["$flatten\\".Length..] : name;

    /// <summary>The instance path of a flattened cell name, without yosys' automatic suffix.</summary>
    private static string Hier(string name)
    {
        name = WithoutFlattenPrefix(name);
        int auto = name.IndexOf(".$", StringComparison.Ordinal);
        return auto > 0 ? name[..auto] + ".(logic)" : name.TrimStart('\\');
    }

    /// <summary>The readable name of each net bit: a name yosys did not invent, the shortest one.</summary>
    private static Dictionary<int, string> ReadNetNames(JsonElement module)
    {
        var names = new Dictionary<int, string>();
        foreach (var net in module.GetProperty("netnames").EnumerateObject())
        {
            bool hidden = net.Value.TryGetProperty("hide_name", out var h) && h.GetInt32() != 0;
            if (hidden) continue;
            var bits = net.Value.GetProperty("bits");
            int width = bits.GetArrayLength(), index = 0;
            foreach (var bit in bits.EnumerateArray())
            {
                string name = width > 1 ? $"{net.Name}[{index}]" : net.Name;
                index++;
                if (bit.ValueKind != JsonValueKind.Number) continue;
                int b = bit.GetInt32();
                if (!names.TryGetValue(b, out var known) || name.Length < known.Length) names[b] = name;
            }
        }
        return names;
    }
}
