// Read-only memory with one registered read port, initialized from a $readmemh file
// (inferred as block RAM or LUT ROM).
`default_nettype none
module lenet_rom #(
    parameter WIDTH = 8,
    parameter DEPTH = 2,
    parameter ADDR_WIDTH = 1,
    parameter FILE = "rom.mem"
) (
    input  wire                  clk,
    input  wire [ADDR_WIDTH-1:0] addr,
    output reg  [WIDTH-1:0]      data
);
    reg [WIDTH-1:0] mem [0:DEPTH-1];

    initial $readmemh(FILE, mem);

    always @(posedge clk) data <= mem[addr];
endmodule
`default_nettype wire
