import Testing
@testable import NeuralNet

/// Packs named blocks into one flat parameter vector θ for finite differences.
struct Packing {
    var offsets: [String: (Int, Int)] = [:]
    var total = 0
    mutating func add(_ name: String, _ n: Int) { offsets[name] = (total, n); total += n }
    func ptr(_ p: UnsafePointer<Float>, _ name: String) -> UnsafePointer<Float> { p + offsets[name]!.0 }
    func mptr(_ p: UnsafeMutablePointer<Float>, _ name: String) -> UnsafeMutablePointer<Float> { p + offsets[name]!.0 }
}

@Suite("Finite-difference gradient checks: LSTM")
struct LSTMGradientTests {
    /// One layer with every kind of input (one-hot, dense with dx, per-sequence constant, zero
    /// columns), a non-zero initial state and a loss on all outputs plus the final cell state.
    @Test(arguments: [(false, 5), (true, 5), (false, 11), (true, 8)])
    func singleLayer(_ reverse: Bool, _ H: Int) {
        let T = 4, B = 3, D = 6, X = 3, E = 2, Zc = 1
        let I = D + X + E + Zc, G = 4 * H
        var rng = SeededGenerator(seed: 10 + UInt64(H))
        var pk = Packing()
        pk.add("kernel", (I + H) * G); pk.add("bias", G); pk.add("x", T * B * X); pk.add("const", B * E)
        pk.add("c0", B * H); pk.add("h0", B * H)
        let theta = randomFloats(pk.total, 0.7, &rng)
        let classes: [Int32] = (0..<(T * B)).map { Int32(($0 * 5 + 1) % (D + 1)) - 1 }  // includes -1 (zero vector)
        let rOut = randomFloats(T * B * H, 1, &rng), rC = randomFloats(B * H, 1, &rng)

        func run(_ th: [Float], grad: Bool) -> (Double, [Float]) {
            var arena = Arena(capacity: Arena.capacity(for: LSTMSequence.arenaSizes(steps: T, batch: B, units: H) + [B * G]))
            let seq = LSTMSequence(arena: &arena, steps: T, batch: B, units: H, reverse: reverse)
            let scratch = arena.take(B * G)
            var g = [Float](repeating: 0, count: th.count)
            let l: Double = th.withUnsafeBufferPointer { tb in
                g.withUnsafeMutableBufferPointer { gb in
                    let p = tb.baseAddress!, gp = gb.baseAddress!
                    let w = LSTMWeights(kernel: pk.ptr(p, "kernel"), bias: pk.ptr(p, "bias"), inputSize: I, units: H)
                    let input = classes.withUnsafeBufferPointer { cb in
                        SequenceInput(classes: cb.baseAddress!, oneHotDepth: D,
                                      dense: [DenseSequencePart(x: pk.ptr(p, "x"), dx: pk.mptr(gp, "x"), width: X)],
                                      constant: pk.ptr(p, "const"), constantGrad: pk.mptr(gp, "const"), constantWidth: E, zeroWidth: Zc)
                    }
                    seq.initialC.update(from: pk.ptr(p, "c0"), count: B * H)
                    seq.initialH.update(from: pk.ptr(p, "h0"), count: B * H)
                    classes.withUnsafeBufferPointer { _ in
                        LSTM.fillInput(seq, w, input, scratch: scratch)
                        LSTM.forward(seq, w)
                    }
                    let loss = dot(rOut, seq.outputs) + dot(rC, seq.finalC)
                    if grad {
                        seq.dh.update(from: rOut, count: T * B * H)
                        seq.dc.update(from: rC, count: B * H)
                        let gr = LSTMGradients(kernel: pk.mptr(gp, "kernel"), bias: pk.mptr(gp, "bias"), inputSize: I, units: H)
                        LSTM.backward(seq, w, gr, dh0: pk.mptr(gp, "h0"))
                        LSTM.inputBackward(seq, w, gr, input, scratch: scratch)
                        pk.mptr(gp, "c0").update(from: seq.dc, count: B * H)
                    }
                    return loss
                }
            }
            return (l, g)
        }
        let analytic = run(theta, grad: true).1
        checkGradient("LSTM reverse=\(reverse) H=\(H)", theta: theta, analytic: analytic) { run($0, grad: false).0 }
        // Rows of the kernel for the always-zero input column get exactly zero gradient.
        let zeroRow = D + X + E
        #expect(analytic[(zeroRow * G)..<((zeroRow + 1) * G)].allSatisfy { $0 == 0 })
    }

    /// The TF LSTMBlockCell equations for one step, written out in Double.
    @Test func cellMatchesEquations() {
        var rng = SeededGenerator(seed: 5)
        let I = 3, H = 2, G = 8
        let kernel = randomFloats((I + H) * G, 1, &rng), bias = randomFloats(G, 1, &rng)
        let x = randomFloats(I, 1, &rng), h0 = randomFloats(H, 1, &rng), c0 = randomFloats(H, 1, &rng)
        var arena = Arena(capacity: 1024)
        let seq = LSTMSequence(arena: &arena, steps: 1, batch: 1, units: H)
        let scratch = arena.take(G)
        kernel.withUnsafeBufferPointer { kb in bias.withUnsafeBufferPointer { bb in x.withUnsafeBufferPointer { xb in
            let w = LSTMWeights(kernel: kb.baseAddress!, bias: bb.baseAddress!, inputSize: I, units: H)
            seq.initialC.update(from: c0, count: H); seq.initialH.update(from: h0, count: H)
            LSTM.fillInput(seq, w, SequenceInput(dense: [DenseSequencePart(x: xb.baseAddress!, dx: nil, width: I)]), scratch: scratch)
            LSTM.forward(seq, w)
        } } }
        let xh = (x + h0).map(Double.init)
        var g = [Double](repeating: 0, count: G)
        for col in 0..<G { g[col] = Double(bias[col]) + (0..<(I + H)).reduce(0.0) { $0 + xh[$1] * Double(kernel[$1 * G + col]) } }
        func sig(_ v: Double) -> Double { 1 / (1 + Foundation_exp(-v)) }
        for k in 0..<H {
            let c = sig(g[2 * H + k] + 1) * Double(c0[k]) + sig(g[k]) * Foundation_tanh(g[H + k])
            let h = sig(g[3 * H + k]) * Foundation_tanh(c)
            #expect(abs(Double(seq.finalC[k]) - c) < 1e-6)
            #expect(abs(Double(seq.finalH[k]) - h) < 1e-6)
        }
    }

    /// Two stacked layers (MultiRNNCell), layer-by-layer forward, with initial-state gradients;
    /// also checks that `forwardStep` reproduces the layer-by-layer outputs.
    @Test func stacked() {
        let T = 5, B = 2, D = 7, E = 3, sizes = [6, 9]
        let I0 = D + E
        var rng = SeededGenerator(seed: 21)
        var pk = Packing()
        pk.add("k0", (I0 + sizes[0]) * 4 * sizes[0]); pk.add("b0", 4 * sizes[0])
        pk.add("k1", (sizes[0] + sizes[1]) * 4 * sizes[1]); pk.add("b1", 4 * sizes[1])
        pk.add("z", B * E)
        for l in 0..<2 { pk.add("c\(l)", B * sizes[l]); pk.add("h\(l)", B * sizes[l]) }
        let theta = randomFloats(pk.total, 0.6, &rng)
        let classes: [Int32] = (0..<(T * B)).map { Int32(($0 * 3) % D) }
        let r = randomFloats(T * B * sizes[1], 1, &rng)

        func run(_ th: [Float], grad: Bool, stepwise: Bool = false) -> (Double, [Float]) {
            var arena = Arena(capacity: Arena.capacity(for: StackedLSTM.arenaSizes(sizes: sizes, steps: T, batch: B)))
            let stack = StackedLSTM(arena: &arena, sizes: sizes, steps: T, batch: B)
            var g = [Float](repeating: 0, count: th.count)
            let l: Double = th.withUnsafeBufferPointer { tb in g.withUnsafeMutableBufferPointer { gb in classes.withUnsafeBufferPointer { cb in
                let p = tb.baseAddress!, gp = gb.baseAddress!
                let ws = [LSTMWeights(kernel: pk.ptr(p, "k0"), bias: pk.ptr(p, "b0"), inputSize: I0, units: sizes[0]),
                          LSTMWeights(kernel: pk.ptr(p, "k1"), bias: pk.ptr(p, "b1"), inputSize: sizes[0], units: sizes[1])]
                let gs = [LSTMGradients(kernel: pk.mptr(gp, "k0"), bias: pk.mptr(gp, "b0"), inputSize: I0, units: sizes[0]),
                          LSTMGradients(kernel: pk.mptr(gp, "k1"), bias: pk.mptr(gp, "b1"), inputSize: sizes[0], units: sizes[1])]
                let input = SequenceInput(classes: cb.baseAddress!, oneHotDepth: D, constant: pk.ptr(p, "z"),
                                          constantGrad: pk.mptr(gp, "z"), constantWidth: E)
                for l in 0..<2 {
                    stack.layers[l].initialC.update(from: pk.ptr(p, "c\(l)"), count: B * sizes[l])
                    stack.layers[l].initialH.update(from: pk.ptr(p, "h\(l)"), count: B * sizes[l])
                }
                if stepwise {
                    let kernels = stack.prepareSteps(ws, input: input)
                    for t in 0..<T { stack.forwardStep(ws, input: input, t: t, kernels: kernels) }
                } else {
                    stack.forward(ws, input: input)
                }
                let loss = dot(r, stack.outputs)
                if grad {
                    stack.zeroGradients()
                    stack.layers[1].dh.update(from: r, count: r.count)
                    stack.backward(ws, gs, input: input, dInitialH: [pk.mptr(gp, "h0"), pk.mptr(gp, "h1")])
                    for l in 0..<2 { pk.mptr(gp, "c\(l)").update(from: stack.layers[l].dc, count: B * sizes[l]) }
                }
                return loss
            } } }
            return (l, g)
        }
        checkGradient("stacked LSTM", theta: theta, analytic: run(theta, grad: true).1) { run($0, grad: false).0 }
        #expect(abs(run(theta, grad: false).0 - run(theta, grad: false, stepwise: true).0) < 1e-5)
    }

    /// Two stacked bidirectional layers from zero states; loss on [h_fw final, h_bw final];
    /// the first layer reads one-hot classes plus a dense stream whose gradient is checked too.
    @Test func bidirectional() {
        let T = 4, B = 2, D = 5, X = 2, sizes = [4, 6]
        var rng = SeededGenerator(seed: 31)
        var pk = Packing()
        let ins = [D + X, 2 * sizes[0]]
        for dir in ["fw", "bw"] {
            for l in 0..<2 { pk.add("\(dir)k\(l)", (ins[l] + sizes[l]) * 4 * sizes[l]); pk.add("\(dir)b\(l)", 4 * sizes[l]) }
        }
        pk.add("x", T * B * X)
        let theta = randomFloats(pk.total, 0.8, &rng)
        let classes: [Int32] = (0..<(T * B)).map { Int32(($0 * 2 + 1) % D) }
        let rf = randomFloats(B * sizes[1], 1, &rng), rb = randomFloats(B * sizes[1], 1, &rng)

        func run(_ th: [Float], grad: Bool) -> (Double, [Float]) {
            var arena = Arena(capacity: Arena.capacity(for: BidirectionalLSTMStack.arenaSizes(sizes: sizes, steps: T, batch: B)))
            let stack = BidirectionalLSTMStack(arena: &arena, sizes: sizes, steps: T, batch: B)
            var g = [Float](repeating: 0, count: th.count)
            let l: Double = th.withUnsafeBufferPointer { tb in g.withUnsafeMutableBufferPointer { gb in classes.withUnsafeBufferPointer { cb in
                let p = tb.baseAddress!, gp = gb.baseAddress!
                func ws(_ d: String) -> [LSTMWeights] {
                    (0..<2).map { LSTMWeights(kernel: pk.ptr(p, "\(d)k\($0)"), bias: pk.ptr(p, "\(d)b\($0)"), inputSize: ins[$0], units: sizes[$0]) }
                }
                func gs(_ d: String) -> [LSTMGradients] {
                    (0..<2).map { LSTMGradients(kernel: pk.mptr(gp, "\(d)k\($0)"), bias: pk.mptr(gp, "\(d)b\($0)"), inputSize: ins[$0], units: sizes[$0]) }
                }
                let input = SequenceInput(classes: cb.baseAddress!, oneHotDepth: D,
                                          dense: [DenseSequencePart(x: pk.ptr(p, "x"), dx: pk.mptr(gp, "x"), width: X)])
                stack.forward(fw: ws("fw"), bw: ws("bw"), input: input)
                let loss = dot(rf, stack.finalForward) + dot(rb, stack.finalBackward)
                if grad {
                    stack.zeroGradients()
                    Vec.add(rf, into: stack.dFinalForward, rf.count)
                    Vec.add(rb, into: stack.dFinalBackward, rb.count)
                    stack.backward(fw: ws("fw"), bw: ws("bw"), fwGrads: gs("fw"), bwGrads: gs("bw"), input: input)
                }
                return loss
            } } }
            return (l, g)
        }
        checkGradient("bidirectional LSTM", theta: theta, analytic: run(theta, grad: true).1) { run($0, grad: false).0 }
    }
}
