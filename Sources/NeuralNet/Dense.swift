/// Fully connected layer y = x · W + b (TF `tf.layers.dense` layout: kernel [I, O]).
public enum Dense {
    /// y = x · w + b.  shapes: x [B,I], w [I,O], b [O] (nil: no bias), y [B,O]
    public static func forward(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                               _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>?,
                               batch: Int, inputs: Int, outputs: Int) {
        if let b {
            for r in 0..<batch { (y + r * outputs).update(from: b, count: outputs) }
        }
        BLAS.gemm(m: batch, n: outputs, k: inputs, a: x, b: w, beta: b == nil ? 0 : 1, c: y)
    }

    /// dx += dy · wᵀ, dw += xᵀ · dy, db += Σ_rows dy (each skipped when its pointer is nil).
    /// shapes: dy [B,O], x [B,I], w [I,O], dx [B,I], dw [I,O], db [O]
    public static func backward(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?,
                                db: UnsafeMutablePointer<Float>?, dy: UnsafePointer<Float>,
                                x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                batch: Int, inputs: Int, outputs: Int) {
        if let dx { BLAS.gemm(transB: true, m: batch, n: inputs, k: outputs, a: dy, b: w, beta: 1, c: dx) }
        if let dw { BLAS.gemm(transA: true, m: inputs, n: outputs, k: batch, a: x, b: dy, beta: 1, c: dw) }
        if let db { columnSum(dy, rows: batch, columns: outputs, into: db) }
    }

    /// out += Σ_r m[r, :].  shapes: m [R,C], out [C]
    @_optimize(speed)
    public static func columnSum(_ m: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { Vec.add(m + r * columns, into: out, columns) }
    }
}

/// Row lookups that replace a one-hot input times a matrix (an "embedding" of class indices).
public enum OneHot {
    /// out[n, :] += table[idx[n], :] for idx[n] ≥ 0 (a negative index stands for the zero vector).
    /// shapes: idx [N], table [V,D], out [N,D]
    @_optimize(speed)
    public static func gatherAdd(_ out: UnsafeMutablePointer<Float>, indices: UnsafePointer<Int32>,
                                 table: UnsafePointer<Float>, rows: Int, width: Int) {
        for n in 0..<rows {
            let c = Int(indices[n])
            if c >= 0 { Vec.add(table + c * width, into: out + n * width, width) }
        }
    }

    /// dtable[idx[n], :] += dout[n, :] for idx[n] ≥ 0 (the gradient of `gatherAdd` w.r.t. the table).
    /// shapes: idx [N], dout [N,D], dtable [V,D]
    @_optimize(speed)
    public static func scatterAdd(_ dtable: UnsafeMutablePointer<Float>, indices: UnsafePointer<Int32>,
                                  dout: UnsafePointer<Float>, rows: Int, width: Int) {
        for n in 0..<rows {
            let c = Int(indices[n])
            if c >= 0 { Vec.add(dout + n * width, into: dtable + c * width, width) }
        }
    }
}

/// Adding one per-sequence vector at every time step (e.g. z fed to every decoder step).
public enum Broadcast {
    /// x[t, b, :] += v[b, :] for all t.  shapes: x [T,B,D], v [B,D]
    @_optimize(speed)
    public static func addOverTime(_ x: UnsafeMutablePointer<Float>, _ v: UnsafePointer<Float>,
                                   steps: Int, batch: Int, width: Int) {
        for t in 0..<steps { Vec.add(v, into: x + t * batch * width, batch * width) }
    }

    /// dv[b, :] += Σ_t dx[t, b, :] (gradient of `addOverTime`).  shapes: dx [T,B,D], dv [B,D]
    @_optimize(speed)
    public static func sumOverTime(_ dx: UnsafePointer<Float>, into dv: UnsafeMutablePointer<Float>,
                                   steps: Int, batch: Int, width: Int) {
        for t in 0..<steps { Vec.add(dx + t * batch * width, into: dv, batch * width) }
    }

    /// x[r, :] = v for every row r.  shapes: x [R,D], v [D]
    @_optimize(speed)
    public static func setRows(_ x: UnsafeMutablePointer<Float>, _ v: UnsafePointer<Float>, rows: Int, width: Int) {
        for r in 0..<rows { (x + r * width).update(from: v, count: width) }
    }
}
