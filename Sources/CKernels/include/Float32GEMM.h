// A float32 matrix multiply over weights packed once, for the many small products of an LSTM's recurrence.
#ifndef MUSICVAE_FLOAT32_GEMM_H
#define MUSICVAE_FLOAT32_GEMM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Number of floats `mvae_f32_pack` writes for a [k, n] matrix.
size_t mvae_f32_packed_count(int k, int n);

/// Packs B [k, n] into 16-column panels for `mvae_f32_gemm_panels`: row-major b [k, n] (row stride ldb) when
/// `transposed` is 0, or B = bᵀ for row-major b [n, k] (row stride ldb) when it is 1. Layout: panel j holds
/// columns 16j...16j+15 of every row, row after row (16 floats each); the panels are padded with zero columns to
/// a multiple of 4.
void mvae_f32_pack(const float *b, int k, int n, int ldb, int transposed, float *out);

/// C [m, n] = A [m, k] · B + beta · C on the column panels [panel_begin, panel_end) (16 columns each; all of them:
/// 0 to the padded count, a multiple of 4), B packed by `mvae_f32_pack`; beta is 0 or 1. Every element of C is one
/// chain of fused multiply-adds over k in order, so a row's result does not depend on m, on the other rows or on
/// how the panels are split. Needs mvae_avx512_supported().
void mvae_f32_gemm_panels(int m, int n, int k, const float *a, int lda, const float *packed, float beta,
                          float *c, int ldc, int panel_begin, int panel_end);

#ifdef __cplusplus
}
#endif
#endif
