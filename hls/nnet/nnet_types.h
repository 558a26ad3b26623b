// Integer types of the LeNet-5 kernels (docs/fixed-point.md §1).
//
// The kernels carry the stored integers q only; the binary point is bookkeeping done by the
// generator. Two type worlds give identical results:
//   * with Xilinx <ap_int.h> (Vitis, or -DLENET_USE_AP_INT with its include path), a W-bit value is
//     ap_int<W>, so synthesis builds datapaths of exactly the qmodel's widths;
//   * otherwise (plain g++ C simulation) it is the smallest standard integer type holding W bits.
// An unsigned ReLU activation ufx<W,F> (q in [0, 2^W - 1]) is ap_uint<W>, or the smallest unsigned
// standard type holding W bits (uint_t<W>); it never enters arithmetic as that type alone: products
// widen it to a signed mult_t first, sums to the signed accum_t, so no unsigned wraparound can occur.
// bit_type holds one stored bit, 0 or 1 (a bipolar weight's s = (q + 1) / 2): ap_uint<1>, or uint8_t.
// Define LENET_NO_AP_INT to force the standard types even where <ap_int.h> is found.
//
// ROM words (rom_word<T>): the weight, bias and tanh ROMs are declared with the element type
// rom_word<T>::type, and every read converts the word to T at the point of use. For synthesis
// (__SYNTHESIS__, where ap_int<W> is the compiler's own W-bit integer) rom_word<T> is T itself, so
// Vitis sees ROMs of exactly the qmodel's widths. In C simulation with the real headers an ap_int<W>
// is a class (ap_private) whose constructors are not constant expressions: a ROM of them is built by
// tens of thousands of dynamic initializers, which took g++ minutes and gigabytes for lenet5 and drew
// -Wuninitialized from ap_private. There rom_word<ap_int<W>> is the smallest standard integer holding
// W bits, whose initializers are constants. The generator writes every ROM integer inside its W-bit
// range, so the conversion to T at the point of use is exact and both worlds read the same values.
#ifndef NNET_TYPES_H_
#define NNET_TYPES_H_

#include <stdint.h>

// Loops carry labels so that Vitis reports name them; g++ would call them unused.
#if defined(__GNUC__) && !defined(__SYNTHESIS__)
#pragma GCC diagnostic ignored "-Wunused-label"
#endif

#if !defined(LENET_USE_AP_INT) && !defined(LENET_NO_AP_INT) && defined(__has_include)
#if __has_include(<ap_int.h>)
#define LENET_USE_AP_INT
#endif
#endif

#ifdef LENET_USE_AP_INT
// ap_private's default constructor clears the unused high bits of a value it has not set yet; g++
// sees that read through every inlined copy and reports -Wuninitialized in the header even from
// -isystem. The value is always assigned right after, so the warning is silenced for the header's
// own lines only: the push/pop region covers nothing but the include.
#if defined(__GNUC__) && !defined(__clang__) && !defined(__SYNTHESIS__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <ap_int.h>
#pragma GCC diagnostic pop
#else
#include <ap_int.h>
#endif
#endif

namespace nnet {

template <bool C, class T, class F> struct select { typedef T type; };
template <class T, class F> struct select<false, T, F> { typedef F type; };

// The smallest standard signed / unsigned integer holding W bits.
template <int W> struct std_int {
    typedef typename select<(W <= 8), int8_t,
            typename select<(W <= 16), int16_t,
            typename select<(W <= 32), int32_t, int64_t>::type>::type>::type type;
};
template <int W> struct std_uint {
    typedef typename select<(W <= 8), uint8_t,
            typename select<(W <= 16), uint16_t,
            typename select<(W <= 32), uint32_t, uint64_t>::type>::type>::type type;
};

#ifdef LENET_USE_AP_INT

template <int W> struct int_of { typedef ap_int<W> type; };
template <int W> struct uint_of { typedef ap_uint<W> type; };
typedef ap_uint<8> pixel_type;
typedef ap_uint<1> bit_type;

// ap_int products grow to the exact width, so this multiply is exact before the narrowing.
template <class R, class A, class B> inline R multiply(const A &a, const B &b) { return R(a * b); }

template <class T> inline long long to_wide(const T &v) { return v.to_int64(); }

// fx<W,F> as a Vitis reader writes it, ap_fixed<W, I> with I = W - F integer bits: the top function's
// score port. It holds the same W bits q as int_t<W>; only its binary point is declared.
template <int W, int I> struct fixed_of { typedef ap_fixed<W, I> type; };

// The stored integer q of an ap_fixed (its W bits, sign-extended), not its value q * 2^-F.
template <int W, int I> inline long long to_wide(const ap_fixed<W, I> &v) {
    const ap_int<W> q = ap_int_base<W, false>(v.range(W - 1, 0));
    return q.to_int64();
}

// A T holding the stored integer q: T(q) for integer types; for ap_fixed the W bits of q, so that the
// value is q * 2^-F exactly, whatever F is (a conversion of q's value would drop or wrap bits).
template <class T> struct from_raw {
    template <class Q> static T apply(const Q &q) { return T(q); }
};
template <int W, int I> struct from_raw<ap_fixed<W, I> > {
    template <class Q> static ap_fixed<W, I> apply(const Q &q) {
        ap_fixed<W, I> v = 0;
        v.setBits(static_cast<unsigned long long>(to_wide(q)));
        return v;
    }
};

#else

template <int W> struct int_of { typedef typename std_int<W>::type type; };
template <int W> struct uint_of { typedef typename std_uint<W>::type type; };
typedef uint8_t pixel_type;
typedef uint8_t bit_type;

// R holds the product's exact width; widening both factors first keeps a 32x32-bit product out of
// int arithmetic, where it would overflow, and an unsigned factor out of unsigned arithmetic, where
// uint32_t * int32_t would wrap modulo 2^32 (R is signed and holds every unsigned input exactly).
template <class R, class A, class B> inline R multiply(const A &a, const B &b) { return R(R(a) * R(b)); }

template <class T> inline long long to_wide(const T &v) { return static_cast<long long>(v); }

template <int W, int I> struct fixed_of { typedef typename int_of<W>::type type; };

template <class T> struct from_raw {
    template <class Q> static T apply(const Q &q) { return T(q); }
};

#endif

// A signed integer of at least W bits: ap_int<W>, or int8_t/int16_t/int32_t/int64_t.
template <int W> struct int_t { typedef typename int_of<W>::type type; };

// An unsigned integer of at least W bits: ap_uint<W>, or uint8_t/uint16_t/uint32_t/uint64_t.
template <int W> struct uint_t { typedef typename uint_of<W>::type type; };

// A signed fx<W, W - I> port value: ap_fixed<W, I>, or the integer int_t<W> holding the same bits q.
template <int W, int I> struct fixed_t { typedef typename fixed_of<W, I>::type type; };

// The element type of a ROM whose values are Ts (see the head of this file): T itself, except an
// ap_int<W> / ap_uint<W> in C simulation, which is stored as the smallest standard integer holding it.
template <class T> struct rom_word { typedef T type; };
#if defined(LENET_USE_AP_INT) && !defined(__SYNTHESIS__)
template <int W> struct rom_word<ap_int<W> > { typedef typename std_int<W>::type type; };
template <int W> struct rom_word<ap_uint<W> > { typedef typename std_uint<W>::type type; };
#endif

} // namespace nnet

#endif
