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
// Pipeline: A issue, B weights + input slice, C products, D accumulate, E activation, F assemble.
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

    // ---- C: products (bias ROM read issued in B) ------------------------------------------------
    wire [PE*ACC_WIDTH-1:0] biases;
    lenet_rom #(.WIDTH(PE*ACC_WIDTH), .DEPTH(NF), .ADDR_WIDTH(NF_WIDTH), .FILE(BIAS_FILE))
        bias_rom (.clk(clk), .addr(nf_b), .data(biases));

    reg valid_c, first_c, last_c;
    always @(posedge clk) begin
        valid_c <= valid_b && !rst;
        first_c <= first_b;
        last_c <= last_b;
    end

    // ---- D: accumulate; E: requantize + activation ----------------------------------------------
    reg valid_d, valid_e;
    always @(posedge clk) begin
        valid_d <= valid_c && last_c && !rst;
        valid_e <= valid_d && !rst;
    end

    wire [FOLD_WIDTH-1:0] fold_out;

    genvar p, s;
    generate
        for (p = 0; p < PE; p = p + 1) begin : g_lane
            wire [SIMD*ACC_WIDTH-1:0] terms;
            for (s = 0; s < SIMD; s = s + 1) begin : g_mul
                wire [IN_WIDTH-1:0]          x_bits = x_b[s*IN_WIDTH +: IN_WIDTH];
                wire signed [X_WIDTH-1:0]    x;
                wire signed [PROD_WIDTH-1:0] next_product;
                if (X_SIGNED != 0) begin : g_signed_x
                    assign x = x_bits;
                end else begin : g_unsigned_x
                    assign x = {1'b0, x_bits};
                end
                if (BIPOLAR) begin : g_negate
                    wire                         plus = weights[p*SIMD + s];
                    wire signed [PROD_WIDTH-1:0] wide;
                    if (X_WIDTH < PROD_WIDTH) begin : g_sign_extend
                        assign wide = {x[X_WIDTH-1], x};
                    end else begin : g_same
                        assign wide = x;
                    end
                    assign next_product = plus ? wide : -wide;
                end else begin : g_multiply
                    wire signed [W_WIDTH-1:0] w = weights[(p*SIMD + s)*W_WIDTH +: W_WIDTH];
                    assign next_product = w * x;
                end
                reg signed [PROD_WIDTH-1:0] product;
                always @(posedge clk) product <= next_product;
                // |w*x| never exceeds the accumulator bound, so narrowing loses nothing.
                if (ACC_WIDTH >= PROD_WIDTH) begin : g_extend
                    assign terms[s*ACC_WIDTH +: ACC_WIDTH] = {{(ACC_WIDTH-PROD_WIDTH){product[PROD_WIDTH-1]}}, product};
                end else begin : g_narrow
                    assign terms[s*ACC_WIDTH +: ACC_WIDTH] = product[ACC_WIDTH-1:0];
                end
            end

            reg [ACC_WIDTH-1:0] acc;
            reg [ACC_WIDTH-1:0] total;
            integer i;
            always @* begin
                total = first_c ? biases[p*ACC_WIDTH +: ACC_WIDTH] : acc;
                for (i = 0; i < SIMD; i = i + 1)
                    total = total + terms[i*ACC_WIDTH +: ACC_WIDTH];
            end
            always @(posedge clk) if (valid_c) acc <= total;

            if (ACT == LENET_ACT_TANH) begin : g_tanh
                wire [TANH_INDEX_BITS-1:0] index;
                lenet_requant #(.ACC_WIDTH(ACC_WIDTH), .SHIFT(SHIFT), .OUT_WIDTH(TANH_INDEX_BITS),
                                .ROUND(ROUND), .SATURATE(LENET_OVERFLOW_SAT), .RELU(0))
                    to_index (.acc(acc), .q(index));
                // Table entry i + 2^(B-1): flipping the sign bit adds the offset.
                wire [TANH_INDEX_BITS-1:0] entry = {~index[TANH_INDEX_BITS-1], index[TANH_INDEX_BITS-2:0]};
                lenet_rom #(.WIDTH(OUT_WIDTH), .DEPTH(1 << TANH_INDEX_BITS), .ADDR_WIDTH(TANH_INDEX_BITS), .FILE(TANH_FILE))
                    table_rom (.clk(clk), .addr(entry), .data(fold_out[p*OUT_WIDTH +: OUT_WIDTH]));
            end else begin : g_requant
                wire [OUT_WIDTH-1:0] q;
                lenet_requant #(.ACC_WIDTH(ACC_WIDTH), .SHIFT(SHIFT), .OUT_WIDTH(OUT_WIDTH),
                                .ROUND(ROUND), .SATURATE(SATURATE), .RELU(ACT == LENET_ACT_RELU ? 1 : 0), .OUT_SIGNED(OUT_SIGNED))
                    requant (.acc(acc), .q(q));
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
