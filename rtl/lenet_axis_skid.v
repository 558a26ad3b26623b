// Skid buffer for one AXI-Stream channel (the REG_TYPE=2 register slice of Alex Forencich's
// verilog-axis): full throughput, and s_ready is a register, so no combinational path crosses it.
`default_nettype none
module lenet_axis_skid #(
    parameter DATA_WIDTH = 8
) (
    input  wire                  clk,
    input  wire                  rst,
    input  wire [DATA_WIDTH-1:0] s_data,
    input  wire                  s_valid,
    output wire                  s_ready,
    output wire [DATA_WIDTH-1:0] m_data,
    output wire                  m_valid,
    input  wire                  m_ready
);
    reg [DATA_WIDTH-1:0] out_data;
    reg [DATA_WIDTH-1:0] skid_data;
    reg                  out_valid;
    reg                  skid_valid;

    wire out_free = !out_valid || m_ready;

    always @(posedge clk) begin
        if (out_free) begin
            if (skid_valid) begin
                out_data   <= skid_data;
                out_valid  <= 1'b1;
                skid_valid <= 1'b0;
            end else begin
                out_data  <= s_data;
                out_valid <= s_valid;
            end
        end else if (s_valid && !skid_valid) begin
            // The output is stalled: park the beat accepted this cycle.
            skid_data  <= s_data;
            skid_valid <= 1'b1;
        end
        if (rst) begin
            out_valid  <= 1'b0;
            skid_valid <= 1'b0;
        end
    end

    assign s_ready = !skid_valid;
    assign m_data  = out_data;
    assign m_valid = out_valid;
endmodule
`default_nettype wire
