import Testing
@testable import NeuralNet

/// The hand-written kernels against the code they stand in for: the AVX-512 LSTM cell bit for bit against the
/// portable Swift cell, the bfloat16 product against a Double product of the same rounded inputs.
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
        let saved = BFloat16Matrix.threads
        BFloat16Matrix.threads = threads
        defer { BFloat16Matrix.threads = saved }
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
