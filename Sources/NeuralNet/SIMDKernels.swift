import CKernels

/// What the hand-written kernels of `CKernels` can run on this CPU, checked once at start.
public enum SIMDKernels {
    /// AVX-512F: the LSTM cell's pointwise math 16 lanes at a time (the same bits as the portable code).
    public static let avx512: Bool = mvae_avx512_supported() != 0
    /// AVX-512 BF16: bfloat16 matrix products for inference (`BFloat16Matrix`).
    public static let bfloat16: Bool = mvae_bf16_supported() != 0
}
