// Conv2D with an optional connection table, fused requantization and activation
// (docs/fixed-point.md §3-§5). Activations are HWC (channel fastest), weights are
// [kernel*kernel*n_chan][n_filt] (= [kh][kw][in][out] with the output channel fastest).
//
// Schedule: for every output pixel, each tap (ky, kx, ci) is read once and multiplied by
// CONFIG::parallel weights per cycle. The weight ROM is partitioned cyclically by the same factor
// in the top function, so those weights sit in different banks; parallel divides n_filt.
#ifndef NNET_CONV2D_H_
#define NNET_CONV2D_H_

#include "nnet_mult.h"
#include "nnet_requant.h"

namespace nnet {

template <class CONFIG>
void conv2d(const typename CONFIG::input_t input[CONFIG::in_height * CONFIG::in_width * CONFIG::n_chan],
            typename CONFIG::result_t output[CONFIG::out_height * CONFIG::out_width * CONFIG::n_filt],
            const typename rom_word<typename CONFIG::weight_t>::type weights[CONFIG::kernel * CONFIG::kernel * CONFIG::n_chan][CONFIG::n_filt],
            const typename rom_word<typename CONFIG::bias_t>::type biases[CONFIG::n_filt]) {
    typedef typename CONFIG::input_t input_t;
    typedef typename CONFIG::accum_t accum_t;
    typedef typename CONFIG::weight_t weight_t;
    typedef typename CONFIG::bias_t bias_t;
    const unsigned parallel = CONFIG::parallel;
    const unsigned groups = CONFIG::n_filt / CONFIG::parallel;

    accum_t acc[CONFIG::n_filt];
#pragma HLS ARRAY_PARTITION variable=acc cyclic factor=parallel

ConvRow:
    for (unsigned oy = 0; oy < CONFIG::out_height; oy++) {
    ConvCol:
        for (unsigned ox = 0; ox < CONFIG::out_width; ox++) {
        ConvBias:
            for (unsigned co = 0; co < CONFIG::n_filt; co++) {
#pragma HLS PIPELINE II=1
                acc[co] = accum_t(bias_t(biases[co]));
            }
        ConvKy:
            for (unsigned ky = 0; ky < CONFIG::kernel; ky++) {
            ConvKx:
                for (unsigned kx = 0; kx < CONFIG::kernel; kx++) {
                ConvIn:
                    for (unsigned ci = 0; ci < CONFIG::n_chan; ci++) {
                    ConvGroup:
                        for (unsigned g = 0; g < groups; g++) {
#pragma HLS PIPELINE II=1
                            // Zero padding: taps outside the input contribute q_x = 0.
                            const int iy = int(oy * CONFIG::stride + ky) - int(CONFIG::pad);
                            const int ix = int(ox * CONFIG::stride + kx) - int(CONFIG::pad);
                            const bool inside = iy >= 0 && iy < int(CONFIG::in_height) && ix >= 0 && ix < int(CONFIG::in_width);
                            const input_t x = inside ? input[(unsigned(iy) * CONFIG::in_width + unsigned(ix)) * CONFIG::n_chan + ci] : input_t(0);
                            const unsigned tap = (ky * CONFIG::kernel + kx) * CONFIG::n_chan + ci;
                        ConvMac:
                            for (unsigned u = 0; u < parallel; u++) {
#pragma HLS UNROLL
                                const unsigned co = g * parallel + u;
                                // Unconnected pairs hold weight 0; skipping them leaves the sum unchanged.
                                if (!CONFIG::has_connections || CONFIG::connected(ci, co))
                                    acc[co] = accum_t(acc[co] + product<CONFIG>(x, weight_t(weights[tap][co])));
                            }
                        }
                    }
                }
            }
            const unsigned base = (oy * CONFIG::out_width + ox) * CONFIG::n_filt;
        ConvOut:
            for (unsigned co = 0; co < CONFIG::n_filt; co++) {
#pragma HLS PIPELINE II=1
                output[base + co] = activation<CONFIG, CONFIG::activation>::apply(to_wide(acc[co]));
            }
        }
    }
}

} // namespace nnet

#endif
