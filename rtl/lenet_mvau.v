// Matrix-vector-activation unit (FINN's MVAU folding): for every window it computes OUTS dot
// products of ELEMS terms with PE x SIMD multipliers, in NF = ceil(OUTS/PE) neuron folds of
// SF = ceil(ELEMS/SIMD) synapse folds, one fold per cycle with no bubble between windows.
// Weight ROM word nf*SF + sf holds w[sf*SIMD + s][nf*PE + p] at lane p*SIMD + s (zeros past the
// ends); bias ROM word nf holds the PE biases at accumulator width. W_WIDTH 1 means bipolar weights
// (docs/fixed-point.md section 1): a lane holds s = (q+1)/2 and its product is s ? x : -x, a
// conditional negation instead of a multiplier (a padding 0 reads as -1, which is harmless: past
// ELEMS x is 0, past OUTS the sum is never output). X_SIGNED 0 means unsigned ufx inputs
// (docs/fixed-point.md sections 1 and 3): x is zero-extended to IN_WIDTH + 1 signed bits before the
// signed product or the +-x negation, so x >= 2^(IN_WIDTH-1) stays positive. The accumulated sum is
// requantized (docs/fixed-point.md section 4) with the fused activation: ACT LENET_ACT_* (lenet_modes.vh)
// (index saturated to TANH_INDEX_BITS, then a table lookup per lane); OUT_SIGNED 0 (an unsigned relu
// output) clamps to [0, 2^OUT_WIDTH - 1].
// Pipeline: A issue, B weights + input slice, C operands, M products, P product registers, T1..TL
// adder tree (one level per cycle), ACC accumulate, R round, E fit (or tanh table), F assemble.
`default_nettype none
module lenet_mvau #(
    parameter ELEMS = 1,
    parameter IN_WIDTH = 8,
    parameter X_SIGNED = 1,
    parameter W_WIDTH = 8,
    parameter PE = 1,
    parameter SIMD = 1,
    parameter NF = 1,
    parameter SF = 1,
    parameter OUTS = 1,
    parameter ACC_WIDTH = 24,
    parameter OUT_WIDTH = 8,
    parameter SHIFT = 0,
    parameter ROUND = 0,
    parameter SATURATE = 1,
    parameter ACT = 0,
    parameter OUT_SIGNED = 1,
    parameter TANH_INDEX_BITS = 2,
    parameter WEIGHT_FILE = "",
    parameter BIAS_FILE = "",
    parameter TANH_FILE = ""
) (
    input  wire                        clk,
    input  wire                        rst,
    input  wire [ELEMS*IN_WIDTH-1:0]   win_data,
    input  wire                        win_valid,
    output wire                        win_ready,
    output wire [OUTS*OUT_WIDTH-1:0]   out_data,
    output reg                         out_valid
);
    `include "lenet_modes.vh"
    localparam SLICE_WIDTH = SIMD * IN_WIDTH;
    localparam ROT_WIDTH = SF * SLICE_WIDTH;
    localparam BIPOLAR_WIDTH = 1;
    localparam BIPOLAR = W_WIDTH == BIPOLAR_WIDTH;
    // x as a signed operand: its stored bits, or one bit more (a zero) for unsigned inputs.
    localparam X_WIDTH = X_SIGNED != 0 ? IN_WIDTH : IN_WIDTH + 1;
    // A bipolar product is +-x in IN_WIDTH + 1 bits: enough to negate the most negative signed x, and
    // -(2^IN_WIDTH - 1) for the largest unsigned x.
    localparam PROD_WIDTH = BIPOLAR ? IN_WIDTH + 1 : W_WIDTH + X_WIDTH;
    localparam STEPS = NF * SF;
    localparam STEP_WIDTH = $clog2(STEPS) < 1 ? 1 : $clog2(STEPS);
    localparam NF_WIDTH = $clog2(NF) < 1 ? 1 : $clog2(NF);
    localparam SF_WIDTH = $clog2(SF) < 1 ? 1 : $clog2(SF);
    localparam [31:0] LAST_NF_32 = NF - 1;
    localparam [31:0] LAST_SF_32 = SF - 1;
    localparam [NF_WIDTH-1:0] LAST_NF = LAST_NF_32[NF_WIDTH-1:0];
    localparam [SF_WIDTH-1:0] LAST_SF = LAST_SF_32[SF_WIDTH-1:0];
    localparam FOLD_WIDTH = PE * OUT_WIDTH;

    // ---- A: issue one (nf, sf) step per cycle --------------------------------------------------
    reg                    busy;
    reg [NF_WIDTH-1:0]     nf;
    reg [SF_WIDTH-1:0]     sf;
    reg [STEP_WIDTH-1:0]   step;
    reg [ROT_WIDTH-1:0]    rot;

    wire step_last = nf == LAST_NF && sf == LAST_SF;
    assign win_ready = !busy || step_last;
    wire load = win_valid && win_ready;

    wire [ROT_WIDTH-1:0] loaded;
    wire [ROT_WIDTH-1:0] rotated;
    generate
        if (ROT_WIDTH > ELEMS * IN_WIDTH) begin : g_pad
            assign loaded = {{(ROT_WIDTH - ELEMS*IN_WIDTH){1'b0}}, win_data};
        end else begin : g_exact
            assign loaded = win_data;
        end
        if (SF > 1) begin : g_rotate
            assign rotated = {rot[SLICE_WIDTH-1:0], rot[ROT_WIDTH-1:SLICE_WIDTH]};
        end else begin : g_still
            assign rotated = rot;
        end
    endgenerate

    always @(posedge clk) begin
        if (busy) begin
            rot <= rotated;
            step <= step_last ? {STEP_WIDTH{1'b0}} : step + 1'b1;
            if (sf == LAST_SF) begin
                sf <= 0;
                nf <= nf == LAST_NF ? {NF_WIDTH{1'b0}} : nf + 1'b1;
            end else begin
                sf <= sf + 1'b1;
            end
        end
        if (load) begin
            rot <= loaded;
            busy <= 1'b1;
        end else if (step_last) begin
            busy <= 1'b0;
        end
        if (rst) begin
            busy <= 1'b0;
            nf <= 0;
            sf <= 0;
            step <= 0;
        end
    end

    // ---- B: weight word (ROM read issued in A) and the input slice ------------------------------
    wire [PE*SIMD*W_WIDTH-1:0] weights;
    lenet_rom #(.WIDTH(PE*SIMD*W_WIDTH), .DEPTH(STEPS), .ADDR_WIDTH(STEP_WIDTH), .FILE(WEIGHT_FILE))
        weight_rom (.clk(clk), .addr(step), .data(weights));

    reg [SLICE_WIDTH-1:0] x_b;
    reg                   valid_b, first_b, last_b;
    reg [NF_WIDTH-1:0]    nf_b;
    always @(posedge clk) begin
        x_b <= rot[SLICE_WIDTH-1:0];
        valid_b <= busy && !rst;
        first_b <= sf == 0;
        last_b <= sf == LAST_SF;
        nf_b <= nf;
    end

    // ---- C: operand registers; M: product registers; P: product output registers ---------------
    // The three register ranks around each product are the DSP48E1's A/B, M and P registers, so a
    // multiplier is a DSP on its own with no fabric logic before or after it in the same cycle.
    // T1..TL: a pipelined adder tree over the SIMD products, one adder level per cycle.
    // ACC: the accumulator adds the tree's sum to the bias or to its running value.
    localparam TREE_LEVELS = $clog2(SIMD);
    localparam TO_ACC = 3 + TREE_LEVELS;  // cycles from B to the accumulator's inputs

    // Flags of each step, delayed from B to the accumulator: {valid, first, last}; nf one cycle less.
    reg [3*TO_ACC-1:0]        flags_pipe;
    reg [NF_WIDTH*(TO_ACC-1)-1:0] nf_pipe;
    always @(posedge clk) begin
        flags_pipe <= {flags_pipe[3*(TO_ACC-1)-1:0], valid_b && !rst, first_b, last_b};
        nf_pipe <= {nf_pipe[NF_WIDTH*(TO_ACC-2)-1:0], nf_b};
    end
    wire valid_a = flags_pipe[3*TO_ACC-1] && !rst;
    wire first_a = flags_pipe[3*TO_ACC-2];
    wire last_a  = flags_pipe[3*TO_ACC-3];
    // The bias ROM is read one cycle ahead, so its word arrives with the step it belongs to.
    wire [NF_WIDTH-1:0] nf_before_a = nf_pipe[NF_WIDTH*(TO_ACC-1)-1 -: NF_WIDTH];

    wire [PE*ACC_WIDTH-1:0] biases;
    lenet_rom #(.WIDTH(PE*ACC_WIDTH), .DEPTH(NF), .ADDR_WIDTH(NF_WIDTH), .FILE(BIAS_FILE))
        bias_rom (.clk(clk), .addr(nf_before_a), .data(biases));

    // ---- round and fit stages after the accumulator -------------------------------------------
    reg valid_d, valid_r, valid_e;
    always @(posedge clk) begin
        valid_d <= valid_a && last_a && !rst;
        valid_r <= valid_d && !rst;
        valid_e <= valid_r && !rst;
    end

    wire [FOLD_WIDTH-1:0] fold_out;

    // Tree level widths: a product, then one bit more per level (the accumulator bounds every sum).
    localparam TREE_WIDTH = PROD_WIDTH + TREE_LEVELS < ACC_WIDTH ? PROD_WIDTH + TREE_LEVELS : ACC_WIDTH;
    localparam LEAVES = 1 << TREE_LEVELS;

    genvar p, s, k;
    generate
        for (p = 0; p < PE; p = p + 1) begin : g_lane
            wire [LEAVES*TREE_WIDTH-1:0] leaves;
            for (s = 0; s < LEAVES; s = s + 1) begin : g_mul
                if (s < SIMD) begin : g_lane_mul
                    reg [IN_WIDTH-1:0]           x_c;
                    reg [W_WIDTH-1:0]            w_c;
                    wire signed [X_WIDTH-1:0]    x;
                    wire signed [PROD_WIDTH-1:0] next_product;
                    always @(posedge clk) begin
                        x_c <= x_b[s*IN_WIDTH +: IN_WIDTH];
                        w_c <= weights[(p*SIMD + s)*W_WIDTH +: W_WIDTH];
                    end
                    if (X_SIGNED != 0) begin : g_signed_x
                        assign x = x_c;
                    end else begin : g_unsigned_x
                        assign x = {1'b0, x_c};
                    end
                    if (BIPOLAR) begin : g_negate
                        wire                         plus = w_c[0];
                        wire signed [PROD_WIDTH-1:0] wide;
                        if (X_WIDTH < PROD_WIDTH) begin : g_sign_extend
                            assign wide = {x[X_WIDTH-1], x};
                        end else begin : g_same
                            assign wide = x;
                        end
                        assign next_product = plus ? wide : -wide;
                    end else begin : g_multiply
                        wire signed [W_WIDTH-1:0] w = w_c;
                        assign next_product = w * x;
                    end
                    reg signed [PROD_WIDTH-1:0] product_m;
                    reg signed [PROD_WIDTH-1:0] product;
                    always @(posedge clk) begin
                        product_m <= next_product;
                        product <= product_m;
                    end
                    // |w*x| never exceeds the accumulator bound, so narrowing loses nothing.
                    if (TREE_WIDTH >= PROD_WIDTH) begin : g_extend
                        assign leaves[s*TREE_WIDTH +: TREE_WIDTH] = {{(TREE_WIDTH-PROD_WIDTH){product[PROD_WIDTH-1]}}, product};
                    end else begin : g_narrow
                        /* verilator lint_off UNUSEDSIGNAL */ // the product's top bits only repeat its sign
                        wire [PROD_WIDTH-1:0] product_bits = product;
                        /* verilator lint_on UNUSEDSIGNAL */
                        assign leaves[s*TREE_WIDTH +: TREE_WIDTH] = product_bits[TREE_WIDTH-1:0];
                    end
                end else begin : g_pad_leaf
                    assign leaves[s*TREE_WIDTH +: TREE_WIDTH] = {TREE_WIDTH{1'b0}};
                end
            end

            // Level k holds LEAVES >> k registered sums; level 0 is the products themselves.
            wire [TREE_WIDTH-1:0] tree_sum;
            if (TREE_LEVELS == 0) begin : g_no_tree
                assign tree_sum = leaves[TREE_WIDTH-1:0];
            end else begin : g_tree
                wire [(2*LEAVES-1)*TREE_WIDTH-1:0] nodes;
                assign nodes[LEAVES*TREE_WIDTH-1:0] = leaves;
                for (k = 1; k <= TREE_LEVELS; k = k + 1) begin : g_level
                    localparam IN_BASE = (2*LEAVES - (2*LEAVES >> (k-1))) ;
                    localparam OUT_BASE = (2*LEAVES - (2*LEAVES >> k));
                    localparam COUNT = LEAVES >> k;
                    genvar n;
                    for (n = 0; n < COUNT; n = n + 1) begin : g_node
                        reg [TREE_WIDTH-1:0] sum;
                        always @(posedge clk)
                            sum <= nodes[(IN_BASE + 2*n)*TREE_WIDTH +: TREE_WIDTH] + nodes[(IN_BASE + 2*n + 1)*TREE_WIDTH +: TREE_WIDTH];
                        assign nodes[(OUT_BASE + n)*TREE_WIDTH +: TREE_WIDTH] = sum;
                    end
                end
                assign tree_sum = nodes[(2*LEAVES-2)*TREE_WIDTH +: TREE_WIDTH];
            end

            reg [ACC_WIDTH-1:0] acc;
            wire [ACC_WIDTH-1:0] term;
            if (ACC_WIDTH > TREE_WIDTH) begin : g_widen
                assign term = {{(ACC_WIDTH-TREE_WIDTH){tree_sum[TREE_WIDTH-1]}}, tree_sum};
            end else begin : g_fits
                assign term = tree_sum;
            end
            always @(posedge clk) if (valid_a) acc <= (first_a ? biases[p*ACC_WIDTH +: ACC_WIDTH] : acc) + term;

            if (ACT == LENET_ACT_TANH) begin : g_tanh
                localparam INDEX_SHIFTED = SHIFT <= 0 ? ACC_WIDTH - SHIFT : (ACC_WIDTH > SHIFT ? ACC_WIDTH : SHIFT) + 1 - SHIFT;
                wire [INDEX_SHIFTED-1:0] shifted;
                reg  [INDEX_SHIFTED-1:0] shifted_r;
                wire [TANH_INDEX_BITS-1:0] index;
                lenet_round #(.ACC_WIDTH(ACC_WIDTH), .SHIFT(SHIFT), .ROUND(ROUND), .SHIFTED_WIDTH(INDEX_SHIFTED))
                    to_shifted (.acc(acc), .shifted(shifted));
                always @(posedge clk) shifted_r <= shifted;
                lenet_fit #(.IN_WIDTH(INDEX_SHIFTED), .OUT_WIDTH(TANH_INDEX_BITS), .SATURATE(LENET_OVERFLOW_SAT), .RELU(0))
                    to_index (.shifted(shifted_r), .q(index));
                // Table entry i + 2^(B-1): flipping the sign bit adds the offset.
                wire [TANH_INDEX_BITS-1:0] entry = {~index[TANH_INDEX_BITS-1], index[TANH_INDEX_BITS-2:0]};
                lenet_rom #(.WIDTH(OUT_WIDTH), .DEPTH(1 << TANH_INDEX_BITS), .ADDR_WIDTH(TANH_INDEX_BITS), .FILE(TANH_FILE))
                    table_rom (.clk(clk), .addr(entry), .data(fold_out[p*OUT_WIDTH +: OUT_WIDTH]));
            end else begin : g_requant
                localparam SHIFTED_WIDTH = SHIFT <= 0 ? ACC_WIDTH - SHIFT : (ACC_WIDTH > SHIFT ? ACC_WIDTH : SHIFT) + 1 - SHIFT;
                wire [SHIFTED_WIDTH-1:0] shifted;
                reg  [SHIFTED_WIDTH-1:0] shifted_r;
                wire [OUT_WIDTH-1:0] q;
                lenet_round #(.ACC_WIDTH(ACC_WIDTH), .SHIFT(SHIFT), .ROUND(ROUND), .SHIFTED_WIDTH(SHIFTED_WIDTH))
                    round (.acc(acc), .shifted(shifted));
                always @(posedge clk) shifted_r <= shifted;
                lenet_fit #(.IN_WIDTH(SHIFTED_WIDTH), .OUT_WIDTH(OUT_WIDTH), .SATURATE(SATURATE),
                            .RELU(ACT == LENET_ACT_RELU ? 1 : 0), .OUT_SIGNED(OUT_SIGNED))
                    fit (.shifted(shifted_r), .q(q));
                reg [OUT_WIDTH-1:0] q_e;
                always @(posedge clk) q_e <= q;
                assign fold_out[p*OUT_WIDTH +: OUT_WIDTH] = q_e;
            end
        end
    endgenerate

    // ---- F: shift the folds into one output pixel (fold 0 ends at the bottom) -------------------
    reg [NF*FOLD_WIDTH-1:0] pixel;
    reg [NF_WIDTH-1:0]      fold;
    generate
        if (NF > 1) begin : g_folds
            always @(posedge clk) if (valid_e) pixel <= {fold_out, pixel[NF*FOLD_WIDTH-1:FOLD_WIDTH]};
        end else begin : g_single
            always @(posedge clk) if (valid_e) pixel <= fold_out;
        end
    endgenerate
    always @(posedge clk) begin
        out_valid <= valid_e && fold == LAST_NF && !rst;
        if (valid_e) fold <= fold == LAST_NF ? {NF_WIDTH{1'b0}} : fold + 1'b1;
        if (rst) fold <= 0;
    end
    assign out_data = pixel[OUTS*OUT_WIDTH-1:0];
endmodule
`default_nettype wire
