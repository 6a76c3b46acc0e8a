import CKernels

/// A float32 matrix B [K, N] packed into 16-column panels in caller-owned memory, for many products with few rows.
///
/// An LSTM multiplies the same recurrent weights by a new 64-row state at every step of a pass, forward (h · W_h)
/// and backward (dG · W_hᵀ); OpenBLAS copies the weights into its own panel layout inside every one of those
/// calls. Packed once per pass here, each step streams the panels through an AVX-512 kernel that keeps a 6 x 64
/// tile of C in registers. Every element of C is one chain of fused multiply-adds over K in order, so a row's result
/// is the same in any batch and however the columns are split between threads (not OpenBLAS's bits: training's
/// rounding differs from the BLAS path in the last places). Needs `SIMDKernels.avx512`.
public struct Float32Panels {
    /// K, the rows of the matrix (the inner dimension of a product).
    public let rows: Int
    /// N, the columns of the matrix.
    public let columns: Int
    /// The packed panels.
    public let storage: UnsafePointer<Float>

    /// Floats the panels of a [rows, columns] matrix take (columns padded to a multiple of 64).
    public static func count(rows: Int, columns: Int) -> Int { mvae_f32_packed_count(Int32(rows), Int32(columns)) }

    /// Packs B [rows, columns] into `buffer` (at least `count(rows:columns:)` Floats): row-major b [rows, columns]
    /// (row stride `ld`), or with `transposed` B = bᵀ for row-major b [columns, rows] (row stride `ld`).
    public init(packing b: UnsafePointer<Float>, rows: Int, columns: Int, ld: Int, transposed: Bool = false,
                into buffer: UnsafeMutablePointer<Float>) {
        precondition(SIMDKernels.avx512, "float32 panels need AVX-512")
        self.rows = rows; self.columns = columns
        mvae_f32_pack(b, Int32(rows), Int32(columns), Int32(ld), transposed ? 1 : 0, buffer)
        storage = UnsafePointer(buffer)
    }

    /// C[M,N] = A[M,K] · self + beta · C, beta 0 or 1.  shapes: a [M,K] (row stride lda), c [M,N] (row stride ldc)
    ///
    /// Splits the columns over two threads when the product is large (`PackedProducts`; `threads` overrides
    /// `PackedProducts.threads` for this product).
    public func multiply(m: Int, a: UnsafePointer<Float>, lda: Int? = nil, beta: Float,
                         c: UnsafeMutablePointer<Float>, ldc: Int? = nil, threads: Int? = nil) {
        precondition(beta == 0 || beta == 1, "float32 panels multiply with beta 0 or 1")
        if m == 0 || columns == 0 { return }
        let K = Int32(rows), N = Int32(columns), ldA = Int32(lda ?? rows), ldC = Int32(ldc ?? columns)
        let packed = storage
        PackedProducts.split(groups: (columns + 63) / 64, multiplyAdds: m * rows * columns, threads: threads) { begin, end in
            mvae_f32_gemm_panels(Int32(m), N, K, a, ldA, packed, beta, c, ldC, Int32(begin * 4), Int32(end * 4))
        }
    }
}
