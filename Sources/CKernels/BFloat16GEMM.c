// bfloat16 matrix multiply with float32 accumulation (AVX-512 BF16), for inference.
//
// Each vdpbf16ps multiplies 16 pairs of bfloat16 values and adds both products to 16 float32 sums: two
// multiply-adds per lane where a float32 FMA does one, with half the bytes of weights to stream. The
// microkernel keeps a 4-row by 64-column tile of C in 16 registers and walks k two rows at a time:
// per pair of rows of B it loads four 32-value panel vectors, broadcasts one A pair per row and issues 16
// vdpbf16ps.
#include "BFloat16GEMM.h"
#include "LSTMCell.h"
#include "TileStore.h"
#include <string.h>

#define PANEL TILE_PANEL
#define GROUP TILE_GROUP
#define ROWS 4         // rows of C per tile

static inline int pairs_of(int k) { return (k + 1) / 2; }
static inline int panels_of(int n) { return ((n + PANEL * GROUP - 1) / (PANEL * GROUP)) * GROUP; }

/// float32 -> bfloat16, round to nearest even (what vcvtne2ps2bf16 does; NaN kept quiet).
static inline uint16_t to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

size_t mvae_bf16_packed_count(int k, int n) { return (size_t)panels_of(n) * (size_t)pairs_of(k) * 32; }

void mvae_bf16_pack(const float *b, int k, int n, int ldb, uint16_t *out) {
    int P = pairs_of(k), J = panels_of(n);
    for (int j = 0; j < J; j++)
        for (int p = 0; p < P; p++) {
            uint16_t *dst = out + ((size_t)j * P + p) * 32;
            for (int i = 0; i < PANEL; i++) {
                int col = j * PANEL + i, r0 = 2 * p, r1 = 2 * p + 1;
                dst[2 * i] = (col < n) ? to_bf16(b[(size_t)r0 * ldb + col]) : 0;
                dst[2 * i + 1] = (col < n && r1 < k) ? to_bf16(b[(size_t)r1 * ldb + col]) : 0;
            }
        }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>

int mvae_bf16_supported(void) {
    unsigned a, b, c, d;
    if (!mvae_avx512_supported() || !__get_cpuid_count(7, 1, &a, &b, &c, &d)) return 0;
    return (a & (1u << 5)) ? 1 : 0;                         // AVX512_BF16
}

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

TARGET void mvae_bf16_convert_rows(int m, int k, const float *a, int lda, uint32_t *scratch) {
    int P = pairs_of(k);
    for (int r = 0; r < m; r++) {
        const float *row = a + (size_t)r * lda;
        uint32_t *dst = scratch + (size_t)r * P;
        int x = 0;
        for (; x + 32 <= k; x += 32) {
            __m512 lo = _mm512_loadu_ps(row + x), hi = _mm512_loadu_ps(row + x + 16);
            _mm512_storeu_si512((void *)(dst + x / 2), (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
        }
        for (; x < k; x += 2) {
            uint32_t lo = to_bf16(row[x]), hi = x + 1 < k ? to_bf16(row[x + 1]) : 0;
            dst[x / 2] = lo | (hi << 16);
        }
    }
}

/// C tile [rows, 64 columns from panel j] (+)= A rows · panels j..j+3. `rows` is 1...4.
static inline __attribute__((always_inline)) TARGET void tile(int rows, int P, const uint32_t *ab,
                                                               const uint16_t *packed, int j, float beta,
                                                               float *c, int ldc, int n) {
    __m512 acc[ROWS][GROUP];
    for (int r = 0; r < ROWS; r++)
        for (int q = 0; q < GROUP; q++) acc[r][q] = _mm512_setzero_ps();
    const uint16_t *w0 = packed + (size_t)(j + 0) * P * 32, *w1 = packed + (size_t)(j + 1) * P * 32;
    const uint16_t *w2 = packed + (size_t)(j + 2) * P * 32, *w3 = packed + (size_t)(j + 3) * P * 32;
    for (int p = 0; p < P; p++) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512(w0 + p * 32), b1 = (__m512bh)_mm512_loadu_si512(w1 + p * 32);
        __m512bh b2 = (__m512bh)_mm512_loadu_si512(w2 + p * 32), b3 = (__m512bh)_mm512_loadu_si512(w3 + p * 32);
        for (int r = 0; r < rows; r++) {
            __m512bh x = (__m512bh)_mm512_set1_epi32((int)ab[(size_t)r * P + p]);
            acc[r][0] = _mm512_dpbf16_ps(acc[r][0], x, b0);
            acc[r][1] = _mm512_dpbf16_ps(acc[r][1], x, b1);
            acc[r][2] = _mm512_dpbf16_ps(acc[r][2], x, b2);
            acc[r][3] = _mm512_dpbf16_ps(acc[r][3], x, b3);
        }
    }
    mvae_store_tile(acc, rows, j, beta, c, ldc, n);
}

TARGET void mvae_bf16_gemm_panels(int m, int n, int k, const uint16_t *packed, float beta, float *c, int ldc,
                                  const uint32_t *scratch, int panel_begin, int panel_end) {
    int P = pairs_of(k);
    for (int j = panel_begin; j < panel_end; j += GROUP)
        for (int r = 0; r < m; r += ROWS) {
            // A full tile calls `tile` with a constant row count, so the inlined copy keeps its 16 sums in registers.
            if (m - r >= ROWS) tile(ROWS, P, scratch + (size_t)r * P, packed, j, beta, c + (size_t)r * ldc, ldc, n);
            else tile(m - r, P, scratch + (size_t)r * P, packed, j, beta, c + (size_t)r * ldc, ldc, n);
        }
}

#else
int mvae_bf16_supported(void) { return 0; }
void mvae_bf16_convert_rows(int m, int k, const float *a, int lda, uint32_t *scratch) {
    (void)m; (void)k; (void)a; (void)lda; (void)scratch;
}
void mvae_bf16_gemm_panels(int m, int n, int k, const uint16_t *packed, float beta, float *c, int ldc,
                           const uint32_t *scratch, int panel_begin, int panel_end) {
    (void)m; (void)n; (void)k; (void)packed; (void)beta; (void)c; (void)ldc; (void)scratch;
    (void)panel_begin; (void)panel_end;
}
#endif

