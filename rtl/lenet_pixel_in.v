// Receives one image of HEIGHT x WIDTH 8-bit pixels per ap_start from an AXI-Stream (after a skid
// buffer) and writes them, zero-extended to ELEM_WIDTH signed bits, into the first layer's buffer.
// ap_ctrl_hs input side: an image begins when ap_start is high and no image is being received;
// ap_ready is high in the cycle the last pixel is written (combinational, not a cycle later), so a
// host that drops ap_start after seeing ap_ready has already dropped it when the next image could
// begin, and one start handshake is exactly one image.
`default_nettype none
module lenet_pixel_in #(
    parameter HEIGHT = 28,
    parameter WIDTH = 28,
    parameter ELEM_WIDTH = 9,
    parameter COORD_WIDTH = 8
) (
    input  wire                   clk,
    input  wire                   rst,
    input  wire                   ap_start,
    output wire                   ap_ready,
    output wire                   image_begin,
    input  wire [7:0]             s_data,
    input  wire                   s_valid,
    output wire                   s_ready,
    input  wire                   buf_ready,
    output wire                   wr_en,
    output wire [COORD_WIDTH-1:0] wr_y,
    output wire [COORD_WIDTH-1:0] wr_x,
    output wire [ELEM_WIDTH-1:0]  wr_data,
    output wire                   wr_commit
);
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
    assign ap_ready = wr_commit;

    always @(posedge clk) begin
        if (image_begin) begin
            active <= 1'b1;
            x <= 0;
            y <= 0;
        end
        if (wr_en) begin
            if (x == LAST_X) begin
                x <= 0;
                y <= y + 1'b1;
            end else begin
                x <= x + 1'b1;
            end
        end
        if (wr_commit) active <= 1'b0;
        if (rst) begin
            active <= 1'b0;
        end
    end
endmodule
`default_nettype wire
