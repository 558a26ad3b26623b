// Ping-pong feature-map buffer between two layers. One slot is written (image n+1) while the other
// is read (image n). Rows are spread over BANKS memories by virtual row v = y + PAD (bank v % BANKS),
// so the reader gets one whole window column (BANKS rows) per cycle. Each word is one pixel:
// CHANNELS elements of ELEM_WIDTH bits, channel c at bits [c*ELEM_WIDTH +: ELEM_WIDTH].
// Reads outside the image (zero padding) return 0. Read latency: one cycle.
`default_nettype none
module lenet_fmap_buffer #(
    parameter BANKS = 1,
    parameter PAD = 0,
    parameter HEIGHT = 1,
    parameter WIDTH = 1,
    parameter CHANNELS = 1,
    parameter ELEM_WIDTH = 8,
    parameter COORD_WIDTH = 8
) (
    input  wire                              clk,
    input  wire                              rst,
    // producer: writes pixel (wr_y, wr_x) of the image in the write slot; commit hands the slot over
    input  wire                              wr_en,
    input  wire [COORD_WIDTH-1:0]            wr_y,
    input  wire [COORD_WIDTH-1:0]            wr_x,
    input  wire [CHANNELS*ELEM_WIDTH-1:0]    wr_data,
    input  wire                              wr_commit,
    output wire                              wr_ready,
    output wire                              wr_spare,
    // consumer: reads virtual rows rd_v .. rd_v+BANKS-1 at virtual column rd_u; release frees the slot
    output wire                              rd_avail,
    input  wire [COORD_WIDTH-1:0]            rd_v,
    input  wire [COORD_WIDTH-1:0]            rd_u,
    output wire [BANKS*CHANNELS*ELEM_WIDTH-1:0] rd_column,
    input  wire                              rd_release
);
    localparam PIXEL_WIDTH = CHANNELS * ELEM_WIDTH;
    localparam BANK_ROWS = (HEIGHT + PAD - 1) / BANKS + 1;
    localparam SLOT_DEPTH = BANK_ROWS * WIDTH;
    localparam DEPTH = 2 * SLOT_DEPTH;
    localparam ADDR_WIDTH = $clog2(DEPTH) < 1 ? 1 : $clog2(DEPTH);
    localparam BANK_WIDTH = $clog2(BANKS) < 1 ? 1 : $clog2(BANKS);
    localparam COORDS = 1 << COORD_WIDTH;
    // One bit wider than the wider operand, so both zero-extensions below are at least one bit.
    localparam SUM_WIDTH = (ADDR_WIDTH > COORD_WIDTH ? ADDR_WIDTH : COORD_WIDTH) + 1;

    reg [1:0] full;
    reg       wr_slot;
    reg       rd_slot;

    // The slots are named one by one, not indexed by wr_slot/rd_slot: yosys lowers a variable index
    // into a two-bit register through 32-bit offset arithmetic, a long carry chain for one bit.
    assign wr_ready = wr_slot ? !full[1] : !full[0];
    // The slot after the current one is free too: a producer may start its next image early.
    assign wr_spare = wr_slot ? !full[0] : !full[1];
    assign rd_avail = rd_slot ? full[1] : full[0];

    always @(posedge clk) begin
        if (wr_commit) begin
            if (wr_slot) full[1] <= 1'b1; else full[0] <= 1'b1;
            wr_slot <= !wr_slot;
        end
        if (rd_release) begin
            if (rd_slot) full[1] <= 1'b0; else full[0] <= 1'b0;
            rd_slot <= !rd_slot;
        end
        if (rst) begin
            full <= 2'b00;
            wr_slot <= 1'b0;
            rd_slot <= 1'b0;
        end
    end

    // Address tables, filled at elaboration and read as small ROMs (a few LUT levels), so no divider,
    // modulo or constant multiplier sits in an address path: virtual row v = y + PAD lives in bank
    // v % BANKS at bank row v / BANKS, whose first word in slot s is s*SLOT_DEPTH + (v / BANKS)*WIDTH.
    // Indexed by {slot, coordinate}; entries past the image are never used for a write and are masked
    // on a read. Arithmetic is done in 32 bits and cut to the table's width.
    reg [BANK_WIDTH-1:0] wr_bank_of [0:COORDS-1];
    reg [ADDR_WIDTH-1:0] wr_base_of [0:2*COORDS-1];
    reg                  column_inside [0:COORDS-1];
    integer i;
    /* verilator lint_off UNUSEDSIGNAL */ // table arithmetic in 32 bits, cut to width
    reg [31:0] value;
    /* verilator lint_on UNUSEDSIGNAL */
    initial begin
        for (i = 0; i < COORDS; i = i + 1) begin
            value = (i + PAD) % BANKS;
            wr_bank_of[i] = value[BANK_WIDTH-1:0];
            // Columns left of the image wrap around to large values, so one comparison covers both sides.
            value = i - PAD;
            column_inside[i] = value[COORD_WIDTH-1:0] < WIDTH;
        end
        for (i = 0; i < 2*COORDS; i = i + 1) begin
            value = (i / COORDS) * SLOT_DEPTH + (((i % COORDS) + PAD) / BANKS) * WIDTH;
            wr_base_of[i] = value[ADDR_WIDTH-1:0];
        end
    end

    wire [BANK_WIDTH-1:0] wr_bank = wr_bank_of[wr_y];
    wire [ADDR_WIDTH-1:0] wr_base = wr_base_of[{wr_slot, wr_y}];
    // Addresses are summed in SUM_WIDTH bits (no wider than the operands, so the carry chain stays
    // short) and cut to ADDR_WIDTH; the bits above are always zero.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [SUM_WIDTH-1:0] wr_addr_wide = {{(SUM_WIDTH-ADDR_WIDTH){1'b0}}, wr_base} + {{(SUM_WIDTH-COORD_WIDTH){1'b0}}, wr_x};
    /* verilator lint_on UNUSEDSIGNAL */
    wire [ADDR_WIDTH-1:0] wr_addr = wr_addr_wide[ADDR_WIDTH-1:0];

    wire rd_u_inside = column_inside[rd_u];

    // Each bank's word as read, and whether the word it is reading now lies inside the image.
    wire [BANKS*PIXEL_WIDTH-1:0] bank_words;
    wire [BANKS-1:0]             bank_inside;

    genvar b;
    generate
        for (b = 0; b < BANKS; b = b + 1) begin : g_bank
            reg [PIXEL_WIDTH-1:0] mem [0:DEPTH-1];
            reg [PIXEL_WIDTH-1:0] q;
            // Window rows rd_v .. rd_v + BANKS - 1: this bank holds the one with v % BANKS == b, at
            // v = rd_v + (b - rd_v % BANKS) mod BANKS. Its base folds in the slot and -PAD for the column.
            reg [ADDR_WIDTH-1:0] rd_base_of [0:2*COORDS-1];
            reg                  row_inside [0:COORDS-1];
            integer j;
            /* verilator lint_off UNUSEDSIGNAL */ // table arithmetic in 32 bits, cut to width
            reg [31:0] row;
            reg [31:0] base;
            /* verilator lint_on UNUSEDSIGNAL */
            initial begin
                for (j = 0; j < COORDS; j = j + 1) begin
                    row = j + (b + BANKS - j % BANKS) % BANKS;
                    // Rows above the image wrap around to large values, so one comparison covers both sides.
                    base = row - PAD;
                    row_inside[j] = base[COORD_WIDTH-1:0] < HEIGHT && row < COORDS;
                end
                for (j = 0; j < 2*COORDS; j = j + 1) begin
                    row = (j % COORDS) + (b + BANKS - (j % COORDS) % BANKS) % BANKS;
                    base = (j / COORDS) * SLOT_DEPTH + (row / BANKS) * WIDTH - PAD;
                    rd_base_of[j] = base[ADDR_WIDTH-1:0];
                end
            end
            localparam [BANK_WIDTH-1:0] BANK_ID = b;
            wire [ADDR_WIDTH-1:0] rd_base = rd_base_of[{rd_slot, rd_v}];
            /* verilator lint_off UNUSEDSIGNAL */
            wire [SUM_WIDTH-1:0] addr_wide = {{(SUM_WIDTH-ADDR_WIDTH){1'b0}}, rd_base} + {{(SUM_WIDTH-COORD_WIDTH){1'b0}}, rd_u};
            /* verilator lint_on UNUSEDSIGNAL */

            always @(posedge clk) begin
                if (wr_en && wr_bank == BANK_ID)
                    mem[wr_addr] <= wr_data;
                q <= mem[addr_wide[ADDR_WIDTH-1:0]];
            end

            assign bank_words[b*PIXEL_WIDTH +: PIXEL_WIDTH] = q;
            assign bank_inside[b] = row_inside[rd_v] && rd_u_inside;
        end
    endgenerate

    // Window row r comes from bank (rd_v % BANKS + r) % BANKS. That choice, with the padding mask folded
    // in, is made when the read is issued and registered one-hot beside the words, so that after the
    // memories only an AND-OR of BANKS words remains: no bank-index arithmetic, no wide multiplexer.
    genvar r;
    generate
        for (r = 0; r < BANKS; r = r + 1) begin : g_row
            reg [BANKS-1:0] takes_bank_of [0:COORDS-1];
            integer f;
            /* verilator lint_off UNUSEDSIGNAL */ // table arithmetic in 32 bits, cut to width
            reg [31:0] one_hot;
            /* verilator lint_on UNUSEDSIGNAL */
            initial for (f = 0; f < COORDS; f = f + 1) begin
                one_hot = 32'd1 << ((f % BANKS + r) % BANKS);
                takes_bank_of[f] = one_hot[BANKS-1:0];
            end
            reg [BANKS-1:0] takes_bank;
            always @(posedge clk) takes_bank <= takes_bank_of[rd_v] & bank_inside;

            reg [PIXEL_WIDTH-1:0] picked;
            integer k;
            always @* begin
                picked = {PIXEL_WIDTH{1'b0}};
                for (k = 0; k < BANKS; k = k + 1)
                    picked = picked | ({PIXEL_WIDTH{takes_bank[k]}} & bank_words[k*PIXEL_WIDTH +: PIXEL_WIDTH]);
            end
            assign rd_column[r*PIXEL_WIDTH +: PIXEL_WIDTH] = picked;
        end
    endgenerate
endmodule
`default_nettype wire
