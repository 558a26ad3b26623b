// A small model of Xilinx's ap_int.h for testing the kernels' LENET_USE_AP_INT path without Vitis.
// It keeps the semantics the kernels depend on: a W-bit value wraps on every narrowing, products
// grow to W1+W2 bits (signed when either factor is), sums of signed values to max(W1,W2)+1 bits,
// negation to W+1 bits, >> is arithmetic, ap_uint<W> holds 0 .. 2^W - 1 and compares as unsigned. It is stricter than the real header (no implicit conversion to built-in integers), so
// code that compiles here does not lean on conversions that could hide a narrowing. Constructors are constexpr so that the
// weight ROMs are constant-initialized, which keeps g++ fast on them.
#ifndef AP_INT_MODEL_H
#define AP_INT_MODEL_H

namespace ap_model {
constexpr long long wrap(long long x, int w, bool is_signed) {
    if (w >= 64) return x;
    const unsigned long long mask = (1ULL << w) - 1;
    const unsigned long long u = static_cast<unsigned long long>(x) & mask;
    if (is_signed && ((u >> (w - 1)) & 1ULL)) return static_cast<long long>(u | ~mask);
    return static_cast<long long>(u);
}
} // namespace ap_model

template <int W> class ap_uint;

template <int W> class ap_int {
  public:
    long long v;
    constexpr ap_int() : v(0) {}
    constexpr ap_int(long long x) : v(ap_model::wrap(x, W, true)) {}
    template <int W2> constexpr ap_int(const ap_int<W2> &o) : v(ap_model::wrap(o.v, W, true)) {}
    template <int W2> constexpr ap_int(const ap_uint<W2> &o) : v(ap_model::wrap(o.v, W, true)) {}
    long long to_int64() const { return v; }
};

template <int W> class ap_uint {
  public:
    long long v;
    constexpr ap_uint() : v(0) {}
    constexpr ap_uint(long long x) : v(ap_model::wrap(x, W, false)) {}
    template <int W2> constexpr ap_uint(const ap_uint<W2> &o) : v(ap_model::wrap(o.v, W, false)) {}
    template <int W2> constexpr ap_uint(const ap_int<W2> &o) : v(ap_model::wrap(o.v, W, false)) {}
    long long to_int64() const { return v; }
};

template <int A, int B> ap_int<A + B> operator*(const ap_int<A> &a, const ap_int<B> &b) { return ap_int<A + B>(a.v * b.v); }
template <int A, int B> ap_int<A + B> operator*(const ap_uint<A> &a, const ap_int<B> &b) { return ap_int<A + B>(a.v * b.v); }
template <int A, int B> ap_int<A + B> operator*(const ap_int<A> &a, const ap_uint<B> &b) { return ap_int<A + B>(a.v * b.v); }
template <int A, int B> ap_int<(A > B ? A : B) + 1> operator+(const ap_int<A> &a, const ap_int<B> &b) {
    return ap_int<(A > B ? A : B) + 1>(a.v + b.v);
}
// Negation grows by one bit, as in the real header, so that -(-2^(W-1)) is exact.
template <int W> ap_int<W + 1> operator-(const ap_int<W> &a) { return ap_int<W + 1>(-a.v); }
template <int A, int B> bool operator>(const ap_int<A> &a, const ap_int<B> &b) { return a.v > b.v; }
template <int A, int B> bool operator>(const ap_uint<A> &a, const ap_uint<B> &b) { return a.v > b.v; }

#endif
