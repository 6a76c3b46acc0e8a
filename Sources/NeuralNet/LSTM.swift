import CKernels

/// One LSTM layer's weights in TF `LSTMBlockCell` layout (no peepholes, no cell clipping).
///
/// kernel [I+H, 4H]: rows 0..<I multiply the input, rows I..<I+H multiply h_prev; columns are the
/// gate blocks i, j, f, o (j is the cell input). bias [4H]. The forget bias (+1.0 in Magenta) is
/// added at run time, not stored.
public struct LSTMWeights {
    /// kernel [I+H, 4H].
    public var kernel: UnsafePointer<Float>
    /// bias [4H].
    public var bias: UnsafePointer<Float>
    /// I, the input width.
    public var inputSize: Int
    /// H, the number of units.
    public var units: Int
    /// The kernel's rows in bfloat16 for inference, or nil (float32).
    public var packed: PackedLSTMKernel?

    /// Weights over existing storage.
    public init(kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>, inputSize: Int, units: Int,
                packed: PackedLSTMKernel? = nil) {
        self.kernel = kernel; self.bias = bias; self.inputSize = inputSize; self.units = units; self.packed = packed
    }

    /// The input rows of the kernel, [I, 4H].
    @inlinable public var inputKernel: UnsafePointer<Float> { kernel }
    /// The recurrent rows of the kernel, [H, 4H].
    @inlinable public var recurrentKernel: UnsafePointer<Float> { kernel + inputSize * 4 * units }
}

/// An LSTM kernel's rows rounded to bfloat16 (`BFloat16Matrix`), for inference: the input rows [I, 4H] (used
/// where the whole input is dense: a layer above another) and the recurrent rows [H, 4H].
public struct PackedLSTMKernel: Sendable {
    /// The input rows [I, 4H].
    public let input: BFloat16Matrix
    /// The recurrent rows [H, 4H].
    public let recurrent: BFloat16Matrix

    /// Packs the rows of `kernel` [I+H, 4H].
    public init(kernel: UnsafePointer<Float>, inputSize: Int, units: Int) {
        let G = 4 * units
        input = BFloat16Matrix(kernel, rows: inputSize, columns: G)
        recurrent = BFloat16Matrix(kernel + inputSize * G, rows: units, columns: G)
    }
}

/// Gradient buffers matching `LSTMWeights` (accumulated with +=).
public struct LSTMGradients {
    /// d kernel [I+H, 4H].
    public var kernel: UnsafeMutablePointer<Float>
    /// d bias [4H].
    public var bias: UnsafeMutablePointer<Float>
    /// I, the input width.
    public var inputSize: Int
    /// H, the number of units.
    public var units: Int

    /// Gradients over existing storage.
    public init(kernel: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>, inputSize: Int, units: Int) {
        self.kernel = kernel; self.bias = bias; self.inputSize = inputSize; self.units = units
    }

    /// The input rows, [I, 4H].
    @inlinable public var inputKernel: UnsafeMutablePointer<Float> { kernel }
    /// The recurrent rows, [H, 4H].
    @inlinable public var recurrentKernel: UnsafeMutablePointer<Float> { kernel + inputSize * 4 * units }
}

/// One LSTM layer's activation memory over a sequence of T steps and B rows.
///
/// shapes: gates [T,B,4H], c [T+1,B,H], h [T+1,B,H], tanhC [T,B,H], dh [T,B,H], dc [B,H],
/// panels: the recurrent weights packed for one pass (`Float32Panels` of W_h [H,4H] or W_hᵀ [4H,H]).
/// Forward direction: the initial state is at index 0 of c/h and step t's output at index t+1.
/// Reverse direction (the bw half of a bidirectional RNN) runs t = T−1 … 0 over inputs kept in
/// their original order: the initial state is at index T and step t's output at index t.
/// Either way `outputs` is the [T,B,H] view whose row t is the output at (original) time t.
public struct LSTMSequence {
    /// Gates [T,B,4H]: input contribution + bias before `LSTM.forward`; activated i, j, f, o after;
    /// gradient w.r.t. the pre-activation gates after `LSTM.backward`.
    public let gates: UnsafeMutablePointer<Float>
    /// Cell states [T+1,B,H].
    public let c: UnsafeMutablePointer<Float>
    /// Outputs [T+1,B,H].
    public let h: UnsafeMutablePointer<Float>
    /// tanh of the cell states [T,B,H] (kept for the backward pass).
    public let tanhC: UnsafeMutablePointer<Float>
    /// Gradient w.r.t. the outputs [T,B,H] (filled by the consumer of the outputs; consumed by backward).
    public let dh: UnsafeMutablePointer<Float>
    /// Gradient w.r.t. the cell state [B,H]: in, d/dc of the final state; out, d/dc of the initial state.
    public let dc: UnsafeMutablePointer<Float>
    /// Room for the recurrent weights packed for a pass's per-step products (`LSTM.packRecurrent`).
    public let panels: UnsafeMutablePointer<Float>
    /// T.
    public let steps: Int
    /// B.
    public let batch: Int
    /// H.
    public let units: Int
    /// Whether this layer runs backwards in time.
    public let reverse: Bool

    /// The Floats `init(arena:…)` takes from an arena.
    public static func arenaSizes(steps T: Int, batch B: Int, units H: Int) -> [Int] {
        [T * B * 4 * H, (T + 1) * B * H, (T + 1) * B * H, T * B * H, T * B * H, B * H, panelCount(steps: T, batch: B, units: H)]
    }

    /// Floats of `panels`: W_h [H,4H] or W_hᵀ [4H,H] packed, whichever is larger (the columns are padded to 64);
    /// none where `LSTM.packRecurrent` never packs (one step, or fewer than `LSTM.packedMinimumRows` rows).
    public static func panelCount(steps T: Int, batch B: Int, units H: Int) -> Int {
        guard LSTM.packs(steps: T, batch: B) else { return 0 }
        return max(Float32Panels.count(rows: H, columns: 4 * H), Float32Panels.count(rows: 4 * H, columns: H))
    }

    /// Carves the buffers out of an arena.
    public init(arena: inout Arena, steps T: Int, batch B: Int, units H: Int, reverse: Bool = false) {
        gates = arena.take(T * B * 4 * H)
        c = arena.take((T + 1) * B * H)
        h = arena.take((T + 1) * B * H)
        tanhC = arena.take(T * B * H)
        dh = arena.take(T * B * H)
        dc = arena.take(B * H)
        panels = arena.take(Self.panelCount(steps: T, batch: B, units: H))
        steps = T; batch = B; units = H; self.reverse = reverse
    }

    /// Index in c/h of the state step t reads.
    @inlinable public func previousIndex(_ t: Int) -> Int { reverse ? t + 1 : t }
    /// Index in c/h of the state step t writes.
    @inlinable public func outputIndex(_ t: Int) -> Int { reverse ? t : t + 1 }
    /// Initial cell state [B,H].
    @inlinable public var initialC: UnsafeMutablePointer<Float> { c + (reverse ? steps : 0) * batch * units }
    /// Initial output [B,H].
    @inlinable public var initialH: UnsafeMutablePointer<Float> { h + (reverse ? steps : 0) * batch * units }
    /// Final cell state [B,H] (after the last processed step).
    @inlinable public var finalC: UnsafeMutablePointer<Float> { c + (reverse ? 0 : steps) * batch * units }
    /// Final output [B,H] (after the last processed step).
    @inlinable public var finalH: UnsafeMutablePointer<Float> { h + (reverse ? 0 : steps) * batch * units }
    /// Outputs in time order [T,B,H].
    @inlinable public var outputs: UnsafeMutablePointer<Float> { h + (reverse ? 0 : batch * units) }
    /// The states each step reads, in time order [T,B,H].
    @inlinable public var previousOutputs: UnsafeMutablePointer<Float> { h + (reverse ? batch * units : 0) }
    /// The gradient w.r.t. the final output [B,H] (row of `dh` of the last processed step).
    @inlinable public var dFinalH: UnsafeMutablePointer<Float> { dh + (reverse ? 0 : steps - 1) * batch * units }
    /// The time index processed at position `k` (0-based) of the run.
    @inlinable public func time(atPosition k: Int) -> Int { reverse ? steps - 1 - k : k }
}

/// LSTM forward/backward through time over `LSTMSequence` buffers.
public enum LSTM {
    // MARK: input contributions (fill `gates` before `forward`)

    /// gates[n, :] = bias for every row.  shapes: gates [T·B, 4H], bias [4H]
    public static func setBias(_ seq: LSTMSequence, _ w: LSTMWeights) {
        Broadcast.setRows(seq.gates, w.bias, rows: seq.steps * seq.batch, width: 4 * seq.units)
    }

    /// gates += x · kernel[rowOffset ..< rowOffset+D, :] (one GEMM for all steps).
    /// shapes: x [T·B, D], gates [T·B, 4H]
    public static func addDenseInput(_ seq: LSTMSequence, _ w: LSTMWeights, x: UnsafePointer<Float>,
                                     width: Int, rowOffset: Int) {
        let g = 4 * seq.units
        if rowOffset == 0, width == w.inputSize, let input = w.packed?.input {
            input.multiply(m: seq.steps * seq.batch, a: x, beta: 1, c: seq.gates)
            return
        }
        BLAS.gemm(m: seq.steps * seq.batch, n: g, k: width, a: x, b: w.kernel + rowOffset * g, beta: 1, c: seq.gates)
    }

    /// gates[t, b, :] += kernel[rowOffset + cls[t, b], :] (one-hot input as a row gather; cls < 0 adds nothing).
    /// shapes: classes [T·B]
    public static func addOneHotInput(_ seq: LSTMSequence, _ w: LSTMWeights, classes: UnsafePointer<Int32>, rowOffset: Int) {
        let g = 4 * seq.units
        OneHot.gatherAdd(seq.gates, indices: classes, table: w.kernel + rowOffset * g, rows: seq.steps * seq.batch, width: g)
    }

    // MARK: recurrence

    /// Below this many rows a pass's recurrent products stay on OpenBLAS: a row or two is a matrix-vector
    /// product, which streams the weights once a step either way (packing them costs another pass over them),
    /// and OpenBLAS splits it over both cores where a small packed product runs on one. (Batch-1 inference: 8 ms
    /// packed against 3 ms on OpenBLAS.)
    public static let packedMinimumRows = 8

    /// Whether a pass of T steps over B rows packs its recurrent weights (given AVX-512 and float32 weights).
    public static func packs(steps T: Int, batch B: Int) -> Bool { T > 1 && B >= packedMinimumRows }

    /// Packs the recurrent weights into `seq.panels` for a pass's per-step products: W_h for the forward steps, or
    /// W_hᵀ (`transposed`) for backward's dG · W_hᵀ. nil where the steps multiply otherwise: in bfloat16
    /// (`w.packed`), on CPUs without AVX-512 (OpenBLAS), for a single step, or for fewer than
    /// `packedMinimumRows` rows.
    public static func packRecurrent(_ seq: LSTMSequence, _ w: LSTMWeights, transposed: Bool) -> Float32Panels? {
        guard SIMDKernels.avx512, w.packed == nil, packs(steps: seq.steps, batch: seq.batch) else { return nil }
        let H = seq.units, G = 4 * H
        return transposed
            ? Float32Panels(packing: w.recurrentKernel, rows: G, columns: H, ld: G, transposed: true, into: seq.panels)
            : Float32Panels(packing: w.recurrentKernel, rows: H, columns: G, ld: G, into: seq.panels)
    }

    /// Runs step t: gates_t += h_prev · W_h, then the pointwise cell. `gates_t` must hold input + bias.
    /// `recurrent`: W_h as `packRecurrent` left it this pass, or nil (bfloat16 or OpenBLAS).
    @inlinable
    public static func forwardStep(_ seq: LSTMSequence, _ w: LSTMWeights, t: Int, forgetBias: Float = 1,
                                   recurrent: Float32Panels? = nil) {
        let B = seq.batch, H = seq.units, G = 4 * H, BH = B * H
        let gt = seq.gates + t * B * G
        let prev = seq.previousIndex(t), out = seq.outputIndex(t)
        if let packed = w.packed {
            packed.recurrent.multiply(m: B, a: seq.h + prev * BH, beta: 1, c: gt)
        } else if let recurrent {
            recurrent.multiply(m: B, a: seq.h + prev * BH, beta: 1, c: gt)
        } else {
            BLAS.gemm(m: B, n: G, k: H, a: seq.h + prev * BH, b: w.recurrentKernel, beta: 1, c: gt)
        }
        cellForward(gates: gt, cPrev: seq.c + prev * BH, c: seq.c + out * BH, h: seq.h + out * BH,
                    tanhC: seq.tanhC + t * BH, rows: B, units: H, forgetBias: forgetBias)
    }

    /// Runs all T steps (in reverse time if `seq.reverse`). Needs gates = input contribution + bias and the initial state set.
    public static func forward(_ seq: LSTMSequence, _ w: LSTMWeights, forgetBias: Float = 1) {
        let recurrent = packRecurrent(seq, w, transposed: false)
        for k in 0..<seq.steps {
            forwardStep(seq, w, t: seq.time(atPosition: k), forgetBias: forgetBias, recurrent: recurrent)
        }
    }

    /// The pointwise LSTM cell on pre-activation gates (activated gates are written back in place): AVX-512 where
    /// the CPU has it (`SIMDKernels`), else `cellForwardPortable`; both give the same bits.
    /// shapes: gates [B,4H], cPrev, c, h, tanhC [B,H]
    public static func cellForward(gates: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>,
                                   c: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>,
                                   tanhC: UnsafeMutablePointer<Float>, rows B: Int, units H: Int, forgetBias fb: Float) {
        if SIMDKernels.avx512 {
            mvae_lstm_cell_forward(gates, cPrev, c, h, tanhC, Int32(B), Int32(H), fb)
        } else {
            cellForwardPortable(gates: gates, cPrev: cPrev, c: c, h: h, tanhC: tanhC, rows: B, units: H, forgetBias: fb)
        }
    }

    /// `cellForward` in portable Swift (SIMD8: SSE2 on x86-64, NEON on ARM).
    @_optimize(speed)
    public static func cellForwardPortable(gates: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>,
                                           c: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>,
                                           tanhC: UnsafeMutablePointer<Float>, rows B: Int, units H: Int, forgetBias fb: Float) {
        for b in 0..<B {
            let g = gates + b * 4 * H, cp = cPrev + b * H, cn = c + b * H, hn = h + b * H, tc = tanhC + b * H
            var k = 0
            while k < H {
                let n = min(8, H - k)
                let i = vsigmoid(loadN(g + k, n))
                let j = vtanh(loadN(g + H + k, n))
                let f = vsigmoid(loadN(g + 2 * H + k, n) + fb)
                let o = vsigmoid(loadN(g + 3 * H + k, n))
                let cv = f * loadN(cp + k, n) + i * j
                let tv = vtanh(cv)
                storeN(i, g + k, n); storeN(j, g + H + k, n); storeN(f, g + 2 * H + k, n); storeN(o, g + 3 * H + k, n)
                storeN(cv, cn + k, n); storeN(tv, tc + k, n); storeN(o * tv, hn + k, n)
                k += 8
            }
        }
    }

    /// Backward through time. Needs the forward's buffers, `seq.dh` = dLoss/d(outputs) and
    /// `seq.dc` = dLoss/d(final cell state) (zero if unused).
    /// On return `gates` holds dLoss/d(pre-activation gates), `dc` holds dLoss/dc_initial, `dh0`
    /// (if given) has received += dLoss/dh_initial, and `grads` received the recurrent-kernel and
    /// bias gradients. Input-kernel gradients are left to `denseInputBackward`/`oneHotInputBackward`.
    /// `dh` is used as the accumulator for the recurrent gradient (its contents are consumed).
    /// `packingWeights` false multiplies by W_hᵀ on OpenBLAS at every step (for comparison).
    public static func backward(_ seq: LSTMSequence, _ w: LSTMWeights, _ grads: LSTMGradients,
                                dh0: UnsafeMutablePointer<Float>?, packingWeights: Bool = true) {
        let T = seq.steps, B = seq.batch, H = seq.units, G = 4 * H, BH = B * H
        let recurrentT = packingWeights ? packRecurrent(seq, w, transposed: true) : nil
        // dh_prev += dG_t · W_hᵀ.  shapes: dG_t [B,4H], W_hᵀ [4H,H]
        func addRecurrentGradient(_ gt: UnsafePointer<Float>, into dhPrev: UnsafeMutablePointer<Float>) {
            if let recurrentT {
                recurrentT.multiply(m: B, a: gt, beta: 1, c: dhPrev)
            } else {
                BLAS.gemm(transB: true, m: B, n: H, k: G, a: gt, b: w.recurrentKernel, beta: 1, c: dhPrev)
            }
        }
        for k in 0..<T {
            let t = seq.time(atPosition: T - 1 - k)
            let gt = seq.gates + t * B * G
            cellBackward(gates: gt, cPrev: seq.c + seq.previousIndex(t) * BH, tanhC: seq.tanhC + t * BH,
                         dh: seq.dh + t * BH, dc: seq.dc, rows: B, units: H)
            let tp = seq.reverse ? t + 1 : t - 1
            if tp >= 0 && tp < T {
                addRecurrentGradient(gt, into: seq.dh + tp * BH)
            } else if let dh0 {
                addRecurrentGradient(gt, into: dh0)
            }
        }
        // dW_h += Σ_t h_prevᵀ · dG_t as one GEMM over all T·B rows; db += Σ dG.
        BLAS.gemm(transA: true, m: H, n: G, k: T * B, a: seq.previousOutputs, b: seq.gates, beta: 1, c: grads.recurrentKernel)
        Dense.columnSum(seq.gates, rows: T * B, columns: G, into: grads.bias)
    }

    /// Pointwise cell backward for one step; activated gates in, pre-activation gate gradients out (in place):
    /// AVX-512 where the CPU has it, else `cellBackwardPortable`; both give the same bits.
    /// shapes: gates [B,4H], cPrev, tanhC, dh [B,H]; dc [B,H] in: dc_t, out: dc_{t-1}
    public static func cellBackward(gates: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>,
                                    tanhC: UnsafePointer<Float>, dh: UnsafePointer<Float>,
                                    dc: UnsafeMutablePointer<Float>, rows B: Int, units H: Int) {
        if SIMDKernels.avx512 {
            mvae_lstm_cell_backward(gates, cPrev, tanhC, dh, dc, Int32(B), Int32(H))
        } else {
            cellBackwardPortable(gates: gates, cPrev: cPrev, tanhC: tanhC, dh: dh, dc: dc, rows: B, units: H)
        }
    }

    /// `cellBackward` in portable Swift.
    @_optimize(speed)
    public static func cellBackwardPortable(gates: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>,
                                            tanhC: UnsafePointer<Float>, dh: UnsafePointer<Float>,
                                            dc: UnsafeMutablePointer<Float>, rows B: Int, units H: Int) {
        for b in 0..<B {
            let g = gates + b * 4 * H, cp = cPrev + b * H, tc = tanhC + b * H, dhr = dh + b * H, dcr = dc + b * H
            var k = 0
            while k < H {
                let n = min(8, H - k)
                let i = loadN(g + k, n), j = loadN(g + H + k, n), f = loadN(g + 2 * H + k, n), o = loadN(g + 3 * H + k, n)
                let tv = loadN(tc + k, n), dhv = loadN(dhr + k, n)
                let dcc = loadN(dcr + k, n) + dhv * o * (1 - tv * tv)
                let dgi = dcc * j * i * (1 - i)
                let dgj = dcc * i * (1 - j * j)
                let dgf = dcc * loadN(cp + k, n) * f * (1 - f)
                let dgo = dhv * tv * o * (1 - o)
                storeN(dgi, g + k, n); storeN(dgj, g + H + k, n); storeN(dgf, g + 2 * H + k, n); storeN(dgo, g + 3 * H + k, n)
                storeN(dcc * f, dcr + k, n)
                k += 8
            }
        }
    }

    // MARK: input gradients (after `backward`)

    /// d kernel[rowOffset ..< rowOffset+D, :] += xᵀ · dG, and dx += dG · kernel[rows]ᵀ when dx is given.
    /// shapes: x, dx [T·B, D]
    public static func denseInputBackward(_ seq: LSTMSequence, _ w: LSTMWeights, _ grads: LSTMGradients,
                                          x: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                                          width: Int, rowOffset: Int) {
        let G = 4 * seq.units, N = seq.steps * seq.batch
        BLAS.gemm(transA: true, m: width, n: G, k: N, a: x, b: seq.gates, beta: 1, c: grads.kernel + rowOffset * G)
        if let dx { BLAS.gemm(transB: true, m: N, n: width, k: G, a: seq.gates, b: w.kernel + rowOffset * G, beta: 1, c: dx) }
    }

    /// d kernel[rowOffset + cls[n], :] += dG[n, :] (gradient of a one-hot input).
    public static func oneHotInputBackward(_ seq: LSTMSequence, _ grads: LSTMGradients,
                                           classes: UnsafePointer<Int32>, rowOffset: Int) {
        let G = 4 * seq.units
        OneHot.scatterAdd(grads.kernel + rowOffset * G, indices: classes, dout: seq.gates,
                          rows: seq.steps * seq.batch, width: G)
    }
}

@inlinable @inline(__always) @_optimize(speed)
func loadN(_ p: UnsafePointer<Float>, _ n: Int) -> FloatVector {
    if n == 8 { return load8(p) }
    var v = FloatVector()
    for k in 0..<n { v[k] = p[k] }
    return v
}

@inlinable @inline(__always) @_optimize(speed)
func loadN(_ p: UnsafeMutablePointer<Float>, _ n: Int) -> FloatVector { loadN(UnsafePointer(p), n) }

@inlinable @inline(__always) @_optimize(speed)
func storeN(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
    if n == 8 { store8(v, p); return }
    for k in 0..<n { p[k] = v[k] }
}
