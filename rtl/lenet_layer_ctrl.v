// Per-layer control: starts an image when the input slot is full, the window generator has let go
// of the previous image (in_release) and the output slot the image will write is free; then writes
// the layer's output pixels in raster order and commits the output slot after the last.
// The next image may start while the previous one's last pixels are still in the compute pipeline
// (at most two images in flight, one per output slot): with no bubble for the pipeline's latency, a
// deeper MVAU or pool costs latency but no initiation interval.
`default_nettype none
module lenet_layer_ctrl #(
    parameter OUT_HEIGHT = 1,
    parameter OUT_WIDTH = 1,
    parameter COORD_WIDTH = 8
) (
    input  wire                   clk,
    input  wire                   rst,
    input  wire                   in_avail,
    input  wire                   in_release,
    input  wire                   out_ready,
    input  wire                   out_spare,
    output wire                   start,
    input  wire                   pixel_valid,
    output wire                   wr_en,
    output wire [COORD_WIDTH-1:0] wr_y,
    output wire [COORD_WIDTH-1:0] wr_x,
    output wire                   wr_commit
);
    localparam [COORD_WIDTH-1:0] LAST_X = OUT_WIDTH - 1;
    localparam [COORD_WIDTH-1:0] LAST_Y = OUT_HEIGHT - 1;

    reg windowing;           // between start and the window generator's release of the input slot
    reg [1:0] writing;       // images started whose output slot is not committed yet
    reg [COORD_WIDTH-1:0] y;
    reg [COORD_WIDTH-1:0] x;

    // With no image writing, the image goes to the buffer's current write slot (out_ready); with one,
    // it goes to the other slot (out_spare).
    wire slot_free = writing == 2'd0 ? out_ready : writing == 2'd1 ? out_spare : 1'b0;
    assign start = !windowing && in_avail && slot_free;
    assign wr_en = pixel_valid;
    assign wr_y = y;
    assign wr_x = x;
    assign wr_commit = pixel_valid && x == LAST_X && y == LAST_Y;

    always @(posedge clk) begin
        if (start) windowing <= 1'b1;
        if (in_release) windowing <= 1'b0;
        writing <= writing + {1'b0, start} - {1'b0, wr_commit};
        if (pixel_valid) begin
            if (x == LAST_X) begin
                x <= 0;
                y <= y == LAST_Y ? {COORD_WIDTH{1'b0}} : y + 1'b1;
            end else begin
                x <= x + 1'b1;
            end
        end
        if (rst) begin
            windowing <= 1'b0;
            writing <= 2'd0;
            x <= 0;
            y <= 0;
        end
    end
endmodule
`default_nettype wire
