using LeNetHls.RtlCodegen;

namespace LeNetHls.RtlCodegen.Tests;

/// <summary>
/// The two counts of logic levels: LUTs and carry cells (the target's count, MUXF7/MUXF8 weigh 0) and every cell
/// (Vivado's count), each found as a longest path under its own weighting on a tiny hand-written mapped netlist.
/// </summary>
public class LogicDepthWeightingTests
{
    /// <summary>One mapped cell: its type, its input nets by pin and its output net.</summary>
    private sealed record Mapped(string Name, string Type, (string Pin, int Net)[] Inputs, int Output);

    private static Mapped Ff(string name, int d, int q) => new(name, "FDRE", [("C", 1), ("D", d)], q);
    private static Mapped Lut(string name, int output, params int[] inputs) =>
        new(name, $"LUT{inputs.Length}", inputs.Select((n, i) => ($"I{i}", n)).ToArray(), output);
    private static Mapped Mux(string name, string type, int output, int i0, int i1) => new(name, type, [("I0", i0), ("I1", i1)], output);

    /// <summary>A yosys write_json netlist of the cells; a net named in <paramref name="names"/> gets that register name.</summary>
    private static string Json(IEnumerable<Mapped> cells, params (string Name, int Net)[] names)
    {
        string Cell(Mapped c)
        {
            string directions = string.Join(", ", c.Inputs.Select(i => $"\"{i.Pin}\": \"input\"").Append("\"O\": \"output\""));
            string connections = string.Join(", ", c.Inputs.Select(i => $"\"{i.Pin}\": [ {i.Net} ]").Append($"\"O\": [ {c.Output} ]"));
            return $"\"{c.Name}\": {{ \"type\": \"{c.Type}\", \"port_directions\": {{ {directions} }}, \"connections\": {{ {connections} }} }}";
        }
        string netnames = string.Join(", ", names.Select(n => $"\"{n.Name}\": {{ \"hide_name\": 0, \"bits\": [ {n.Net} ] }}"));
        return $"{{ \"modules\": {{ \"top\": {{ \"ports\": {{ \"clk\": {{ \"direction\": \"input\", \"bits\": [ 1 ] }} }}, " +
               $"\"cells\": {{ {string.Join(", ", cells.Select(Cell))} }}, \"netnames\": {{ {netnames} }} }} }} }}";
    }

    private static string Ffs(params Mapped[] cells) => Json(cells.Select(c => c.Type == "FDRE" ? c with { Name = $"ff.{c.Name}" } : c),
        cells.Where(c => c.Type == "FDRE").Select(c => (c.Name, c.Output)).ToArray());

    /// <summary>
    /// Two paths into one layer: a -> LUT6 -> MUXF7 -> MUXF8 -> LUT2 -> y (2 LUTs, 4 cells) and
    /// b -> LUT1 -> LUT1 -> LUT1 -> z (3 LUTs, 3 cells). The deepest path depends on what is counted.
    /// </summary>
    private static readonly string TwoPaths = Ffs(
        Ff("a", 90, 10), Ff("b", 91, 20),
        Lut("lut_a", 11, 10, 10, 10, 10, 10, 10), Mux("f7", "MUXF7", 12, 11, 11), Mux("f8", "MUXF8", 13, 12, 12), Lut("lut_y", 14, 13, 10),
        Ff("y", 14, 15),
        Lut("lut_b1", 21, 20), Lut("lut_b2", 22, 21), Lut("lut_b3", 23, 22), Ff("z", 23, 24));

    private static LogicDepthReport Analyze(string netlist) => LogicDepth.Analyze(netlist, "top", _ => "conv2");

    [Fact]
    public void Counting_luts_and_carry_cells_the_deepest_path_is_the_one_with_more_luts()
    {
        var worst = Analyze(TwoPaths).Worst!;
        Assert.Equal(3, worst.Levels);
        Assert.Equal("b (FDRE)", worst.Start);
        Assert.Equal("z (FDRE.D)", worst.End);
    }

    [Fact]
    public void Counting_every_cell_the_deepest_path_is_the_one_through_the_wide_muxes()
    {
        var worst = Analyze(TwoPaths).WorstAllCells!;
        Assert.Equal(4, worst.Levels);
        Assert.Equal(["LUT6", "MUXF7", "MUXF8", "LUT2"], worst.Cells);
        Assert.Equal("a (FDRE)", worst.Start);
        Assert.Equal("y (FDRE.D)", worst.End);
    }

    [Fact]
    public void A_path_tells_its_lut_and_carry_cells_and_its_wide_mux_cells_apart()
    {
        var worst = Analyze(TwoPaths).WorstAllCells!;
        Assert.Equal(2, worst.LutAndCarryCells);
        Assert.Equal(2, worst.WideMuxCells);
    }

    [Fact]
    public void A_carry_cell_is_a_level_in_both_counts()
    {
        var carry = new Mapped("carry", "CARRY4", [("S[0]", 11)], 12);
        var report = Analyze(Ffs(Ff("a", 90, 10), Lut("lut", 11, 10), carry, Ff("y", 12, 13)));
        Assert.Equal(2, report.Worst!.Levels);
        Assert.Equal(2, report.WorstAllCells!.Levels);
    }

    [Fact]
    public void A_wide_mux_fed_straight_by_registers_starts_the_path_though_it_weighs_nothing()
    {
        // a -> MUXF7 -> LUT1 -> y: the MUXF7 is at level 0 in the target's count, and still the path's first cell.
        var report = Analyze(Ffs(Ff("a", 90, 10), Mux("f7", "MUXF7", 11, 10, 10), Lut("lut", 12, 11), Ff("y", 12, 13)));
        var worst = report.Worst!;
        Assert.Equal(1, worst.Levels);
        Assert.Equal(["MUXF7", "LUT1"], worst.Cells);
        Assert.Equal("a (FDRE)", worst.Start);
    }

    [Fact]
    public void Of_two_paths_equally_deep_in_luts_the_one_with_more_wide_muxes_is_named()
    {
        // a -> LUT1 -> LUT1 -> y and b -> LUT1 -> MUXF7 -> LUT1 -> z: both 2 LUTs; the second is deeper for Vivado.
        var report = Analyze(Ffs(
            Ff("a", 90, 10), Lut("a1", 11, 10), Lut("a2", 12, 11), Ff("y", 12, 13),
            Ff("b", 91, 20), Lut("b1", 21, 20), Mux("f7", "MUXF7", 22, 21, 21), Lut("b2", 23, 22), Ff("z", 23, 24)));
        Assert.Equal(2, report.Worst!.Levels);
        Assert.Equal("z (FDRE.D)", report.Worst.End);
    }

    [Fact]
    public void Each_layer_has_a_worst_path_under_each_count()
    {
        var report = Analyze(TwoPaths);
        Assert.Equal(3, report.PerLayer.Single(p => p.Layer == "conv2").Levels);
        Assert.Equal(4, report.AllCellsOf("conv2")!.Levels);
    }
}
