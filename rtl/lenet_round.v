// First half of the requantization of docs/fixed-point.md section 4: the accumulator shifted by
// SHIFT = F_acc - F_out with a rounding mode (ROUND: LENET_ROUND_* of lenet_modes.vh), before any
// saturation. The spec computes in 64 bits; here every intermediate has just the width its values
// need (an accumulator plus a rounding carry), which gives the same integers with a short carry chain.
// lenet_fit finishes the job; lenet_requant chains the two, the MVAU puts a register between them.
`default_nettype none
module lenet_round #(
    parameter ACC_WIDTH = 32,
    parameter SHIFT = 0,
    parameter ROUND = 0,
    // Width of `shifted`: ACC_WIDTH - SHIFT for a left shift, else max(ACC_WIDTH, SHIFT) + 1 - SHIFT.
    parameter SHIFTED_WIDTH = SHIFT <= 0 ? ACC_WIDTH - SHIFT : (ACC_WIDTH > SHIFT ? ACC_WIDTH : SHIFT) + 1 - SHIFT
) (
    input  wire signed [ACC_WIDTH-1:0]     acc,
    output wire signed [SHIFTED_WIDTH-1:0] shifted
);
    `include "lenet_modes.vh"

    generate
        if (SHIFT == 0) begin : g_same
            assign shifted = acc;
        end else if (SHIFT < 0) begin : g_left
            assign shifted = {{(SHIFTED_WIDTH-ACC_WIDTH){acc[ACC_WIDTH-1]}}, acc} <<< (-SHIFT);
        end else begin : g_right
            // |acc| < 2^(ACC_WIDTH-1) and the half unit is 2^(SHIFT-1), so the sum fits SUM_WIDTH signed bits.
            localparam SUM_WIDTH = (ACC_WIDTH > SHIFT ? ACC_WIDTH : SHIFT) + 1;
            localparam [SUM_WIDTH-1:0] HALF = {{(SUM_WIDTH-1){1'b0}}, 1'b1} << (SHIFT - 1);
            wire signed [SUM_WIDTH-1:0] wide = {{(SUM_WIDTH-ACC_WIDTH){acc[ACC_WIDTH-1]}}, acc};
            if (ROUND == LENET_ROUND_RND) begin : g_rnd
                /* verilator lint_off UNUSEDSIGNAL */ // the bits shifted out
                wire signed [SUM_WIDTH-1:0] sum = wide + $signed(HALF);
                /* verilator lint_on UNUSEDSIGNAL */
                assign shifted = sum[SUM_WIDTH-1:SHIFT];
            end else if (ROUND == LENET_ROUND_TRN) begin : g_trn
                assign shifted = wide[SUM_WIDTH-1:SHIFT];
            end else begin : g_rnd_conv
                // Half to even: round up when the bits shifted out exceed a half, or equal it on an odd
                // floor. The half is their top bit alone, so no comparator is needed.
                wire [SHIFT-1:0] rest = wide[SHIFT-1:0];
                wire signed [SHIFTED_WIDTH-1:0] floor_q = wide[SUM_WIDTH-1:SHIFT];
                wire up;
                if (SHIFT == 1) begin : g_one_bit
                    assign up = rest[0] && floor_q[0];
                end else begin : g_bits
                    assign up = rest[SHIFT-1] && (|rest[SHIFT-2:0] || floor_q[0]);
                end
                assign shifted = floor_q + {{(SHIFTED_WIDTH-1){1'b0}}, up};
            end
        end
    endgenerate
endmodule
`default_nettype wire
