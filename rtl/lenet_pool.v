// Pooling of one window (docs/fixed-point.md section 6), all channels in parallel, one window per
// cycle. MODE LENET_POOL_MAX (lenet_modes.vh): max of the window. LENET_POOL_AVG: average as the exact window sum (ACC_WIDTH bits,
// F_acc = F_in + log2(KK)) requantized to OUT_WIDTH with SHIFT = F_acc - F_out.
// IN_SIGNED 0: the input is unsigned ufx<IN_WIDTH,F> (docs/fixed-point.md section 1), compared as
// unsigned (a value >= 2^(IN_WIDTH-1) is large, not negative) and zero-extended into the sum; a max
// pool's output has its input's format. OUT_SIGNED 0 is an unsigned average (clamped to
// [0, 2^OUT_WIDTH - 1]); the spec never makes an average unsigned, but the requantizer can.
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
    parameter SATURATE = 1,
    parameter IN_SIGNED = 1,
    parameter OUT_SIGNED = 1
) (
    input  wire                             clk,
    input  wire                             rst,
    input  wire [KK*CHANNELS*IN_WIDTH-1:0]  win_data,
    input  wire                             win_valid,
    output wire                             win_ready,
    output wire [CHANNELS*OUT_WIDTH-1:0]    out_data,
    output reg                              out_valid
);
    `include "lenet_modes.vh"
    localparam PIXEL_WIDTH = CHANNELS * IN_WIDTH;
    // An element as a signed number: its stored bits, or one bit more (a zero) when unsigned.
    localparam X_WIDTH = IN_SIGNED != 0 ? IN_WIDTH : IN_WIDTH + 1;

    assign win_ready = 1'b1;

    reg [CHANNELS*OUT_WIDTH-1:0] pixel;
    assign out_data = pixel;

    always @(posedge clk) out_valid <= win_valid && !rst;

    genvar c, e;
    generate
        for (c = 0; c < CHANNELS; c = c + 1) begin : g_channel
            wire [OUT_WIDTH-1:0] result;
            integer k;
            if (MODE == LENET_POOL_MAX) begin : g_max
                reg [IN_WIDTH-1:0] best;
                reg [IN_WIDTH-1:0] elem;
                always @* begin
                    best = win_data[c*IN_WIDTH +: IN_WIDTH];
                    for (k = 1; k < KK; k = k + 1) begin
                        elem = win_data[k*PIXEL_WIDTH + c*IN_WIDTH +: IN_WIDTH];
                        if (IN_SIGNED != 0 ? $signed(elem) > $signed(best) : elem > best)
                            best = elem;
                    end
                end
                assign result = best;
            end else begin : g_avg
                // Window element k of this channel, sign- or zero-extended to X_WIDTH signed bits.
                wire [KK*X_WIDTH-1:0] elems;
                for (e = 0; e < KK; e = e + 1) begin : g_elem
                    wire [IN_WIDTH-1:0] bits = win_data[e*PIXEL_WIDTH + c*IN_WIDTH +: IN_WIDTH];
                    if (IN_SIGNED != 0) begin : g_signed
                        assign elems[e*X_WIDTH +: X_WIDTH] = bits;
                    end else begin : g_unsigned
                        assign elems[e*X_WIDTH +: X_WIDTH] = {1'b0, bits};
                    end
                end
                reg signed [ACC_WIDTH-1:0] sum;
                always @* begin
                    sum = {ACC_WIDTH{1'b0}};
                    for (k = 0; k < KK; k = k + 1)
                        sum = sum + {{(ACC_WIDTH-X_WIDTH){elems[k*X_WIDTH + X_WIDTH-1]}}, elems[k*X_WIDTH +: X_WIDTH]};
                end
                lenet_requant #(.ACC_WIDTH(ACC_WIDTH), .SHIFT(SHIFT), .OUT_WIDTH(OUT_WIDTH),
                                .ROUND(ROUND), .SATURATE(SATURATE), .RELU(0), .OUT_SIGNED(OUT_SIGNED))
                    requant (.acc(sum), .q(result));
            end
            always @(posedge clk) if (win_valid) pixel[c*OUT_WIDTH +: OUT_WIDTH] <= result;
        end
    endgenerate
endmodule
`default_nettype wire
