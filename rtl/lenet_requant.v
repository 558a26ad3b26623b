// Requantization of docs/fixed-point.md section 4 (and the ReLU of section 5) in one combinational
// step: lenet_round (shift by SHIFT = F_acc - F_out with ROUND, a LENET_ROUND_* code) then lenet_fit
// (saturate or wrap to OUT_WIDTH bits as SATURATE says, LENET_OVERFLOW_*; optional ReLU).
// OUT_SIGNED 0: the output is unsigned ufx<OUT_WIDTH,F> (section 1), always a saturating ReLU output,
// so the result is clamp(shifted, 0, 2^OUT_WIDTH - 1) whatever SATURATE and RELU say.
// The generator keeps |SHIFT| <= 62, the spec's 64-bit bound.
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
    localparam SHIFTED_WIDTH = SHIFT <= 0 ? ACC_WIDTH - SHIFT : (ACC_WIDTH > SHIFT ? ACC_WIDTH : SHIFT) + 1 - SHIFT;
    wire signed [SHIFTED_WIDTH-1:0] shifted;
    lenet_round #(.ACC_WIDTH(ACC_WIDTH), .SHIFT(SHIFT), .ROUND(ROUND), .SHIFTED_WIDTH(SHIFTED_WIDTH))
        round (.acc(acc), .shifted(shifted));
    lenet_fit #(.IN_WIDTH(SHIFTED_WIDTH), .OUT_WIDTH(OUT_WIDTH), .SATURATE(SATURATE), .RELU(RELU), .OUT_SIGNED(OUT_SIGNED))
        fit (.shifted(shifted), .q(q));
endmodule
`default_nettype wire
