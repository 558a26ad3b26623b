// Requantization and fused activations, rule for rule as docs/fixed-point.md §4 and §5 state.
// Every intermediate is a 64-bit long long; the qmodel guarantees W_acc + max(0, -s) <= 62, so all
// of them are exact. Right shifts of negative values are arithmetic (floor), as g++, clang and
// Vitis HLS implement them.
#ifndef NNET_REQUANT_H_
#define NNET_REQUANT_H_

#include "nnet_types.h"

namespace nnet {

enum rounding_mode { ROUND_HALF_UP, TRUNCATE, ROUND_HALF_EVEN };  // qmodel rnd, trn, rnd_conv
enum overflow_mode { SATURATE, WRAP };                             // qmodel sat, wrap
enum activation_kind { ACT_NONE, ACT_RELU, ACT_TANH };

// §4.1/4.2: divide by 2^S with the rounding mode (S > 0) or multiply by 2^-S exactly (S <= 0).
template <int S, rounding_mode R> inline long long shift_round(long long acc) {
    // Both shift amounts are non-negative so that no branch shifts by a negative count.
    const int right = S > 0 ? S : 0;
    const int left = S < 0 ? -S : 0;
    if (S <= 0) return acc * (1LL << left);
    if (R == TRUNCATE) return acc >> right;
    const long long half = (1LL << right) >> 1;
    if (R == ROUND_HALF_UP) return (acc + half) >> right;
    const long long t = acc >> right;
    const long long r = acc - t * (1LL << right);
    return (r > half || (r == half && (t & 1) != 0)) ? t + 1 : t;
}

// §4.3, saturate: clamp into the signed W-bit range.
template <int W> inline long long saturate(long long t) {
    const long long max = (1LL << (W - 1)) - 1;
    const long long min = -max - 1;
    return t > max ? max : (t < min ? min : t);
}

// §4.3, wrap: the low W bits of t, sign-extended. Written with unsigned masks so that it is
// well-defined C++, and equal to what narrowing to ap_int<W> does.
template <int W> inline long long wrap(long long t) {
    const unsigned long long mask = (1ULL << W) - 1;
    const long long low = static_cast<long long>(static_cast<unsigned long long>(t) & mask);
    return low > (1LL << (W - 1)) - 1 ? low - (1LL << W) : low;
}

template <int S, int W, rounding_mode R, overflow_mode O> inline long long requantize(long long acc) {
    const long long t = shift_round<S, R>(acc);
    return O == SATURATE ? saturate<W>(t) : wrap<W>(t);
}

// §5: the activation fused after a Conv2D or Dense accumulator. CONFIG supplies shift, out_bits,
// rounding, overflow and, for tanh, tanh_index_bits and tanh_lookup(k). out_bits is the output's
// arithmetic width: W, or W + 1 for an unsigned ufx<W,F> (§1), whose relu then makes the result
// clamp(shift(acc), 0, 2^W - 1), which its W-bit unsigned result_t holds exactly.
template <class CONFIG, activation_kind A> struct activation;

template <class CONFIG> struct activation<CONFIG, ACT_NONE> {
    static typename CONFIG::result_t apply(long long acc) {
        return typename CONFIG::result_t(
            requantize<CONFIG::shift, CONFIG::out_bits, CONFIG::rounding, CONFIG::overflow>(acc));
    }
};

template <class CONFIG> struct activation<CONFIG, ACT_RELU> {
    static typename CONFIG::result_t apply(long long acc) {
        const long long q = requantize<CONFIG::shift, CONFIG::out_bits, CONFIG::rounding, CONFIG::overflow>(acc);
        return typename CONFIG::result_t(q < 0 ? 0 : q);
    }
};

// The table index always saturates: the wrap mode never applies to an index.
template <class CONFIG> struct activation<CONFIG, ACT_TANH> {
    static typename CONFIG::result_t apply(long long acc) {
        const long long index = saturate<CONFIG::tanh_index_bits>(shift_round<CONFIG::shift, CONFIG::rounding>(acc));
        return CONFIG::tanh_lookup(static_cast<unsigned>(index + (1LL << (CONFIG::tanh_index_bits - 1))));
    }
};

} // namespace nnet

#endif
