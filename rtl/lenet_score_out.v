// Reads each image's score vector (one word of CLASSES elements) from the last buffer and sends
// the elements, extended to DATA_WIDTH bits, one per beat towards the scores AXI-Stream. ELEM_SIGNED 1
// sign-extends; ELEM_SIGNED 0 (unsigned ufx scores, docs/fixed-point.md section 1) zero-extends.
`default_nettype none
module lenet_score_out #(
    parameter CLASSES = 10,
    parameter ELEM_WIDTH = 8,
    parameter DATA_WIDTH = 8,
    parameter ELEM_SIGNED = 1
) (
    input  wire                           clk,
    input  wire                           rst,
    input  wire                           rd_avail,
    input  wire [CLASSES*ELEM_WIDTH-1:0]  rd_column,
    output wire                           rd_release,
    output wire [DATA_WIDTH-1:0]          m_data,
    output wire                           m_valid,
    input  wire                           m_ready
);
    localparam COUNT_WIDTH = $clog2(CLASSES + 1);
    localparam [COUNT_WIDTH-1:0] CLASSES_C = CLASSES;

    reg                         fetching;
    reg                         sending;
    reg [CLASSES*ELEM_WIDTH-1:0] scores;
    reg [COUNT_WIDTH-1:0]       sent;

    // The buffer's read data is valid the cycle after the slot became available.
    assign rd_release = fetching;
    wire [ELEM_WIDTH-1:0] current = scores[ELEM_WIDTH-1:0];
    generate
        if (DATA_WIDTH > ELEM_WIDTH) begin : g_extend
            wire fill = ELEM_SIGNED != 0 ? current[ELEM_WIDTH-1] : 1'b0;
            assign m_data = {{(DATA_WIDTH-ELEM_WIDTH){fill}}, current};
        end else begin : g_same
            assign m_data = current;
        end
    endgenerate
    assign m_valid = sending;

    always @(posedge clk) begin
        fetching <= 1'b0;
        if (!fetching && !sending && rd_avail) fetching <= 1'b1;
        if (fetching) begin
            scores <= rd_column;
            sending <= 1'b1;
            sent <= 0;
        end
        if (sending && m_ready) begin
            scores <= scores >> ELEM_WIDTH;
            sent <= sent + 1'b1;
            if (sent == CLASSES_C - 1) sending <= 1'b0;
        end
        if (rst) begin
            fetching <= 1'b0;
            sending <= 1'b0;
        end
    end
endmodule
`default_nettype wire
