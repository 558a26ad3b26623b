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

    localparam [COORD_WIDTH-1:0] PAD_C = PAD;
    localparam [COORD_WIDTH-1:0] BANKS_C = BANKS;
    localparam [COORD_WIDTH-1:0] HEIGHT_C = HEIGHT;
    localparam [COORD_WIDTH-1:0] WIDTH_C = WIDTH;
    localparam [31:0] SLOT_DEPTH_C = SLOT_DEPTH;
    localparam [31:0] WIDTH_32 = WIDTH;

    reg [1:0] full;
    reg       wr_slot;
    reg       rd_slot;

    assign wr_ready = !full[wr_slot];
    // The slot after the current one is free too: a producer may start its next image early.
    assign wr_spare = !full[!wr_slot];
    assign rd_avail = full[rd_slot];

    always @(posedge clk) begin
        if (wr_commit) begin
            full[wr_slot] <= 1'b1;
            wr_slot <= !wr_slot;
        end
        if (rd_release) begin
            full[rd_slot] <= 1'b0;
            rd_slot <= !rd_slot;
        end
        if (rst) begin
            full <= 2'b00;
            wr_slot <= 1'b0;
            rd_slot <= 1'b0;
        end
    end

    // Write address: virtual row v = y + PAD lives in bank v % BANKS, bank row v / BANKS.
    wire [COORD_WIDTH-1:0] wr_v = wr_y + PAD_C;
    wire [COORD_WIDTH-1:0] wr_bank = wr_v % BANKS_C;
    wire [COORD_WIDTH-1:0] wr_bank_row = wr_v / BANKS_C;
    // Addresses are formed in 32 bits and cut to ADDR_WIDTH; the high bits are always zero.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [31:0] wr_addr_wide = (wr_slot ? SLOT_DEPTH_C : 32'd0) + {{(32-COORD_WIDTH){1'b0}}, wr_bank_row} * WIDTH_32
                             + {{(32-COORD_WIDTH){1'b0}}, wr_x};
    /* verilator lint_on UNUSEDSIGNAL */
    wire [ADDR_WIDTH-1:0] wr_addr = wr_addr_wide[ADDR_WIDTH-1:0];

    wire [COORD_WIDTH-1:0] rd_first_bank = rd_v % BANKS_C;
    wire [COORD_WIDTH-1:0] rd_x = rd_u - PAD_C;
    // Columns left of the image wrap around to large values, so one comparison covers both sides.
    wire rd_u_inside = rd_x < WIDTH_C;

    wire [BANKS*PIXEL_WIDTH-1:0] bank_pixels;

    genvar b;
    generate
        for (b = 0; b < BANKS; b = b + 1) begin : g_bank
            reg [PIXEL_WIDTH-1:0] mem [0:DEPTH-1];
            reg [PIXEL_WIDTH-1:0] q;
            reg                   in_image;
            // Window row i of this bank: (b - first) mod BANKS; its virtual row is rd_v + i.
            localparam [COORD_WIDTH-1:0] BANK_ID = b;
            wire [COORD_WIDTH-1:0] row_in_window = BANK_ID >= rd_first_bank
                ? BANK_ID - rd_first_bank
                : BANK_ID + BANKS_C - rd_first_bank;
            wire [COORD_WIDTH-1:0] v = rd_v + row_in_window;
            wire [COORD_WIDTH-1:0] bank_row = v / BANKS_C;
            /* verilator lint_off UNUSEDSIGNAL */
            wire [31:0] addr_wide = (rd_slot ? SLOT_DEPTH_C : 32'd0) + {{(32-COORD_WIDTH){1'b0}}, bank_row} * WIDTH_32
                                  + {{(32-COORD_WIDTH){1'b0}}, rd_x};
            /* verilator lint_on UNUSEDSIGNAL */
            // Rows above the image wrap around to large values, so one comparison covers both sides.
            wire [COORD_WIDTH-1:0] y = v - PAD_C;
            wire v_inside = y < HEIGHT_C;

            always @(posedge clk) begin
                if (wr_en && wr_bank == BANK_ID)
                    mem[wr_addr] <= wr_data;
                q <= mem[addr_wide[ADDR_WIDTH-1:0]];
                in_image <= v_inside && rd_u_inside;
            end

            assign bank_pixels[b*PIXEL_WIDTH +: PIXEL_WIDTH] = in_image ? q : {PIXEL_WIDTH{1'b0}};
        end
    endgenerate

    // Window row r comes from bank (first + r) % BANKS, as it was when the read was issued.
    reg [COORD_WIDTH-1:0] first_bank_q;
    always @(posedge clk) first_bank_q <= rd_first_bank;

    genvar r;
    generate
        for (r = 0; r < BANKS; r = r + 1) begin : g_row
            localparam [COORD_WIDTH-1:0] ROW_ID = r;
            wire [COORD_WIDTH-1:0] bank_sum = first_bank_q + ROW_ID;
            wire [COORD_WIDTH-1:0] bank = bank_sum >= BANKS_C ? bank_sum - BANKS_C : bank_sum;
            assign rd_column[r*PIXEL_WIDTH +: PIXEL_WIDTH] = bank_pixels[bank*PIXEL_WIDTH +: PIXEL_WIDTH];
        end
    endgenerate
endmodule
`default_nettype wire
