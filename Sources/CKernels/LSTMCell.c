// The LSTM cell on AVX-512: 16 lanes where the portable Swift code (Sources/NeuralNet/Math.swift, LSTM.swift)
// runs SSE2's 4. Every operation is the Swift code's, in its order, each rounded as it is there (no contraction
// into fused multiply-adds), so both give the same bits and training does not depend on the CPU.
#pragma STDC FP_CONTRACT OFF
#include "LSTMCell.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>

int mvae_avx512_supported(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(1, 0, &a, &b, &c, &d) || !(c & (1u << 27))) return 0;   // OSXSAVE
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 16))) return 0;   // AVX512F
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (lo & 0xe6u) == 0xe6u;                                                  // SSE, AVX, AVX-512 state
}

#define TARGET __attribute__((target("avx512f")))
#define V __m512

static inline TARGET V set1(float x) { return _mm512_set1_ps(x); }
static inline TARGET V mul(V a, V b) { return _mm512_mul_ps(a, b); }
static inline TARGET V add(V a, V b) { return _mm512_add_ps(a, b); }
static inline TARGET V sub(V a, V b) { return _mm512_sub_ps(a, b); }
/// Swift's prefix minus on SIMD vectors is 0 - a (not a sign flip: it differs for NaN and zero).
static inline TARGET V neg(V a) { return _mm512_sub_ps(_mm512_setzero_ps(), a); }

/// Cephes expf as `vexp` computes it: clamp (NaN passes), n = round(x / ln 2) by the 1.5·2^23 trick, the
/// polynomial, then 2^n from the exponent bits.
static inline TARGET V vexp(V x0) {
    V x = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x0, set1(88.3762626647949f), _CMP_GT_OQ), x0, set1(88.3762626647949f));
    x = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, set1(-87.3365447504019f), _CMP_LT_OQ), x, set1(-87.3365447504019f));
    const V magic = set1(12582912.0f);
    V t = add(mul(x, set1(1.44269504088896341f)), magic);
    V n = sub(t, magic);
    x = sub(x, mul(n, set1(0.693359375f)));
    x = sub(x, mul(n, set1(-2.12194440e-4f)));
    V z = mul(x, x);
    V y = set1(1.9875691500e-4f);
    y = add(mul(y, x), set1(1.3981999507e-3f));
    y = add(mul(y, x), set1(8.3334519073e-3f));
    y = add(mul(y, x), set1(4.1665795894e-2f));
    y = add(mul(y, x), set1(1.6666665459e-1f));
    y = add(mul(y, x), set1(5.0000001201e-1f));
    y = add(add(mul(y, z), x), set1(1.0f));
    __m512i ni = _mm512_sub_epi32(_mm512_castps_si512(t), _mm512_set1_epi32(0x4B400000));
    V pow2 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(ni, _mm512_set1_epi32(127)), 23));
    return mul(y, pow2);
}

static inline TARGET V vsigmoid(V x) { return _mm512_div_ps(set1(1.0f), add(set1(1.0f), vexp(neg(x)))); }
static inline TARGET V vtanh(V x) {
    return sub(_mm512_div_ps(set1(2.0f), add(set1(1.0f), vexp(mul(set1(-2.0f), x)))), set1(1.0f));
}

static inline TARGET V load(const float *p, __mmask16 m) { return _mm512_maskz_loadu_ps(m, p); }
static inline TARGET void store(float *p, V v, __mmask16 m) { _mm512_mask_storeu_ps(p, m, v); }

TARGET void mvae_lstm_cell_forward(float *gates, const float *c_prev, float *c, float *h, float *tanh_c,
                                   int rows, int units, float forget_bias) {
    const int H = units;
    for (int b = 0; b < rows; b++) {
        float *g = gates + (long)b * 4 * H;
        const float *cp = c_prev + (long)b * H;
        float *cn = c + (long)b * H, *hn = h + (long)b * H, *tc = tanh_c + (long)b * H;
        for (int k = 0; k < H; k += 16) {
            __mmask16 m = H - k >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (H - k)) - 1u);
            V i = vsigmoid(load(g + k, m));
            V j = vtanh(load(g + H + k, m));
            V f = vsigmoid(add(load(g + 2 * H + k, m), set1(forget_bias)));
            V o = vsigmoid(load(g + 3 * H + k, m));
            V cv = add(mul(f, load(cp + k, m)), mul(i, j));
            V tv = vtanh(cv);
            store(g + k, i, m); store(g + H + k, j, m); store(g + 2 * H + k, f, m); store(g + 3 * H + k, o, m);
            store(cn + k, cv, m); store(tc + k, tv, m); store(hn + k, mul(o, tv), m);
        }
    }
}

TARGET void mvae_lstm_cell_backward(float *gates, const float *c_prev, const float *tanh_c, const float *dh, float *dc,
                                    int rows, int units) {
    const int H = units;
    const V one = set1(1.0f);
    for (int b = 0; b < rows; b++) {
        float *g = gates + (long)b * 4 * H, *dcr = dc + (long)b * H;
        const float *cp = c_prev + (long)b * H, *tc = tanh_c + (long)b * H, *dhr = dh + (long)b * H;
        for (int k = 0; k < H; k += 16) {
            __mmask16 m = H - k >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (H - k)) - 1u);
            V i = load(g + k, m), j = load(g + H + k, m), f = load(g + 2 * H + k, m), o = load(g + 3 * H + k, m);
            V tv = load(tc + k, m), dhv = load(dhr + k, m);
            V dcc = add(load(dcr + k, m), mul(mul(dhv, o), sub(one, mul(tv, tv))));
            V dgi = mul(mul(mul(dcc, j), i), sub(one, i));
            V dgj = mul(mul(dcc, i), sub(one, mul(j, j)));
            V dgf = mul(mul(mul(dcc, load(cp + k, m)), f), sub(one, f));
            V dgo = mul(mul(mul(dhv, tv), o), sub(one, o));
            store(g + k, dgi, m); store(g + H + k, dgj, m); store(g + 2 * H + k, dgf, m); store(g + 3 * H + k, dgo, m);
            store(dcr + k, mul(dcc, f), m);
        }
    }
}

#else
int mvae_avx512_supported(void) { return 0; }
void mvae_lstm_cell_forward(float *gates, const float *c_prev, float *c, float *h, float *tanh_c,
                            int rows, int units, float forget_bias) {
    (void)gates; (void)c_prev; (void)c; (void)h; (void)tanh_c; (void)rows; (void)units; (void)forget_bias;
}
void mvae_lstm_cell_backward(float *gates, const float *c_prev, const float *tanh_c, const float *dh, float *dc,
                             int rows, int units) {
    (void)gates; (void)c_prev; (void)tanh_c; (void)dh; (void)dc; (void)rows; (void)units;
}
#endif
