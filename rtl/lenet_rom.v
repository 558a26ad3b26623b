// Read-only memory with one registered read port, initialized from a $readmemh file
// (inferred as block RAM or LUT ROM). FILE defaults to none, so a tool that elaborates the module
// with its default parameters (yosys read_verilog without -defer) does not look for a missing file.
`default_nettype none
module lenet_rom #(
    parameter WIDTH = 8,
    parameter DEPTH = 2,
    parameter ADDR_WIDTH = 1,
    parameter FILE = ""
) (
    input  wire                  clk,
    input  wire [ADDR_WIDTH-1:0] addr,
    output reg  [WIDTH-1:0]      data
);
    reg [WIDTH-1:0] mem [0:DEPTH-1];

    generate
        if (FILE != "") begin : g_init
            initial $readmemh(FILE, mem);
        end
    endgenerate

    always @(posedge clk) data <= mem[addr];
endmodule
`default_nettype wire
