// Pooling of one window (docs/fixed-point.md section 6), all channels in parallel, one window per
// cycle (pipelined: the pixel comes STAGES cycles later). MODE LENET_POOL_MAX (lenet_modes.vh): max
// of the window. LENET_POOL_AVG: average as the exact window sum (ACC_WIDTH bits,
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

    assign win_ready = 1'b1;

    // A pairwise tree over the window, one level per cycle (max of two, or sum of two), so no cycle
    // chains more than one comparator or adder; an average is then rounded and fitted in two more
    // stages. Missing leaves of a window that is not a power of two repeat element 0 (max) or are 0.
    localparam LEVELS = $clog2(KK) < 1 ? 1 : $clog2(KK);
    localparam LEAVES = 1 << LEVELS;
    localparam NODE_WIDTH = MODE == LENET_POOL_MAX ? IN_WIDTH : ACC_WIDTH;
    // Cycles from a window to its pixel: the tree, then the output register (max) or round + fit (average).
    localparam STAGES = LEVELS + (MODE == LENET_POOL_MAX ? 1 : 2);

    reg [STAGES-2:0] valid_pipe;
    generate
        if (STAGES > 2) begin : g_valid_shift
            always @(posedge clk) valid_pipe <= {valid_pipe[STAGES-3:0], win_valid && !rst};
        end else begin : g_valid_one
            always @(posedge clk) valid_pipe <= win_valid && !rst;
        end
    endgenerate
    always @(posedge clk) out_valid <= valid_pipe[STAGES-2] && !rst;

    reg [CHANNELS*OUT_WIDTH-1:0] pixel;
    assign out_data = pixel;

    genvar c, e, k, n;
    generate
        for (c = 0; c < CHANNELS; c = c + 1) begin : g_channel
            wire [(2*LEAVES-1)*NODE_WIDTH-1:0] nodes;
            for (e = 0; e < LEAVES; e = e + 1) begin : g_leaf
                localparam SOURCE = e < KK ? e : 0;
                wire [IN_WIDTH-1:0] bits = win_data[SOURCE*PIXEL_WIDTH + c*IN_WIDTH +: IN_WIDTH];
                if (MODE == LENET_POOL_MAX) begin : g_max_leaf
                    assign nodes[e*NODE_WIDTH +: NODE_WIDTH] = bits;
                end else if (e >= KK) begin : g_zero_leaf
                    assign nodes[e*NODE_WIDTH +: NODE_WIDTH] = {NODE_WIDTH{1'b0}};
                end else begin : g_sum_leaf
                    // Sign- or zero-extended to the window sum's width.
                    wire fill = IN_SIGNED != 0 ? bits[IN_WIDTH-1] : 1'b0;
                    assign nodes[e*NODE_WIDTH +: NODE_WIDTH] = {{(NODE_WIDTH-IN_WIDTH){fill}}, bits};
                end
            end
            for (k = 1; k <= LEVELS; k = k + 1) begin : g_level
                localparam IN_BASE = 2*LEAVES - (2*LEAVES >> (k-1));
                localparam OUT_BASE = 2*LEAVES - (2*LEAVES >> k);
                for (n = 0; n < (LEAVES >> k); n = n + 1) begin : g_node
                    wire [NODE_WIDTH-1:0] a = nodes[(IN_BASE + 2*n)*NODE_WIDTH +: NODE_WIDTH];
                    wire [NODE_WIDTH-1:0] b = nodes[(IN_BASE + 2*n + 1)*NODE_WIDTH +: NODE_WIDTH];
                    reg  [NODE_WIDTH-1:0] node;
                    if (MODE == LENET_POOL_MAX) begin : g_max
                        wire b_larger = IN_SIGNED != 0 ? $signed(b) > $signed(a) : b > a;
                        always @(posedge clk) node <= b_larger ? b : a;
                    end else begin : g_sum
                        always @(posedge clk) node <= a + b;
                    end
                    assign nodes[(OUT_BASE + n)*NODE_WIDTH +: NODE_WIDTH] = node;
                end
            end
            wire [NODE_WIDTH-1:0] root = nodes[(2*LEAVES-2)*NODE_WIDTH +: NODE_WIDTH];
            if (MODE == LENET_POOL_MAX) begin : g_max_out
                // A max pool's output has its input's format.
                always @(posedge clk) pixel[c*OUT_WIDTH +: OUT_WIDTH] <= root;
            end else begin : g_avg_out
                localparam SHIFTED_WIDTH = SHIFT <= 0 ? ACC_WIDTH - SHIFT : (ACC_WIDTH > SHIFT ? ACC_WIDTH : SHIFT) + 1 - SHIFT;
                wire [SHIFTED_WIDTH-1:0] shifted;
                reg  [SHIFTED_WIDTH-1:0] shifted_r;
                wire [OUT_WIDTH-1:0]     q;
                lenet_round #(.ACC_WIDTH(ACC_WIDTH), .SHIFT(SHIFT), .ROUND(ROUND), .SHIFTED_WIDTH(SHIFTED_WIDTH))
                    round (.acc(root), .shifted(shifted));
                always @(posedge clk) shifted_r <= shifted;
                lenet_fit #(.IN_WIDTH(SHIFTED_WIDTH), .OUT_WIDTH(OUT_WIDTH), .SATURATE(SATURATE), .RELU(0), .OUT_SIGNED(OUT_SIGNED))
                    fit (.shifted(shifted_r), .q(q));
                always @(posedge clk) pixel[c*OUT_WIDTH +: OUT_WIDTH] <= q;
            end
        end
    endgenerate
endmodule
`default_nettype wire
