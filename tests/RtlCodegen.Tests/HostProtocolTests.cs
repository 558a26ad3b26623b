using System.Text.RegularExpressions;
using LeNetHls.RtlCodegen;

namespace LeNetHls.RtlCodegen.Tests;

public class CosimRangeTests
{
    [Theory]
    [InlineData(10_000, 2)]
    [InlineData(10_001, 3)]
    [InlineData(1_999, 4)]
    public void Image_ranges_cover_every_image_once_in_order(int images, int processes)
    {
        var ranges = CosimRunner.Ranges(images, processes);
        Assert.Equal(0, ranges[0].First);
        for (int k = 1; k < ranges.Count; k++) Assert.Equal(ranges[k - 1].First + ranges[k - 1].Count, ranges[k].First);
        Assert.Equal(images, ranges.Sum(r => r.Count));
        Assert.True(ranges.Count <= processes);
        Assert.All(ranges, r => Assert.True(r.Count >= CosimRunner.MinImagesPerProcess));
    }

    [Fact]
    public void A_run_too_small_to_split_stays_one_back_to_back_stream()
    {
        Assert.Equal([(0, 300)], CosimRunner.Ranges(300, 4));
    }
}

/// <summary>
/// lenet5 (8 bits, rnd, sat) at M = 128 (II 3,613 cycles): the classes that simulate it share one generated
/// folder and one Verilator build (see <see cref="SharedDesign"/>).
/// </summary>
public sealed class Lenet5M128Build
{
    public SharedDesign Design { get; } = SharedDesign.Of(RtlFixture.Model("lenet5"), multipliers: 128);
}

[Trait("Category", "Integration")]
public class HostModeCosimTests(Lenet5M128Build build) : IClassFixture<Lenet5M128Build>
{
    [Theory]
    [InlineData(CosimHost.Hold, 300)]
    [InlineData(CosimHost.Handshake, 300)]
    [InlineData(CosimHost.Sequential, 100)]
    public void Every_host_mode_is_bit_exact_with_a_silent_protocol_checker_under_stalls(CosimHost host, int images)
    {
        // Two processes, so the range split and the in-order merge are exercised too.
        var options = new CosimOptions { Host = host, StallProbability = 0.1, Seed = 21, StartGap = 40, Processes = 2 };
        var result = build.Design.Cosim(RtlFixture.Images(images), options);
        Assert.Equal(images, result.Images);
        Assert.Equal(0, result.Mismatches);
    }

    [Fact]
    public void A_handshake_host_gets_the_same_II_as_a_holding_host_when_the_input_is_not_the_bottleneck()
    {
        var hold = build.Design.Cosim(RtlFixture.Images(8), new CosimOptions { Host = CosimHost.Hold });
        var handshake = build.Design.Cosim(RtlFixture.Images(8), new CosimOptions { Host = CosimHost.Handshake, StartGap = 8 });
        Assert.Equal(hold.Cycles.II, handshake.Cycles.II);
    }

    [Fact]
    public void A_sequential_host_sees_each_image_alone_so_its_II_is_the_latency()
    {
        var result = build.Design.Cosim(RtlFixture.Images(4), new CosimOptions { Host = CosimHost.Sequential });
        Assert.Equal(0, result.Mismatches);
        Assert.True(result.Cycles.II >= result.Cycles.FirstLatency, $"II {result.Cycles.II}, latency {result.Cycles.FirstLatency}");
        Assert.Equal(result.Cycles.FirstLatency, result.Cycles.MeanLatency);
    }
}

/// <summary>
/// Fault injection: each test breaks the protocol in a copy of the shared lenet5 M = 128 RTL and expects the
/// harness's protocol checker to stop the run with a one-line reason.
/// </summary>
[Trait("Category", "Integration")]
public class ProtocolCheckerTests(Lenet5M128Build build) : IClassFixture<Lenet5M128Build>
{
    // lenet_pixel_in as it was before the fix: ap_ready registered, one cycle after the last pixel,
    // while image_begin can already fire for a start the host is about to withdraw.
    private const string LateReady = """
        `default_nettype none
        module lenet_pixel_in #(parameter HEIGHT = 28, parameter WIDTH = 28, parameter ELEM_WIDTH = 9, parameter COORD_WIDTH = 8) (
            input wire clk, input wire rst, input wire ap_start, output reg ap_ready, output wire image_begin,
            input wire [7:0] s_data, input wire s_valid, output wire s_ready, input wire buf_ready,
            output wire wr_en, output wire [COORD_WIDTH-1:0] wr_y, output wire [COORD_WIDTH-1:0] wr_x,
            output wire [ELEM_WIDTH-1:0] wr_data, output wire wr_commit);
            localparam [COORD_WIDTH-1:0] LAST_X = WIDTH - 1;
            localparam [COORD_WIDTH-1:0] LAST_Y = HEIGHT - 1;
            reg active;
            reg [COORD_WIDTH-1:0] y;
            reg [COORD_WIDTH-1:0] x;
            assign image_begin = !active && ap_start && buf_ready;
            assign s_ready = active;
            assign wr_en = active && s_valid;
            assign wr_y = y;
            assign wr_x = x;
            assign wr_data = {{(ELEM_WIDTH-8){1'b0}}, s_data};
            assign wr_commit = wr_en && x == LAST_X && y == LAST_Y;
            always @(posedge clk) begin
                ap_ready <= wr_commit;
                if (image_begin) begin active <= 1'b1; x <= 0; y <= 0; end
                if (wr_en) begin
                    if (x == LAST_X) begin x <= 0; y <= y + 1'b1; end else x <= x + 1'b1;
                end
                if (wr_commit) active <= 1'b0;
                if (rst) begin active <= 1'b0; ap_ready <= 1'b0; end
            end
        endmodule
        `default_nettype wire
        """;

    // An output register that takes every new beat, even while the consumer stalls.
    private const string LeakyRegister = """
        `default_nettype none
        module lenet_axis_leaky #(parameter DATA_WIDTH = 8) (
            input wire clk, input wire rst, input wire [DATA_WIDTH-1:0] s_data, input wire s_valid, output wire s_ready,
            output wire [DATA_WIDTH-1:0] m_data, output wire m_valid, input wire m_ready);
            reg [DATA_WIDTH-1:0] out_data;
            reg out_valid;
            always @(posedge clk) begin
                if (s_valid || m_ready) begin out_data <= s_data; out_valid <= s_valid; end
                if (rst) out_valid <= 1'b0;
            end
            assign s_ready = 1'b1;
            assign m_data = out_data;
            assign m_valid = out_valid;
        endmodule
        `default_nettype wire
        """;

    [Theory]
    [InlineData(CosimHost.Handshake, 1, "ap_idle low with nothing in flight")]
    [InlineData(CosimHost.Sequential, 3, "began without ap_start")]
    public void An_ap_ready_one_cycle_late_starts_an_unrequested_image_and_fails_the_run(CosimHost host, int images, string reason)
    {
        var design = build.Design.Edited(rtl => File.WriteAllText(Path.Combine(rtl, "lenet_pixel_in.v"), LateReady));
        var e = Assert.Throws<LeNetHlsException>(() => design.Cosim(RtlFixture.Images(images), new CosimOptions { Host = host }));
        Assert.Contains("protocol violation", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Scores_that_change_under_back_pressure_fail_the_run()
    {
        var design = build.Design.Edited(rtl =>
        {
            File.WriteAllText(Path.Combine(rtl, "lenet_axis_leaky.v"), LeakyRegister);
            string top = Path.Combine(rtl, "lenet5.v");
            string text = File.ReadAllText(top);
            string broken = Regex.Replace(text, @"lenet_axis_skid(\s*#\([^;]*?\)\s*scores_skid\b)", "lenet_axis_leaky$1");
            Assert.NotEqual(text, broken);
            File.WriteAllText(top, broken);
        });
        var e = Assert.Throws<LeNetHlsException>(() => design.Cosim(RtlFixture.Images(2), new CosimOptions { StallProbability = 0.5, Seed = 2 }));
        Assert.Contains("protocol violation", e.Message);
        Assert.Contains("scores_TDATA changed while TVALID && !TREADY", e.Message);
    }
}

[Trait("Category", "Integration")]
public class PlainYosysReadTests
{
    [Fact]
    public void Yosys_reads_the_generated_rtl_without_defer_because_no_rom_default_names_a_missing_file()
    {
        string dir = RtlFixture.Generate(RtlFixture.Model("lenet5-classic"), multipliers: 16, prefix: "rtl-yosys");
        try
        {
            string rtl = Path.Combine(dir, CosimRunner.RtlFolder);
            var sources = Directory.GetFiles(rtl, "*.v").Select(Path.GetFileName).Order(StringComparer.Ordinal);
            var read = TestProcess.Run("yosys", rtl, ["-q", "-p", $"read_verilog {string.Join(' ', sources)}; hierarchy -check -top lenet5"]);
            Assert.True(read.ExitCode == 0, read.Output);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
