// The product q_w * q_x of a Conv2D or Dense MAC (docs/fixed-point.md §1, §3), chosen per layer by
// its weight width, like hls4ml's nnet::product::mult and nnet::product::weight_binary:
//   * W >= 2: the ROM holds the two's complement q_w and a multiplier forms the product;
//   * W == 1 (bipolar): the ROM holds the bit s = (q_w + 1) / 2 and the product is s ? x : -x, a
//     conditional negation instead of a multiplier.
// The generated config names the layer's weight_of<W>::type as weight_t and weight_of<W>::product as
// product, so the ROM's element type and the MAC always agree.
#ifndef NNET_MULT_H_
#define NNET_MULT_H_

#include "nnet_types.h"

namespace nnet {

// R is the config's mult_t: W_w + W_x bits for a signed x, W_w + W_x + 1 for an unsigned one (x
// zero-extended to a signed W_x + 1 bits, docs/fixed-point.md §3), so the product is exact.
struct product_multiply {
    template <class R, class X, class W> static R apply(const X &x, const W &w) {
#pragma HLS INLINE
        return multiply<R>(x, w);
    }
};

// R is the config's mult_t, one bit wider than x (W_x + 1 bits): x is widened first, so that
// negating the most negative signed x, -2^(W_x-1), gives 2^(W_x-1) exactly instead of wrapping, and
// an unsigned x in [0, 2^W_x - 1] becomes a signed value whose negation -x fits as well.
struct product_bipolar {
    template <class R, class X, class W> static R apply(const X &x, const W &s) {
#pragma HLS INLINE
        const R v = R(x);
        return to_wide(s) != 0 ? v : R(-v);
    }
};

template <int W> struct weight_of {
    typedef typename int_t<W>::type type;
    typedef product_multiply product;
};

template <> struct weight_of<1> {
    typedef bit_type type;
    typedef product_bipolar product;
};

// The one MAC product both kernels use: CONFIG::product at the exact width CONFIG::mult_t.
template <class CONFIG, class X, class W> inline typename CONFIG::mult_t product(const X &x, const W &w) {
    return CONFIG::product::template apply<typename CONFIG::mult_t>(x, w);
}

} // namespace nnet

#endif
