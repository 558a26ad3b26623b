// Trace builds (-DLENET_TRACE, C simulation only) hand every layer's integers to the testbench,
// which lets lenet-hls csim name the first layer, channel, row and column that differ.
#ifndef NNET_TRACE_H_
#define NNET_TRACE_H_

#ifdef LENET_TRACE
#include "nnet_types.h"

void lenet_trace_layer(unsigned layer, const long long *values, unsigned count);

namespace nnet {

template <class T, unsigned N> void trace(unsigned layer, const T (&values)[N]) {
    static long long wide[N];
    for (unsigned i = 0; i < N; i++) wide[i] = to_wide(values[i]);
    lenet_trace_layer(layer, wide, N);
}

} // namespace nnet
#endif

#endif
