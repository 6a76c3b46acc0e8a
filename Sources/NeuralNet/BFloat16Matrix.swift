import CKernels

/// A weight matrix [K, N] rounded to bfloat16 and packed for `multiply` (inference only: training stays float32).
///
/// On CPUs with AVX-512 BF16 one instruction does two multiply-adds per float32 lane where an FMA does one, and
/// the weights stream at half the bytes; products are summed in float32. Rounding the weights and the left-hand
/// rows to bfloat16 (8 significant bits) moves each product by at most 2^-8 of its size, so results differ from
/// float32 in the third significant digit; the model cards and `musicvae eval --precision` measure what that does
/// to a model's accuracy.
public final class BFloat16Matrix: @unchecked Sendable {
    /// K, the rows of the matrix (the inner dimension of a product).
    public let rows: Int
    /// N, the columns of the matrix.
    public let columns: Int
    private let storage: UnsafeMutablePointer<UInt16>

    /// Rounds and packs row-major B [rows, columns] (row stride `ld`).
    public init(_ b: UnsafePointer<Float>, rows: Int, columns: Int, ld: Int? = nil) {
        self.rows = rows; self.columns = columns
        let count = mvae_bf16_packed_count(Int32(rows), Int32(columns))
        storage = .allocate(capacity: max(count, 1))
        mvae_bf16_pack(b, Int32(rows), Int32(columns), Int32(ld ?? columns), storage)
    }

    deinit { storage.deallocate() }

    /// C[M,N] = A[M,K] · self + beta · C, beta 0 or 1.  shapes: a [M,K] (row stride lda), c [M,N] (row stride ldc)
    ///
    /// Splits the columns over two threads when the product is large (`PackedProducts`). Needs `SIMDKernels.bfloat16`.
    public func multiply(m: Int, a: UnsafePointer<Float>, lda: Int? = nil, beta: Float,
                         c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
        precondition(beta == 0 || beta == 1, "bfloat16 multiply takes beta 0 or 1")
        precondition(SIMDKernels.bfloat16, "bfloat16 kernels need AVX-512 BF16")
        if m == 0 || columns == 0 { return }
        let K = Int32(rows), N = Int32(columns), ldA = Int32(lda ?? rows), ldC = Int32(ldc ?? columns)
        let scratch = UnsafeMutablePointer<UInt32>.allocate(capacity: m * ((rows + 1) / 2) + 1)
        defer { scratch.deallocate() }
        mvae_bf16_convert_rows(Int32(m), K, a, ldA, scratch)
        let packed = UnsafePointer(storage), scratchA = UnsafePointer(scratch)
        PackedProducts.split(groups: (columns + 63) / 64, multiplyAdds: m * rows * columns) { begin, end in
            mvae_bf16_gemm_panels(Int32(m), N, K, packed, beta, c, ldC, scratchA, Int32(begin * 4), Int32(end * 4))
        }
    }
}
