// Max and average pooling, k x k windows, no padding, HWC layout (docs/fixed-point.md §6).
#ifndef NNET_POOL_H_
#define NNET_POOL_H_

#include "nnet_requant.h"

namespace nnet {

// The exact maximum of the window; the output format equals the input format. input_t is the
// tensor's own type, signed or unsigned (ufx<W,F>: ap_uint<W> / uintN_t), so the comparison is of
// like with like and a value >= 2^(W-1) of an unsigned tensor stays the large positive number it is.
template <class CONFIG>
void max_pool2d(const typename CONFIG::input_t input[CONFIG::in_height * CONFIG::in_width * CONFIG::n_chan],
                typename CONFIG::result_t output[CONFIG::out_height * CONFIG::out_width * CONFIG::n_chan]) {
    typedef typename CONFIG::input_t input_t;
MaxRow:
    for (unsigned oy = 0; oy < CONFIG::out_height; oy++) {
    MaxCol:
        for (unsigned ox = 0; ox < CONFIG::out_width; ox++) {
        MaxChan:
            for (unsigned c = 0; c < CONFIG::n_chan; c++) {
#pragma HLS PIPELINE II=1
                input_t best = input[((oy * CONFIG::stride) * CONFIG::in_width + ox * CONFIG::stride) * CONFIG::n_chan + c];
            MaxWindow:
                for (unsigned k = 1; k < CONFIG::kernel * CONFIG::kernel; k++) {
                    const unsigned iy = oy * CONFIG::stride + k / CONFIG::kernel;
                    const unsigned ix = ox * CONFIG::stride + k % CONFIG::kernel;
                    const input_t v = input[(iy * CONFIG::in_width + ix) * CONFIG::n_chan + c];
                    if (v > best) best = v;
                }
                output[(oy * CONFIG::out_width + ox) * CONFIG::n_chan + c] = typename CONFIG::result_t(best);
            }
        }
    }
}

// The exact window sum in fx<W_acc, F_in + log2(k*k)>, requantized to the output format (§4).
template <class CONFIG>
void avg_pool2d(const typename CONFIG::input_t input[CONFIG::in_height * CONFIG::in_width * CONFIG::n_chan],
                typename CONFIG::result_t output[CONFIG::out_height * CONFIG::out_width * CONFIG::n_chan]) {
    typedef typename CONFIG::accum_t accum_t;
AvgRow:
    for (unsigned oy = 0; oy < CONFIG::out_height; oy++) {
    AvgCol:
        for (unsigned ox = 0; ox < CONFIG::out_width; ox++) {
        AvgChan:
            for (unsigned c = 0; c < CONFIG::n_chan; c++) {
#pragma HLS PIPELINE II=1
                accum_t sum = 0;
            AvgWindow:
                for (unsigned k = 0; k < CONFIG::kernel * CONFIG::kernel; k++) {
                    const unsigned iy = oy * CONFIG::stride + k / CONFIG::kernel;
                    const unsigned ix = ox * CONFIG::stride + k % CONFIG::kernel;
                    // Widened first: a uint32_t input would otherwise pull the sum into unsigned arithmetic.
                    sum = accum_t(sum + accum_t(input[(iy * CONFIG::in_width + ix) * CONFIG::n_chan + c]));
                }
                output[(oy * CONFIG::out_width + ox) * CONFIG::n_chan + c] = activation<CONFIG, ACT_NONE>::apply(to_wide(sum));
            }
        }
    }
}

} // namespace nnet

#endif
