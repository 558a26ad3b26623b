using LeNetHls.RtlCodegen;

namespace LeNetHls.RtlCodegen.Tests;

/// <summary>The pieces of the per-module synthesis estimate that need no yosys: RTLIL splitting and the logic-depth walk.</summary>
public class SynthEstimatorTests
{
    private const string Design = """
        autoidx 42
        attribute \dynports 1
        attribute \src "child.v:1.1-9.10"
        module $paramod$abc\child
          parameter \W 8
          attribute \src "child.v:2.3-2.9"
          wire width 8 input 1 \a
          wire width 8 output 2 \y
          wire width 8 $add$child.v:5$17_Y
          cell $add $add$child.v:5$17
            connect \A \a
            connect \Y $add$child.v:5$17_Y
          end
        end
        attribute \top 1
        module \top
          wire input 1 \clk
          wire width 8 output 2 \q
          cell $paramod$abc\child \u0
            connect \a 8'00000001
            connect \y \q
          end
          cell $paramod$abc\child \u1
            connect \a 8'00000010
          end
        end

        """;

    [Fact]
    public void Rtlil_is_split_into_modules_with_their_attributes_ports_and_sub_module_cells()
    {
        var modules = Rtlil.ParseModules(Design.Replace("\r\n", "\n"));
        Assert.Equal(["$paramod$abc\\child", "\\top"], modules.Select(m => m.Name));
        var child = modules[0];
        Assert.StartsWith("attribute \\dynports 1\n", child.Text);
        Assert.EndsWith("end\n", child.Text);
        Assert.Equal(2, child.PortLines.Count);
        Assert.Equal([new RtlilCell("$add", "$add$child.v:5$17")], child.Cells);
        Assert.Equal([new RtlilCell("$paramod$abc\\child", "\\u0"), new RtlilCell("$paramod$abc\\child", "\\u1")], modules[1].Cells);
    }

    [Fact]
    public void A_blackbox_keeps_only_the_ports()
    {
        var child = Rtlil.ParseModules(Design.Replace("\r\n", "\n"))[0];
        string box = Rtlil.Blackbox(child);
        Assert.Equal("attribute \\blackbox 1\nmodule $paramod$abc\\child\n  wire width 8 input 1 \\a\n  wire width 8 output 2 \\y\nend\n", box);
    }

    [Fact]
    public void The_same_module_numbered_differently_by_two_elaborations_normalizes_to_the_same_text()
    {
        string first = "  cell $add $add$f.v:5$17\n    connect \\Y $add$f.v:5$17_Y\n  end\n  cell $sub $sub$f.v:6$9\n    parameter \\PRIORITY 9\n  end\n";
        string second = first.Replace("$17", "$2017").Replace("$9", "$2009").Replace("PRIORITY 9", "PRIORITY 2009");
        Assert.NotEqual(first, second);
        Assert.Equal(Rtlil.NormalizeAutoNames(first), Rtlil.NormalizeAutoNames(second));
        // Order is kept: 9 < 17 and 2009 < 2017 both become the first and second rank.
        Assert.Contains("$sub$f.v:6$1000000", Rtlil.NormalizeAutoNames(first));
        Assert.Contains("$add$f.v:5$1000001_Y", Rtlil.NormalizeAutoNames(first));
        // Names the user wrote and proc's `$0\` temporaries are left alone.
        Assert.Equal("  wire $0\\data[3:0]\n", Rtlil.NormalizeAutoNames("  wire $0\\data[3:0]\n"));
    }

    /// <summary>
    /// ff_a -> LUT2 -> CARRY4 -> LUT1 -> ff_b (3 levels, in layer "conv1"), ff_a -> LUT1 -> DSP48E1 (1 level, "fc1"),
    /// and an input port through a LUT3 to an output port (1 level, top glue).
    /// </summary>
    private const string Netlist = """
        { "modules": { "top": {
            "ports": { "clk": { "direction": "input", "bits": [ 1 ] }, "x": { "direction": "input", "bits": [ 3 ] },
                       "y": { "direction": "output", "bits": [ 20 ] } },
            "cells": {
              "conv1_mvau.$auto$ff.cc:266$1": { "type": "FDRE", "port_directions": { "C": "input", "D": "input", "Q": "output" },
                                               "connections": { "C": [ 1 ], "D": [ 9 ], "Q": [ 2 ] } },
              "conv1_mvau.$abc$10$lut1": { "type": "LUT2", "port_directions": { "I0": "input", "I1": "input", "O": "output" },
                                          "connections": { "I0": [ 2 ], "I1": [ 3 ], "O": [ 4 ] } },
              "conv1_mvau.$auto$alumacc$2": { "type": "CARRY4",
                  "port_directions": { "CI": "input", "CYINIT": "input", "DI": "input", "S": "input", "O": "output", "CO": "output" },
                  "connections": { "CI": [ "0" ], "CYINIT": [ "0" ], "DI": [ "0", "0", "0", "0" ], "S": [ 4, "0", "0", "0" ],
                                   "O": [ 5, 30, 31, 32 ], "CO": [ 33, 34, 35, 36 ] } },
              "conv1_mvau.$abc$10$lut2": { "type": "LUT1", "port_directions": { "I0": "input", "O": "output" },
                                          "connections": { "I0": [ 5 ], "O": [ 6 ] } },
              "conv1_mvau.$auto$ff.cc:266$3": { "type": "FDRE", "port_directions": { "C": "input", "D": "input", "Q": "output" },
                                               "connections": { "C": [ 1 ], "D": [ 6 ], "Q": [ 7 ] } },
              "fc1_mvau.$abc$11$lut": { "type": "LUT1", "port_directions": { "I0": "input", "O": "output" },
                                       "connections": { "I0": [ 2 ], "O": [ 8 ] } },
              "fc1_mvau.dsp": { "type": "DSP48E1", "port_directions": { "A": "input", "P": "output" },
                               "connections": { "A": [ 8 ], "P": [ 9 ] } },
              "$abc$12$lut": { "type": "LUT3", "port_directions": { "I0": "input", "I1": "input", "I2": "input", "O": "output" },
                              "connections": { "I0": [ 3 ], "I1": [ "1" ], "I2": [ "0" ], "O": [ 20 ] } }
            },
            "netnames": {
              "conv1_mvau.acc_q": { "hide_name": 0, "bits": [ 2 ] },
              "conv1_mvau.out_q": { "hide_name": 0, "bits": [ 7 ] },
              "$abc$10$n4": { "hide_name": 1, "bits": [ 4 ] },
              "x": { "hide_name": 0, "bits": [ 3 ] }, "y": { "hide_name": 0, "bits": [ 20 ] }
            } } } }
        """;

    private static string LayerOf(string cell) => cell.StartsWith("conv1_", StringComparison.Ordinal) ? "conv1"
                                                : cell.StartsWith("fc1_", StringComparison.Ordinal) ? "fc1" : "glue";

    [Fact]
    public void The_worst_path_counts_luts_and_carry_cells_between_registers_and_names_both_ends()
    {
        var report = LogicDepth.Analyze(Netlist, "top", LayerOf);
        var worst = report.Worst!;
        Assert.Equal(3, worst.Levels);
        Assert.Equal("conv1", worst.Layer);
        Assert.Equal(["LUT2", "CARRY4", "LUT1"], worst.Cells);
        Assert.Equal("conv1_mvau.acc_q (FDRE)", worst.Start);
        Assert.Equal("conv1_mvau.out_q (FDRE.D)", worst.End);
    }

    [Fact]
    public void Each_layer_gets_its_own_worst_path_ending_at_dsp_ports_and_output_ports_too()
    {
        var perLayer = LogicDepth.Analyze(Netlist, "top", LayerOf).PerLayer.ToDictionary(p => p.Layer);
        Assert.Equal(3, perLayer["conv1"].Levels);
        Assert.Equal(1, perLayer["fc1"].Levels);
        Assert.Equal("fc1_mvau.dsp/A (DSP48E1)", perLayer["fc1"].End);
        Assert.Equal(1, perLayer["glue"].Levels);
        Assert.Equal("input x", perLayer["glue"].Start);
        Assert.Equal("output port y", perLayer["glue"].End);
    }

    [Fact]
    public void A_combinational_loop_is_a_one_line_error()
    {
        const string loop = """
            { "modules": { "top": { "ports": {}, "netnames": {}, "cells": {
              "a": { "type": "LUT1", "port_directions": { "I0": "input", "O": "output" }, "connections": { "I0": [ 3 ], "O": [ 2 ] } },
              "b": { "type": "LUT1", "port_directions": { "I0": "input", "O": "output" }, "connections": { "I0": [ 2 ], "O": [ 3 ] } } } } } }
            """;
        var e = Assert.Throws<LeNetHlsException>(() => LogicDepth.Analyze(loop, "top", _ => "x"));
        Assert.Contains("combinational loop", e.Message);
    }

    [Fact]
    public void The_cache_folder_comes_from_LENET_CACHE_when_set()
    {
        string before = Environment.GetEnvironmentVariable(SynthCache.Variable) ?? "";
        try
        {
            Environment.SetEnvironmentVariable(SynthCache.Variable, "/tmp/lenet-cache-test");
            Assert.Equal("/tmp/lenet-cache-test", SynthCache.Default().Root);
        }
        finally { Environment.SetEnvironmentVariable(SynthCache.Variable, before == "" ? null : before); }
    }

    [Fact]
    public void A_published_cache_entry_is_complete_and_a_second_writer_of_the_same_key_keeps_it()
    {
        var cache = new SynthCache(Path.Combine(Path.GetTempPath(), $"lenet-cache-{Guid.NewGuid():N}"));
        string key = SynthCache.Key("module text", "yosys 0.23");
        Assert.Null(cache.TryGet("synth", key));
        string dir = cache.Put("synth", key, temp => File.WriteAllText(Path.Combine(temp, "cells.json"), "{\"LUT6\": 3}"));
        Assert.Equal(dir, cache.TryGet("synth", key));
        cache.Put("synth", key, temp => File.WriteAllText(Path.Combine(temp, "cells.json"), "{\"LUT6\": 3}"));
        Assert.Equal("{\"LUT6\": 3}", File.ReadAllText(Path.Combine(dir, "cells.json")));
        Assert.Equal([dir], Directory.GetDirectories(Path.GetDirectoryName(dir)!));
    }
}
