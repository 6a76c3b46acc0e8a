// float32 matrix multiply over pre-packed weights (AVX-512F), for an LSTM's per-step recurrent products.
//
// A training step multiplies the same recurrent weights by a new 64-row state at each of its 32 steps, forward
// (h · W_h) and backward (dG · W_hᵀ). OpenBLAS copies ("packs") the weights into its panel layout on every call;
// here they are packed once per pass and every step streams the packed panels. The microkernel keeps a 6-row by
// 64-column tile of C in 24 registers: per row of B it loads four 16-column panel vectors and issues one
// broadcast fused multiply-add per tile row and panel.
#include "Float32GEMM.h"
#include "LSTMCell.h"
#include "TileStore.h"

#define PANEL TILE_PANEL
#define GROUP TILE_GROUP
#define ROWS 6         // rows of C per tile

static inline int panels_of(int n) { return ((n + PANEL * GROUP - 1) / (PANEL * GROUP)) * GROUP; }

size_t mvae_f32_packed_count(int k, int n) { return (size_t)panels_of(n) * (size_t)k * PANEL; }

void mvae_f32_pack(const float *b, int k, int n, int ldb, int transposed, float *out) {
    int J = panels_of(n);
    for (int j = 0; j < J; j++)
        for (int p = 0; p < k; p++) {
            float *dst = out + ((size_t)j * k + p) * PANEL;
            for (int i = 0; i < PANEL; i++) {
                int col = j * PANEL + i;
                dst[i] = col >= n ? 0 : transposed ? b[(size_t)col * ldb + p] : b[(size_t)p * ldb + col];
            }
        }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f")))

/// C tile [rows, 64 columns from panel j] (+)= A rows · panels j..j+3. `rows` is 1...6.
static inline __attribute__((always_inline)) TARGET void tile(int rows, int k, const float *a, int lda,
                                                               const float *packed, int j, float beta,
                                                               float *c, int ldc, int n) {
    __m512 acc[ROWS][GROUP];
    for (int r = 0; r < ROWS; r++)
        for (int q = 0; q < GROUP; q++) acc[r][q] = _mm512_setzero_ps();
    const float *w0 = packed + (size_t)(j + 0) * k * PANEL, *w1 = packed + (size_t)(j + 1) * k * PANEL;
    const float *w2 = packed + (size_t)(j + 2) * k * PANEL, *w3 = packed + (size_t)(j + 3) * k * PANEL;
    for (int p = 0; p < k; p++) {
        __m512 b0 = _mm512_loadu_ps(w0 + p * PANEL), b1 = _mm512_loadu_ps(w1 + p * PANEL);
        __m512 b2 = _mm512_loadu_ps(w2 + p * PANEL), b3 = _mm512_loadu_ps(w3 + p * PANEL);
        for (int r = 0; r < rows; r++) {
            __m512 x = _mm512_set1_ps(a[(size_t)r * lda + p]);
            acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(x, b1, acc[r][1]);
            acc[r][2] = _mm512_fmadd_ps(x, b2, acc[r][2]);
            acc[r][3] = _mm512_fmadd_ps(x, b3, acc[r][3]);
        }
    }
    mvae_store_tile(acc, rows, j, beta, c, ldc, n);
}

TARGET void mvae_f32_gemm_panels(int m, int n, int k, const float *a, int lda, const float *packed, float beta,
                                 float *c, int ldc, int panel_begin, int panel_end) {
    for (int j = panel_begin; j < panel_end; j += GROUP)
        for (int r = 0; r < m; r += ROWS) {
            // A full tile calls `tile` with a constant row count, so the inlined copy keeps its 24 sums in registers.
            const float *ar = a + (size_t)r * lda;
            float *cr = c + (size_t)r * ldc;
            if (m - r >= ROWS) tile(ROWS, k, ar, lda, packed, j, beta, cr, ldc, n);
            else tile(m - r, k, ar, lda, packed, j, beta, cr, ldc, n);
        }
}

#else
void mvae_f32_gemm_panels(int m, int n, int k, const float *a, int lda, const float *packed, float beta,
                          float *c, int ldc, int panel_begin, int panel_end) {
    (void)m; (void)n; (void)k; (void)a; (void)lda; (void)packed; (void)beta; (void)c; (void)ldc;
    (void)panel_begin; (void)panel_end;
}
#endif
