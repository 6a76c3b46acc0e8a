// The last step of both panel kernels (BFloat16GEMM.c, Float32GEMM.c): writing a tile's float32 sums into C.
#ifndef MUSICVAE_TILE_STORE_H
#define MUSICVAE_TILE_STORE_H

#define TILE_PANEL 16   // columns per panel: one zmm of float32 sums
#define TILE_GROUP 4    // panels per tile (64 columns)

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <stddef.h>
#include <immintrin.h>

/// C[r, 16(j+q) ...] = acc[r][q] (beta 0) or += it (beta 1), for rows 0..<rows of the tile; columns past n are
/// masked off.
static inline __attribute__((always_inline, target("avx512f")))
void mvae_store_tile(__m512 (*acc)[TILE_GROUP], int rows, int j, float beta, float *c, int ldc, int n) {
    for (int q = 0; q < TILE_GROUP; q++) {
        int col = (j + q) * TILE_PANEL;
        if (col >= n) break;
        int valid = n - col < TILE_PANEL ? n - col : TILE_PANEL;
        __mmask16 mask = (__mmask16)((1u << valid) - 1u);
        for (int r = 0; r < rows; r++) {
            float *dst = c + (size_t)r * ldc + col;
            __m512 v = acc[r][q];
            if (beta != 0) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, dst));
            _mm512_mask_storeu_ps(dst, mask, v);
        }
    }
}

#endif
#endif
