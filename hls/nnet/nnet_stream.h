// The top function's AXI-Stream ports are read and written strictly in order, once per element,
// so the layers work on local copies.
#ifndef NNET_STREAM_H_
#define NNET_STREAM_H_

#include "nnet_types.h"

namespace nnet {

template <class T, unsigned N> void read_stream(const T in[N], T out[N]) {
ReadStream:
    for (unsigned i = 0; i < N; i++) {
#pragma HLS PIPELINE II=1
        out[i] = in[i];
    }
}

// OUT may be the port's ap_fixed<W, I> while IN is the last layer's integer q: the bits are copied.
template <class OUT, unsigned N, class IN> void write_stream(const IN in[N], OUT out[N]) {
WriteStream:
    for (unsigned i = 0; i < N; i++) {
#pragma HLS PIPELINE II=1
        out[i] = from_raw<OUT>::apply(in[i]);
    }
}

} // namespace nnet

#endif
