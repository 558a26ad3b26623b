// Debug build only: one layer's output pixel with every channel extended to 32 bits, so the
// co-simulation harness can record each layer's outputs and name the first layer that differs.
// SIGNED 1 sign-extends; SIGNED 0 (unsigned ufx data, docs/fixed-point.md section 1) zero-extends,
// so the words equal the golden model's integers either way.
`default_nettype none
module lenet_debug_tap #(
    parameter CHANNELS = 1,
    parameter ELEM_WIDTH = 8,
    parameter SIGNED = 1
) (
    input  wire [CHANNELS*ELEM_WIDTH-1:0] pixel,
    output wire [CHANNELS*32-1:0]         words
);
    genvar c;
    generate
        for (c = 0; c < CHANNELS; c = c + 1) begin : g_channel
            wire [ELEM_WIDTH-1:0] elem = pixel[c*ELEM_WIDTH +: ELEM_WIDTH];
            if (ELEM_WIDTH < 32) begin : g_extend
                wire fill = SIGNED != 0 ? elem[ELEM_WIDTH-1] : 1'b0;
                assign words[c*32 +: 32] = {{(32-ELEM_WIDTH){fill}}, elem};
            end else begin : g_same
                assign words[c*32 +: 32] = elem;
            end
        end
    endgenerate
endmodule
`default_nettype wire
