// Hand-written SIMD kernels that OpenBLAS does not offer (Debian's 0.3.21 build has no bfloat16 GEMM).
#ifndef MUSICVAE_BFLOAT16_GEMM_H
#define MUSICVAE_BFLOAT16_GEMM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU and OS run AVX-512 BF16 (vdpbf16ps on zmm registers), else 0.
int mvae_bf16_supported(void);

/// Number of uint16 elements `mvae_bf16_pack` writes for a [k, n] matrix.
size_t mvae_bf16_packed_count(int k, int n);

/// Packs row-major B [k, n] (row stride ldb) into bfloat16 panels for `mvae_bf16_gemm_panels`, rounding to nearest even.
/// Layout: 16-column panels, padded to a multiple of 4 panels; within a panel, row pairs (2p, 2p+1) interleaved
/// column by column (32 values per pair); rows padded to even with zeros.
void mvae_bf16_pack(const float *b, int k, int n, int ldb, uint16_t *out);

/// C [m, n] = A [m, k] · B + beta · C on the column panels [panel_begin, panel_end) (16 columns each; all of them:
/// 0 to the padded count, a multiple of 4), with B packed by `mvae_bf16_pack` and A rounded into `scratch` by
/// `mvae_bf16_convert_rows`; beta is 0 or 1; products are summed in float32. Needs mvae_bf16_supported().
void mvae_bf16_gemm_panels(int m, int n, int k, const uint16_t *packed, float beta, float *c, int ldc,
                           const uint32_t *scratch, int panel_begin, int panel_end);

/// Rounds A [m, k] to bfloat16 pairs in `scratch` (m · (k + 1) / 2 uint32), for `mvae_bf16_gemm_panels`.
void mvae_bf16_convert_rows(int m, int k, const float *a, int lda, uint32_t *scratch);

#ifdef __cplusplus
}
#endif
#endif
