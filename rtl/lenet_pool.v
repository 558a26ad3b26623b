// Pooling of one window (docs/fixed-point.md section 6), all channels in parallel, one window per
// cycle. MODE 0: max of the window. MODE 1: average as the exact window sum (ACC_WIDTH bits,
// F_acc = F_in + log2(KK)) requantized to OUT_WIDTH with SHIFT = F_acc - F_out.
`default_nettype none
module lenet_pool #(
    parameter KK = 4,
    parameter CHANNELS = 1,
    parameter IN_WIDTH = 8,
    parameter OUT_WIDTH = 8,
    parameter MODE = 0,
    parameter ACC_WIDTH = 10,
    parameter SHIFT = 0,
    parameter ROUND = 0,
    parameter SATURATE = 1
) (
    input  wire                             clk,
    input  wire                             rst,
    input  wire [KK*CHANNELS*IN_WIDTH-1:0]  win_data,
    input  wire                             win_valid,
    output wire                             win_ready,
    output wire [CHANNELS*OUT_WIDTH-1:0]    out_data,
    output reg                              out_valid
);
    localparam MODE_MAX = 0;
    localparam PIXEL_WIDTH = CHANNELS * IN_WIDTH;

    assign win_ready = 1'b1;

    reg [CHANNELS*OUT_WIDTH-1:0] pixel;
    assign out_data = pixel;

    always @(posedge clk) out_valid <= win_valid && !rst;

    genvar c;
    generate
        for (c = 0; c < CHANNELS; c = c + 1) begin : g_channel
            wire [OUT_WIDTH-1:0] result;
            integer k;
            if (MODE == MODE_MAX) begin : g_max
                reg signed [IN_WIDTH-1:0] best;
                always @* begin
                    best = win_data[c*IN_WIDTH +: IN_WIDTH];
                    for (k = 1; k < KK; k = k + 1)
                        if ($signed(win_data[k*PIXEL_WIDTH + c*IN_WIDTH +: IN_WIDTH]) > best)
                            best = win_data[k*PIXEL_WIDTH + c*IN_WIDTH +: IN_WIDTH];
                end
                assign result = best;
            end else begin : g_avg
                reg signed [ACC_WIDTH-1:0] sum;
                always @* begin
                    sum = {ACC_WIDTH{1'b0}};
                    for (k = 0; k < KK; k = k + 1)
                        sum = sum + {{(ACC_WIDTH-IN_WIDTH){win_data[k*PIXEL_WIDTH + c*IN_WIDTH + IN_WIDTH-1]}},
                                     win_data[k*PIXEL_WIDTH + c*IN_WIDTH +: IN_WIDTH]};
                end
                lenet_requant #(.ACC_WIDTH(ACC_WIDTH), .SHIFT(SHIFT), .OUT_WIDTH(OUT_WIDTH),
                                .ROUND(ROUND), .SATURATE(SATURATE), .RELU(0))
                    requant (.acc(sum), .q(result));
            end
            always @(posedge clk) if (win_valid) pixel[c*OUT_WIDTH +: OUT_WIDTH] <= result;
        end
    endgenerate
endmodule
`default_nettype wire
