import Testing
@testable import NeuralNet

/// The hand-written kernels against the code they stand in for: the AVX-512 LSTM cell bit for bit against the
/// portable Swift cell, the bfloat16 product against a Double product of the same rounded inputs (the float32
/// panel kernel: `Float32PanelTests`).
@Suite struct SIMDKernelTests {
    /// Gates spread over the sigmoid's whole useful range, past exp's clamps (±100), zeros and a NaN; units not a
    /// multiple of 16.
    func cellInputs(rows: Int, units: Int, seed: UInt64) -> (gates: [Float], state: [Float], dh: [Float]) {
        var rng = SeededGenerator(seed: seed)
        var gates = randomFloats(rows * 4 * units, 8, &rng)
        gates[0] = 100; gates[1] = -100; gates[2] = 0; gates[3] = -0.0; gates[4] = .nan; gates[4 * units + 5] = -.nan
        return (gates, randomFloats(rows * units, 2, &rng), randomFloats(rows * units, 1, &rng))
    }

    @Test(.enabled(if: SIMDKernels.avx512), arguments: [(3, 37), (2, 512), (64, 16)])
    func cellForwardGivesThePortableBits(rows: Int, units: Int) {
        let (gates, cPrev, _) = cellInputs(rows: rows, units: units, seed: UInt64(units))
        func run(_ portable: Bool) -> [[Float]] {
            var g = gates, c = [Float](repeating: 0, count: rows * units), h = c, t = c
            g.withUnsafeMutableBufferPointer { g in c.withUnsafeMutableBufferPointer { c in h.withUnsafeMutableBufferPointer { h in
                t.withUnsafeMutableBufferPointer { t in
                    if portable {
                        LSTM.cellForwardPortable(gates: g.baseAddress!, cPrev: cPrev, c: c.baseAddress!, h: h.baseAddress!,
                                                 tanhC: t.baseAddress!, rows: rows, units: units, forgetBias: 1)
                    } else {
                        LSTM.cellForward(gates: g.baseAddress!, cPrev: cPrev, c: c.baseAddress!, h: h.baseAddress!,
                                         tanhC: t.baseAddress!, rows: rows, units: units, forgetBias: 1)
                    }
                } } } }
            return [g, c, h, t]
        }
        let fast = run(false), portable = run(true)
        for (name, (a, b)) in zip(["gates", "c", "h", "tanh c"], zip(fast, portable)) {
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "\(name) differs")
        }
        #expect(fast[2].contains { $0 != 0 })
    }

    @Test(.enabled(if: SIMDKernels.avx512), arguments: [(3, 37), (2, 512)])
    func cellBackwardGivesThePortableBits(rows: Int, units: Int) {
        var (gates, cPrev, dh) = cellInputs(rows: rows, units: units, seed: UInt64(units) + 1)
        // Activated gates and tanh c, as the forward pass leaves them.
        var c = [Float](repeating: 0, count: rows * units), h = c, tanhC = c
        LSTM.cellForwardPortable(gates: &gates, cPrev: cPrev, c: &c, h: &h, tanhC: &tanhC, rows: rows, units: units, forgetBias: 1)
        let dc0 = dh.map { $0 * 0.5 }
        var gFast = gates, dcFast = dc0, gPortable = gates, dcPortable = dc0
        LSTM.cellBackward(gates: &gFast, cPrev: cPrev, tanhC: tanhC, dh: dh, dc: &dcFast, rows: rows, units: units)
        LSTM.cellBackwardPortable(gates: &gPortable, cPrev: cPrev, tanhC: tanhC, dh: dh, dc: &dcPortable, rows: rows, units: units)
        #expect(gFast.map(\.bitPattern) == gPortable.map(\.bitPattern))
        #expect(dcFast.map(\.bitPattern) == dcPortable.map(\.bitPattern))
        #expect(gFast != gates)
    }

    /// float32 -> bfloat16 -> float32, rounding to nearest even (what the kernel does to both operands).
    func bf16(_ x: Float) -> Float {
        let u = x.bitPattern
        return Float(bitPattern: ((u &+ 0x7fff &+ ((u >> 16) & 1)) >> 16) << 16)
    }

    @Test(.enabled(if: SIMDKernels.bfloat16),
          arguments: [(5, 37, 70, 1), (64, 512, 2048, 2), (1, 256, 1024, 1), (64, 90, 1024, 2), (64, 90, 1000, 2)])
    func bfloat16ProductSumsTheRoundedProductsInFloat32(m: Int, k: Int, n: Int, threads: Int) {
        var rng = SeededGenerator(seed: UInt64(m * k + n))
        let a = randomFloats(m * k, 1, &rng), b = randomFloats(k * n, 0.2, &rng), c0 = randomFloats(m * n, 1, &rng)
        let packed = BFloat16Matrix(b, rows: k, columns: n)
        let saved = PackedProducts.threads
        PackedProducts.threads = threads
        defer { PackedProducts.threads = saved }
        for beta: Float in [0, 1] {
            var c = c0
            packed.multiply(m: m, a: a, beta: beta, c: &c)
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    var exact = beta == 1 ? Double(c0[i * n + j]) : 0, scale = 0.0
                    for x in 0..<k {
                        let p = Double(bf16(a[i * k + x])) * Double(bf16(b[x * n + j]))
                        exact += p; scale += abs(p)
                    }
                    // float32 sums of k products: each partial sum rounds once (2^-24 of its size).
                    worst = max(worst, abs(Double(c[i * n + j]) - exact) / (Double(k) * 6e-8 * (scale + 1) + 1e-30))
                }
            }
            #expect(worst <= 1, "beta \(beta): worst error \(worst)x the float32 summation bound")
        }
        // Against float32 operands: within bfloat16's rounding (2^-8 relative per operand).
        var c = [Float](repeating: 0, count: m * n), ref = c
        packed.multiply(m: m, a: a, beta: 0, c: &c)
        BLAS.gemm(m: m, n: n, k: k, a: a, b: b, beta: 0, c: &ref)
        let scale = ref.map { abs(Double($0)) }.max()!
        #expect(zip(c, ref).allSatisfy { abs(Double($0) - Double($1)) <= 0.02 * scale })
    }
}

/// The float32 panel kernel (an LSTM's per-step recurrent products) against a Double product of the same operands.
@Suite struct Float32PanelTests {
    /// B [k, n] from `b` as stored: row-major [k, n], or [n, k] read transposed.
    func element(_ b: [Float], _ x: Int, _ j: Int, k: Int, n: Int, transposed: Bool) -> Float {
        transposed ? b[j * k + x] : b[x * n + j]
    }

    func product(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int, transposed: Bool, beta: Float, c0: [Float],
                 threads: Int) -> [Float] {
        var buffer = [Float](repeating: .nan, count: Float32Panels.count(rows: k, columns: n))
        var c = c0
        buffer.withUnsafeMutableBufferPointer { buf in
            let panels = Float32Panels(packing: b, rows: k, columns: n, ld: transposed ? k : n, transposed: transposed,
                                       into: buf.baseAddress!)
            panels.multiply(m: m, a: a, beta: beta, c: &c, threads: threads)
        }
        return c
    }

    @Test(.enabled(if: SIMDKernels.avx512),
          arguments: [(7, 37, 70, false, 1), (64, 512, 2048, false, 2), (64, 2048, 512, true, 2), (1, 256, 1024, false, 1),
                      (13, 1024, 256, true, 2), (64, 90, 1000, false, 2)])
    func panelsSumTheProductsInFloat32(m: Int, k: Int, n: Int, transposed: Bool, threads: Int) {
        var rng = SeededGenerator(seed: UInt64(m * k + n))
        let a = randomFloats(m * k, 1, &rng), b = randomFloats(k * n, 0.2, &rng), c0 = randomFloats(m * n, 1, &rng)
        for beta: Float in [0, 1] {
            let c = product(a, b, m: m, k: k, n: n, transposed: transposed, beta: beta, c0: c0, threads: threads)
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    var exact = beta == 1 ? Double(c0[i * n + j]) : 0, scale = 0.0
                    for x in 0..<k {
                        let p = Double(a[i * k + x]) * Double(element(b, x, j, k: k, n: n, transposed: transposed))
                        exact += p; scale += abs(p)
                    }
                    // float32 sums of k products: each partial sum rounds once (2^-24 of its size).
                    worst = max(worst, abs(Double(c[i * n + j]) - exact) / (Double(k) * 6e-8 * (scale + 1) + 1e-30))
                }
            }
            #expect(worst <= 1, "beta \(beta): worst error \(worst)x the float32 summation bound")
        }
    }

    /// A row's result is one chain of multiply-adds: the same bits alone, in a batch, on one thread or two.
    @Test(.enabled(if: SIMDKernels.avx512))
    func aRowGivesTheSameBitsInAnyBatchAndSplit() {
        let m = 64, k = 256, n = 1024
        var rng = SeededGenerator(seed: 9)
        let a = randomFloats(m * k, 1, &rng), b = randomFloats(k * n, 0.2, &rng), zero = [Float](repeating: 0, count: m * n)
        let split = product(a, b, m: m, k: k, n: n, transposed: false, beta: 0, c0: zero, threads: 2)
        let single = product(a, b, m: m, k: k, n: n, transposed: false, beta: 0, c0: zero, threads: 1)
        #expect(split.map(\.bitPattern) == single.map(\.bitPattern))
        for row in [0, 5, 63] {
            let alone = product(Array(a[(row * k)..<((row + 1) * k)]), b, m: 1, k: k, n: n, transposed: false, beta: 0,
                                c0: [Float](repeating: 0, count: n), threads: 1)
            #expect(alone.map(\.bitPattern) == split[(row * n)..<((row + 1) * n)].map(\.bitPattern), "row \(row)")
        }
    }

    /// A pass over packed recurrent weights (forward and backward) against the same steps on OpenBLAS.
    @Test(.enabled(if: SIMDKernels.avx512), arguments: [false, true])
    func packedPassMatchesTheBLASSteps(reverse: Bool) {
        let T = 6, B = 9, H = 24, I = 3, G = 4 * H   // B over LSTM.packedMinimumRows, not a multiple of the 6-row tile
        var rng = SeededGenerator(seed: 11)
        let kernel = randomFloats((I + H) * G, 0.5, &rng), bias = randomFloats(G, 0.5, &rng)
        let input = randomFloats(T * B * G, 1, &rng), dh = randomFloats(T * B * H, 1, &rng)
        func run(packed: Bool) -> (h: [Float], dGates: [Float], dh0: [Float], dW: [Float]) {
            var arena = Arena(capacity: Arena.capacity(for: LSTMSequence.arenaSizes(steps: T, batch: B, units: H)))
            let seq = LSTMSequence(arena: &arena, steps: T, batch: B, units: H, reverse: reverse)
            var dW = [Float](repeating: 0, count: (I + H) * G), db = [Float](repeating: 0, count: G)
            var dh0 = [Float](repeating: 0, count: B * H)
            return kernel.withUnsafeBufferPointer { k in bias.withUnsafeBufferPointer { b in
                let w = LSTMWeights(kernel: k.baseAddress!, bias: b.baseAddress!, inputSize: I, units: H)
                seq.gates.update(from: input, count: input.count)
                Vec.zero(seq.initialC, B * H); Vec.zero(seq.initialH, B * H)
                if packed {
                    #expect(LSTM.packRecurrent(seq, w, transposed: false) != nil)
                    LSTM.forward(seq, w)
                } else {
                    for p in 0..<T { LSTM.forwardStep(seq, w, t: seq.time(atPosition: p), recurrent: nil) }
                }
                let h = Array(UnsafeBufferPointer(start: seq.outputs, count: T * B * H))
                seq.dh.update(from: dh, count: dh.count); Vec.zero(seq.dc, B * H)
                dW.withUnsafeMutableBufferPointer { dw in db.withUnsafeMutableBufferPointer { dbp in dh0.withUnsafeMutableBufferPointer { d0 in
                    let g = LSTMGradients(kernel: dw.baseAddress!, bias: dbp.baseAddress!, inputSize: I, units: H)
                    LSTM.backward(seq, w, g, dh0: d0.baseAddress!, packingWeights: packed)
                } } }
                return (h, Array(UnsafeBufferPointer(start: seq.gates, count: T * B * G)), dh0, dW)
            } }
        }
        let fast = run(packed: true), blas = run(packed: false)
        for (name, (x, y)) in zip(["h", "d gates", "d h0", "d W"], zip([fast.h, fast.dGates, fast.dh0, fast.dW],
                                                                     [blas.h, blas.dGates, blas.dh0, blas.dW])) {
            let scale = y.map { abs($0) }.max()!
            #expect(scale > 0 && zip(x, y).allSatisfy { abs($0 - $1) <= 1e-5 * scale }, "\(name) differs")
        }
    }
}

/// Filling each step's gates just before it runs gives the bits of filling them all first.
@Suite struct StepFillingTests {
    @Test(arguments: [false, true])
    func fillingStepsGivesTheTwoPassBits(reverse: Bool) {
        let T = 5, B = 3, H = 20, D = 7, E = 4, G = 4 * H, I = D + E
        var rng = SeededGenerator(seed: 5)
        let kernel = randomFloats((I + H) * G, 0.5, &rng), bias = randomFloats(G, 0.5, &rng)
        let constant = randomFloats(B * E, 1, &rng)
        let classes: [Int32] = (0..<(T * B)).map { Int32(($0 * 3 + 2) % (D + 1)) - 1 }   // includes -1
        func run(stepwise: Bool) -> [Float] {
            var arena = Arena(capacity: Arena.capacity(for: LSTMSequence.arenaSizes(steps: T, batch: B, units: H) + [B * G]))
            let seq = LSTMSequence(arena: &arena, steps: T, batch: B, units: H, reverse: reverse)
            let scratch = arena.take(B * G)
            Vec.zero(seq.initialC, B * H); Vec.zero(seq.initialH, B * H)
            return kernel.withUnsafeBufferPointer { k in bias.withUnsafeBufferPointer { b in
                classes.withUnsafeBufferPointer { c in constant.withUnsafeBufferPointer { v in
                    let w = LSTMWeights(kernel: k.baseAddress!, bias: b.baseAddress!, inputSize: I, units: H)
                    let input = SequenceInput(classes: c.baseAddress!, oneHotDepth: D, constant: v.baseAddress!, constantWidth: E)
                    if stepwise {
                        LSTM.forwardFillingSteps(seq, w, input, scratch: scratch)
                    } else {
                        LSTM.fillInput(seq, w, input, scratch: scratch)
                        LSTM.forward(seq, w)
                    }
                    return Array(UnsafeBufferPointer(start: seq.gates, count: T * B * G))
                        + Array(UnsafeBufferPointer(start: seq.h, count: (T + 1) * B * H))
                        + Array(UnsafeBufferPointer(start: seq.c, count: (T + 1) * B * H))
                } } } }
        }
        let a = run(stepwise: true), b = run(stepwise: false)
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        #expect(a.contains { $0 != 0 })
    }
}
