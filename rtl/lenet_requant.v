// Requantization of docs/fixed-point.md section 4 (and the ReLU of section 5): shift an accumulator
// by SHIFT = F_acc - F_out with a rounding mode, then saturate or wrap to OUT_WIDTH bits.
// ROUND: LENET_ROUND_RND (half toward +inf), _TRN (floor), _RND_CONV (half to even); SATURATE:
// LENET_OVERFLOW_SAT or _WRAP (codes in lenet_modes.vh).
// OUT_SIGNED 0: the output is unsigned ufx<OUT_WIDTH,F> (section 1), always a saturating ReLU output,
// so the result is clamp(shifted, 0, 2^OUT_WIDTH - 1) whatever SATURATE and RELU say.
// Every intermediate is 64-bit, as the spec requires; the generator keeps |SHIFT| <= 62.
`default_nettype none
module lenet_requant #(
    parameter ACC_WIDTH = 32,
    parameter SHIFT = 0,
    parameter OUT_WIDTH = 8,
    parameter ROUND = 0,
    parameter SATURATE = 1,
    parameter RELU = 0,
    parameter OUT_SIGNED = 1
) (
    input  wire signed [ACC_WIDTH-1:0] acc,
    output wire signed [OUT_WIDTH-1:0] q
);
    `include "lenet_modes.vh"

    wire signed [63:0] wide = {{(64-ACC_WIDTH){acc[ACC_WIDTH-1]}}, acc};
    wire signed [63:0] shifted;

    generate
        if (SHIFT <= 0) begin : g_left
            assign shifted = wide <<< (-SHIFT);
        end else if (ROUND == LENET_ROUND_RND) begin : g_rnd
            localparam [63:0] HALF = 64'd1 << (SHIFT - 1);
            assign shifted = (wide + $signed(HALF)) >>> SHIFT;
        end else if (ROUND == LENET_ROUND_TRN) begin : g_trn
            assign shifted = wide >>> SHIFT;
        end else begin : g_rnd_conv
            localparam [63:0] HALF = 64'd1 << (SHIFT - 1);
            localparam [63:0] LOW_MASK = (64'd1 << SHIFT) - 64'd1;
            wire signed [63:0] floor_q = wide >>> SHIFT;
            wire [63:0] rest = wide & LOW_MASK;
            wire up = (rest > HALF) || (rest == HALF && floor_q[0]);
            assign shifted = floor_q + {63'd0, up};
        end
    endgenerate

    localparam signed [63:0] OUT_MAX = (64'sd1 <<< (OUT_WIDTH - 1)) - 64'sd1;
    localparam signed [63:0] OUT_MIN = -(64'sd1 <<< (OUT_WIDTH - 1));
    localparam signed [63:0] UNSIGNED_MAX = (64'sd1 <<< OUT_WIDTH) - 64'sd1;

    wire signed [OUT_WIDTH-1:0] fitted;
    generate
        if (OUT_SIGNED == 0) begin : g_unsigned
            assign fitted = shifted > UNSIGNED_MAX ? UNSIGNED_MAX[OUT_WIDTH-1:0]
                          : shifted < 64'sd0 ? {OUT_WIDTH{1'b0}}
                          : shifted[OUT_WIDTH-1:0];
        end else if (SATURATE == LENET_OVERFLOW_SAT) begin : g_sat
            assign fitted = shifted > OUT_MAX ? OUT_MAX[OUT_WIDTH-1:0]
                          : shifted < OUT_MIN ? OUT_MIN[OUT_WIDTH-1:0]
                          : shifted[OUT_WIDTH-1:0];
        end else begin : g_wrap
            assign fitted = shifted[OUT_WIDTH-1:0];
        end
        if (RELU != 0 && OUT_SIGNED != 0) begin : g_relu
            assign q = fitted[OUT_WIDTH-1] ? {OUT_WIDTH{1'b0}} : fitted;
        end else begin : g_linear
            assign q = fitted;
        end
    endgenerate
endmodule
`default_nettype wire
