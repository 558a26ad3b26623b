// The top function's AXI-Stream ports are read and written strictly in order, once per element,
// so the layers work on local copies.
#ifndef NNET_STREAM_H_
#define NNET_STREAM_H_

namespace nnet {

template <class T, unsigned N> void read_stream(const T in[N], T out[N]) {
ReadStream:
    for (unsigned i = 0; i < N; i++) {
#pragma HLS PIPELINE II=1
        out[i] = in[i];
    }
}

template <class T, unsigned N> void write_stream(const T in[N], T out[N]) {
WriteStream:
    for (unsigned i = 0; i < N; i++) {
#pragma HLS PIPELINE II=1
        out[i] = in[i];
    }
}

} // namespace nnet

#endif
