// Sliding-window generator: walks the output positions of one image in raster order and, for each,
// assembles the KERNEL x KERNEL x CHANNELS input window from a lenet_fmap_buffer, one window column
// per cycle. Moving right along a row only loads the STRIDE new columns (STRIDE <= KERNEL).
// Coordinates are virtual (padding included); the buffer returns 0 outside the image.
// Window element (ky, kx, c) sits at index (ky*KERNEL + kx)*CHANNELS + c, the weight order.
`default_nettype none
module lenet_window #(
    parameter KERNEL = 1,
    parameter STRIDE = 1,
    parameter OUT_HEIGHT = 1,
    parameter OUT_WIDTH = 1,
    parameter CHANNELS = 1,
    parameter ELEM_WIDTH = 8,
    parameter COORD_WIDTH = 8
) (
    input  wire                                          clk,
    input  wire                                          rst,
    input  wire                                          start,
    output wire [COORD_WIDTH-1:0]                        rd_v,
    output wire [COORD_WIDTH-1:0]                        rd_u,
    input  wire [KERNEL*CHANNELS*ELEM_WIDTH-1:0]         rd_column,
    output reg                                           rd_release,
    output wire [KERNEL*KERNEL*CHANNELS*ELEM_WIDTH-1:0]  win_data,
    output reg                                           win_valid,
    input  wire                                          win_ready
);
    localparam PIXEL_WIDTH = CHANNELS * ELEM_WIDTH;
    localparam [COORD_WIDTH-1:0] KERNEL_C = KERNEL;
    localparam [COORD_WIDTH-1:0] STRIDE_C = STRIDE;
    localparam [COORD_WIDTH-1:0] LAST_OX = OUT_WIDTH - 1;
    localparam [COORD_WIDTH-1:0] LAST_OY = OUT_HEIGHT - 1;

    reg [COORD_WIDTH-1:0] oy;
    reg [COORD_WIDTH-1:0] ox;
    reg [COORD_WIDTH-1:0] v;
    reg [COORD_WIDTH-1:0] u;
    reg [COORD_WIDTH-1:0] cols_left;
    reg                   issuing;
    reg                   arriving;
    reg                   arriving_last;

    assign rd_v = v;
    assign rd_u = u;

    wire accept = win_valid && win_ready;
    wire last_position = ox == LAST_OX && oy == LAST_OY;

    always @(posedge clk) begin
        rd_release <= 1'b0;
        arriving <= issuing;
        arriving_last <= issuing && cols_left == 1;
        if (issuing) begin
            u <= u + 1'b1;
            cols_left <= cols_left - 1'b1;
            if (cols_left == 1) issuing <= 1'b0;
        end
        if (arriving_last) win_valid <= 1'b1;
        if (start) begin
            oy <= 0;
            ox <= 0;
            v <= 0;
            u <= 0;
            cols_left <= KERNEL_C;
            issuing <= 1'b1;
        end
        if (accept) begin
            win_valid <= 1'b0;
            if (last_position) begin
                rd_release <= 1'b1;
            end else begin
                issuing <= 1'b1;
                if (ox == LAST_OX) begin
                    ox <= 0;
                    oy <= oy + 1'b1;
                    v <= v + STRIDE_C;
                    u <= 0;
                    cols_left <= KERNEL_C;
                end else begin
                    // The window keeps KERNEL-STRIDE columns; u already points at the first new one.
                    ox <= ox + 1'b1;
                    cols_left <= STRIDE_C;
                end
            end
        end
        if (rst) begin
            issuing <= 1'b0;
            arriving <= 1'b0;
            arriving_last <= 1'b0;
            win_valid <= 1'b0;
            rd_release <= 1'b0;
        end
    end

    wire [KERNEL*KERNEL*PIXEL_WIDTH-1:0] window;
    assign win_data = window;

    genvar ky, kx;
    generate
        for (ky = 0; ky < KERNEL; ky = ky + 1) begin : g_row
            for (kx = 0; kx < KERNEL; kx = kx + 1) begin : g_col
                localparam AT = (ky * KERNEL + kx) * PIXEL_WIDTH;
                reg [PIXEL_WIDTH-1:0] pixel;
                assign window[AT +: PIXEL_WIDTH] = pixel;
                if (kx == KERNEL - 1) begin : g_new
                    always @(posedge clk)
                        if (arriving) pixel <= rd_column[ky*PIXEL_WIDTH +: PIXEL_WIDTH];
                end else begin : g_shift
                    always @(posedge clk)
                        if (arriving) pixel <= window[AT + PIXEL_WIDTH +: PIXEL_WIDTH];
                end
            end
        end
    endgenerate
endmodule
`default_nettype wire
