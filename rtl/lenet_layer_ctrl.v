// Per-layer control: starts an image when the input slot is full and the output slot is free,
// then writes the layer's output pixels in raster order and commits the output slot after the last.
`default_nettype none
module lenet_layer_ctrl #(
    parameter OUT_HEIGHT = 1,
    parameter OUT_WIDTH = 1,
    parameter COORD_WIDTH = 8
) (
    input  wire                   clk,
    input  wire                   rst,
    input  wire                   in_avail,
    input  wire                   out_ready,
    output wire                   start,
    input  wire                   pixel_valid,
    output wire                   wr_en,
    output wire [COORD_WIDTH-1:0] wr_y,
    output wire [COORD_WIDTH-1:0] wr_x,
    output wire                   wr_commit
);
    localparam [COORD_WIDTH-1:0] LAST_X = OUT_WIDTH - 1;
    localparam [COORD_WIDTH-1:0] LAST_Y = OUT_HEIGHT - 1;

    reg running;
    reg [COORD_WIDTH-1:0] y;
    reg [COORD_WIDTH-1:0] x;

    assign start = !running && in_avail && out_ready;
    assign wr_en = pixel_valid;
    assign wr_y = y;
    assign wr_x = x;
    assign wr_commit = pixel_valid && x == LAST_X && y == LAST_Y;

    always @(posedge clk) begin
        if (start) running <= 1'b1;
        if (pixel_valid) begin
            if (x == LAST_X) begin
                x <= 0;
                y <= y == LAST_Y ? {COORD_WIDTH{1'b0}} : y + 1'b1;
            end else begin
                x <= x + 1'b1;
            end
        end
        if (wr_commit) running <= 1'b0;
        if (rst) begin
            running <= 1'b0;
            x <= 0;
            y <= 0;
        end
    end
endmodule
`default_nettype wire
