// Dense layer with fused requantization and activation (docs/fixed-point.md §3-§5). The input is
// the previous tensor flattened in HWC order; weights are [n_in][n_out], output unit fastest.
// CONFIG::parallel multipliers work per cycle on weights of one input, read from a ROM partitioned
// cyclically by that factor in the top function; parallel divides n_out.
#ifndef NNET_DENSE_H_
#define NNET_DENSE_H_

#include "nnet_mult.h"
#include "nnet_requant.h"

namespace nnet {

template <class CONFIG>
void dense(const typename CONFIG::input_t input[CONFIG::n_in],
           typename CONFIG::result_t output[CONFIG::n_out],
           const typename rom_word<typename CONFIG::weight_t>::type weights[CONFIG::n_in][CONFIG::n_out],
           const typename rom_word<typename CONFIG::bias_t>::type biases[CONFIG::n_out]) {
    typedef typename CONFIG::input_t input_t;
    typedef typename CONFIG::accum_t accum_t;
    typedef typename CONFIG::weight_t weight_t;
    typedef typename CONFIG::bias_t bias_t;
    const unsigned parallel = CONFIG::parallel;
    const unsigned groups = CONFIG::n_out / CONFIG::parallel;

    accum_t acc[CONFIG::n_out];
#pragma HLS ARRAY_PARTITION variable=acc cyclic factor=parallel

DenseBias:
    for (unsigned co = 0; co < CONFIG::n_out; co++) {
#pragma HLS PIPELINE II=1
        acc[co] = accum_t(bias_t(biases[co]));
    }
DenseIn:
    for (unsigned i = 0; i < CONFIG::n_in; i++) {
    DenseGroup:
        for (unsigned g = 0; g < groups; g++) {
#pragma HLS PIPELINE II=1
            const input_t x = input[i];
        DenseMac:
            for (unsigned u = 0; u < parallel; u++) {
#pragma HLS UNROLL
                const unsigned co = g * parallel + u;
                acc[co] = accum_t(acc[co] + product<CONFIG>(x, weight_t(weights[i][co])));
            }
        }
    }
DenseOut:
    for (unsigned co = 0; co < CONFIG::n_out; co++) {
#pragma HLS PIPELINE II=1
        output[co] = activation<CONFIG, CONFIG::activation>::apply(to_wide(acc[co]));
    }
}

} // namespace nnet

#endif
