// Second half of the requantization of docs/fixed-point.md section 4 (and the ReLU of section 5):
// a shifted accumulator (lenet_round) saturated (SATURATE LENET_OVERFLOW_SAT) or wrapped to
// OUT_WIDTH bits. OUT_SIGNED 0: the output is unsigned ufx<OUT_WIDTH,F> (section 1), always a
// saturating ReLU output, so the result is clamp(shifted, 0, 2^OUT_WIDTH - 1) whatever SATURATE and
// RELU say. Overflow is found from the bits above the output (all copies of the sign, or all zero
// when unsigned), which is a few LUTs, not a comparator's carry chain.
`default_nettype none
module lenet_fit #(
    parameter IN_WIDTH = 32,
    parameter OUT_WIDTH = 8,
    parameter SATURATE = 1,
    parameter RELU = 0,
    parameter OUT_SIGNED = 1
) (
    input  wire signed [IN_WIDTH-1:0]  shifted,
    output wire signed [OUT_WIDTH-1:0] q
);
    `include "lenet_modes.vh"
    // The input sign-extended to at least OUT_WIDTH + 1 bits, so the bits above the output exist.
    localparam WIDE = IN_WIDTH > OUT_WIDTH ? IN_WIDTH : OUT_WIDTH + 1;
    wire signed [WIDE-1:0] wide;
    wire negative = wide[WIDE-1];

    wire signed [OUT_WIDTH-1:0] fitted;
    generate
        if (WIDE > IN_WIDTH) begin : g_extend
            assign wide = {{(WIDE-IN_WIDTH){shifted[IN_WIDTH-1]}}, shifted};
        end else begin : g_same
            assign wide = shifted;
        end
        if (OUT_SIGNED == 0) begin : g_unsigned
            // In range when every bit from OUT_WIDTH up is zero.
            wire above = |wide[WIDE-1:OUT_WIDTH];
            assign fitted = negative ? {OUT_WIDTH{1'b0}} : above ? {OUT_WIDTH{1'b1}} : wide[OUT_WIDTH-1:0];
        end else if (SATURATE == LENET_OVERFLOW_SAT) begin : g_sat
            // In range when every bit from OUT_WIDTH - 1 up equals the sign.
            wire [WIDE-OUT_WIDTH:0] high = wide[WIDE-1:OUT_WIDTH-1];
            wire in_range = high == {(WIDE-OUT_WIDTH+1){1'b0}} || high == {(WIDE-OUT_WIDTH+1){1'b1}};
            wire [OUT_WIDTH-1:0] limit = negative ? {1'b1, {(OUT_WIDTH-1){1'b0}}} : {1'b0, {(OUT_WIDTH-1){1'b1}}};
            assign fitted = in_range ? wide[OUT_WIDTH-1:0] : limit;
        end else begin : g_wrap
            assign fitted = wide[OUT_WIDTH-1:0];
        end
        if (RELU != 0 && OUT_SIGNED != 0) begin : g_relu
            assign q = fitted[OUT_WIDTH-1] ? {OUT_WIDTH{1'b0}} : fitted;
        end else begin : g_linear
            assign q = fitted;
        end
    endgenerate
endmodule
`default_nettype wire
