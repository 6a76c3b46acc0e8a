// The one file that names a BLAS: Accelerate on Apple platforms, OpenBLAS elsewhere (Linux, the tested platform).
#if canImport(Accelerate)
import Accelerate
/// The BLAS integer type (OpenBLAS's name for it).
public typealias blasint = Int32
#else
import COpenBLAS
#endif

/// Thin wrappers over the platform's BLAS (row-major) used by every layer.
public enum BLAS {
    /// C[M,N] = alpha · op(A)[M,K] · op(B)[K,N] + beta · C, all row-major (cblas_sgemm).
    ///
    /// `lda`/`ldb`/`ldc` default to the tight row strides of the stored (untransposed) matrices.
    @inlinable
    public static func gemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int? = nil,
        b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // op(A)·op(B) is empty: C = beta·C.
            let ld = ldc ?? n
            for r in 0..<m { for j in 0..<n { c[r * ld + j] = beta == 0 ? 0 : beta * c[r * ld + j] } }
            return
        }
        if m == 1 {
            // A single row: y = op(B)ᵀ·x with sgemv, which streams B instead of packing it.
            // (op(A) is one row: its elements are strided by lda when transposed.)
            let incx = transA ? blasint(lda ?? m) : 1
            cblas_sgemv(CblasRowMajor, transB ? CblasNoTrans : CblasTrans,
                        blasint(transB ? n : k), blasint(transB ? k : n), alpha,
                        b, blasint(ldb ?? (transB ? k : n)), a, incx, beta, c, 1)
            return
        }
        cblas_sgemm(CblasRowMajor,
                    transA ? CblasTrans : CblasNoTrans,
                    transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha,
                    a, blasint(lda ?? (transA ? m : k)),
                    b, blasint(ldb ?? (transB ? k : n)),
                    beta, c, blasint(ldc ?? n))
    }

    /// y[N] = alpha · Aᵀ[N,M] · x[M] + beta · y for row-major A[M,N] (column sums when x = 1).
    @inlinable
    public static func gemvT(m: Int, n: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
                             x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>) {
        if n == 0 { return }
        if m == 0 { for j in 0..<n { y[j] = beta == 0 ? 0 : beta * y[j] }; return }
        cblas_sgemv(CblasRowMajor, CblasTrans, blasint(m), blasint(n), alpha, a, blasint(lda ?? n), x, 1, beta, y, 1)
    }

    #if canImport(Accelerate)
    /// The number of threads the BLAS uses (Accelerate chooses its own: 1 is reported, setting does nothing).
    public static var threads: Int {
        get { 1 }
        set { _ = newValue }
    }

    /// The BLAS in use.
    public static var coreName: String { "Accelerate" }

    /// The BLAS library and its build.
    public static var configuration: String { "Accelerate" }
    #else
    /// The number of threads OpenBLAS uses.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    /// The name of the CPU kernel OpenBLAS selected at load time (e.g. "Cooperlake").
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// The BLAS library and its build ("openblas OpenBLAS 0.3.21 DYNAMIC_ARCH ...").
    public static var configuration: String { "openblas " + String(cString: openblas_get_config()) }
    #endif
}
