import NeuralNet

/// The teacher-forced decoder (flat, or conductor + bar decoder) and reconstruction loss for a
/// batch of B windows, with activation memory for backward.
///
/// The bar decoder of a hierarchical model is the flat decoder run on N = numBars·B rows of
/// stepsPerBar steps (row = bar·B + b), with the conductor output u_bar in place of z.
final class DecoderGraph {
    let batch: Int
    let config: MusicVAEConfig
    private let arena: Arena
    /// Rows of the (bar) decoder: B (flat) or numBars·B.
    let rowsN: Int
    /// Steps of the (bar) decoder.
    let steps: Int
    let dec: StackedLSTM
    let decSlots: [LSTMSlot]
    let decInit: DenseSlot
    let output: DenseSlot
    let initPre, initPost, dInit: UnsafeMutablePointer<Float>
    let dh0: [UnsafeMutablePointer<Float>]
    /// Conductor (hierarchical only).
    let cond: StackedLSTM?
    let condSlots: [LSTMSlot]
    let condInit: DenseSlot?
    let condInitPre, condInitPost, dCondInit: UnsafeMutablePointer<Float>?
    let condDh0: [UnsafeMutablePointer<Float>]
    /// Logits [T·N, V] (softmax and its gradient reuse them in place); per-row losses [T·N].
    let logits, rowLoss: UnsafeMutablePointer<Float>
    /// Teacher-forcing inputs and targets [T, N] (time-major).
    let prev, targets: IndexBuffer
    /// dLoss/dz [B, Z] (written by backward).
    let dz: UnsafeMutablePointer<Float>
    /// A copy of the logits [T·N, V] from the last forward with `keepLogits`.
    var savedLogits: [Float] = []

    init(config c: MusicVAEConfig, layout: ModelLayout, store: ParameterStore, batch B: Int) {
        batch = B; config = c
        let hier = c.decoder.kind == .hierarchical
        let N = hier ? c.decoder.numBars * B : B
        let T = hier ? c.decoder.stepsPerBar : c.numSteps
        rowsN = N; steps = T
        let d = c.decoder.layerSizes, S = 2 * d.reduce(0, +), V = c.depth
        let cs = c.decoder.conductorSizes, Sc = 2 * cs.reduce(0, +)
        var counts = StackedLSTM.arenaSizes(sizes: d, steps: T, batch: N) + [N * S, N * S, N * S] + d.map { N * $0 }
        counts += [T * N * V, T * N, B * c.zSize]
        if hier {
            counts += StackedLSTM.arenaSizes(sizes: cs, steps: c.decoder.numBars, batch: B) + [B * Sc, B * Sc, B * Sc] + cs.map { B * $0 }
        }
        var arena = Arena(capacity: Arena.capacity(for: counts))
        dec = StackedLSTM(arena: &arena, sizes: d, steps: T, batch: N)
        initPre = arena.take(N * S); initPost = arena.take(N * S); dInit = arena.take(N * S)
        dh0 = d.map { arena.take(N * $0) }
        logits = arena.take(T * N * V); rowLoss = arena.take(T * N); dz = arena.take(B * c.zSize)
        decSlots = layout.decoder.map { LSTMSlot($0, store) }
        decInit = DenseSlot(layout.decoderInit, store)
        output = DenseSlot(layout.output, store)
        if hier {
            cond = StackedLSTM(arena: &arena, sizes: cs, steps: c.decoder.numBars, batch: B)
            condInitPre = arena.take(B * Sc); condInitPost = arena.take(B * Sc); dCondInit = arena.take(B * Sc)
            condDh0 = cs.map { arena.take(B * $0) }
            condSlots = layout.conductor.map { LSTMSlot($0, store) }
            condInit = DenseSlot(layout.conductorInit!, store)
        } else {
            cond = nil; condInitPre = nil; condInitPost = nil; dCondInit = nil; condDh0 = []; condSlots = []; condInit = nil
        }
        prev = IndexBuffer(count: T * N); targets = IndexBuffer(count: T * N)
        self.arena = arena
    }

    /// Row r of the (bar) decoder at local step t ↦ (window, global step).
    @inline(__always) func position(row r: Int, step t: Int) -> (window: Int, step: Int) {
        (r % batch, (r / batch) * steps + t)
    }

    /// Writes targets and teacher-forcing inputs (the globally shifted sequence) for the windows.
    func setTargets(_ windows: [[Int]]) {
        for t in 0..<steps {
            for r in 0..<rowsN {
                let (b, g) = position(row: r, step: t)
                targets.pointer[t * rowsN + r] = Int32(windows[b][g])
                prev.pointer[t * rowsN + r] = g == 0 ? -1 : Int32(windows[b][g - 1])
            }
        }
    }

    /// The per-sequence embedding the (bar) decoder reads: z [B, Z] or the conductor outputs [N, Hc].
    private func embedding(_ z: UnsafePointer<Float>) -> (UnsafePointer<Float>, Int) {
        if let cond { return (UnsafePointer(cond.outputs), cond.layers.last!.units) }
        return (z, config.zSize)
    }

    private func decoderInput(_ z: UnsafePointer<Float>) -> SequenceInput {
        let (e, E) = embedding(z)
        return SequenceInput(classes: UnsafePointer(prev.pointer), oneHotDepth: config.depth, constant: e,
                             constantGrad: cond?.layers.last!.dh ?? dz, constantWidth: E)
    }

    /// Runs the conductor (if any) and the decoder's initial states from z [B, Z].
    func prepare(_ p: UnsafePointer<Float>, z: UnsafePointer<Float>) {
        let fb = config.forgetBias
        if let cond, let condInit, let pre = condInitPre, let post = condInitPost {
            condInit.forward(p, x: z, y: pre, rows: batch)
            Activation.tanhForward(post, pre, batch * condInit.outputs)
            scatterInitialState(post, into: cond, rows: batch)
            cond.forward(condSlots.map { $0.weights(p) }, input: SequenceInput(zeroWidth: 1), forgetBias: fb)
        }
        let (e, _) = embedding(z)
        decInit.forward(p, x: e, y: initPre, rows: rowsN)
        Activation.tanhForward(initPost, initPre, rowsN * decInit.outputs)
        scatterInitialState(initPost, into: dec, rows: rowsN)
    }

    /// Teacher-forced forward from z [B, Z]; returns the reconstruction loss of each window.
    /// With `samplingProbability` > 0, each step's input is, with that probability, a sample from the previous
    /// step's output distribution instead of the true token; in a hierarchical decoder within each bar (the bars
    /// run side by side as rows, so a bar's first step keeps the true last note of the bar before).
    /// With `rowSeeds` (one per window), each window's sampling draws come from its own generators (one per bar),
    /// so a window decodes the same whichever batch or process it is in (data-parallel training splits batches).
    func forward<R: RandomNumberGenerator>(_ p: UnsafePointer<Float>, z: UnsafePointer<Float>,
                                           samplingProbability: Double = 0, keepLogits: Bool = false,
                                           rng: inout R, rowSeeds: [UInt64]? = nil) -> [Double] {
        prepare(p, z: z)
        let input = decoderInput(z)
        let V = config.depth, N = rowsN, T = steps
        let ws = decSlots.map { $0.weights(p) }
        if samplingProbability > 0 {
            precondition(rowSeeds == nil || rowSeeds!.count == batch, "one seed per window")
            // Row r is bar r / B of window r % B (bar 0: the window's own seed, as a flat decoder's row).
            var rowGenerators = rowSeeds.map { seeds in
                (0..<N).map { r in SeededGenerator(seed: seeds[r % batch] ^ (UInt64(r / batch) &* 0xA076_1D64_78BD_642F)) }
            } ?? []
            let kernels = dec.prepareSteps(ws, input: input)
            let top = dec.layers.last!
            for t in 0..<T {
                dec.forwardStep(ws, input: input, t: t, kernels: kernels, forgetBias: config.forgetBias)
                let lt = logits + t * N * V
                output.forward(p, x: top.h + top.outputIndex(t) * N * top.units, y: lt, rows: N)
                if t + 1 < T {
                    if rowGenerators.isEmpty {
                        for r in 0..<N where Double.random(in: 0..<1, using: &rng) < samplingProbability {
                            prev.pointer[(t + 1) * N + r] = Int32(Sampling.sample(lt + r * V, count: V, temperature: 1, rng: &rng))
                        }
                    } else {
                        for r in 0..<N where Double.random(in: 0..<1, using: &rowGenerators[r]) < samplingProbability {
                            prev.pointer[(t + 1) * N + r] = Int32(Sampling.sample(lt + r * V, count: V, temperature: 1, rng: &rowGenerators[r]))
                        }
                    }
                }
            }
        } else {
            dec.forward(ws, input: input, forgetBias: config.forgetBias)
            output.forward(p, x: dec.outputs, y: logits, rows: T * N)
        }
        savedLogits = keepLogits ? Array(UnsafeBufferPointer(start: logits, count: T * N * V)) : []
        Loss.softmaxCrossEntropyForward(probs: logits, logits: logits, targets: targets.pointer, rows: T * N,
                                        classes: V, perRow: rowLoss)
        var recon = [Double](repeating: 0, count: batch)
        for i in 0..<(T * N) { recon[i % batch] += Double(rowLoss[i]) }
        return recon
    }

    /// Backward of `scale · Σ recon` (use scale 1/B for the batch mean); writes dz [B, Z] (overwritten).
    /// Destroys the softmax kept in `logits`.
    func backward(_ p: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, z: UnsafePointer<Float>, scale: Float) {
        let V = config.depth, N = rowsN, T = steps
        Vec.zero(dz, batch * config.zSize)
        Loss.softmaxCrossEntropyBackward(dlogits: logits, probs: logits, targets: targets.pointer, rows: T * N, classes: V, scale: scale)
        dec.zeroGradients()
        cond?.zeroGradients()
        output.backward(p, g, x: dec.outputs, dy: logits, dx: dec.layers.last!.dh, rows: T * N)
        for (l, s) in dec.layers.enumerated() { Vec.zero(dh0[l], N * s.units) }
        let input = decoderInput(z)
        dec.backward(decSlots.map { $0.weights(p) }, decSlots.map { $0.grads(g) }, input: input, dInitialH: dh0)
        gatherInitialStateGradient(dInit, from: dec, dh0: dh0, rows: N)
        let S = decInit.outputs
        // d(pre) = d(post) · (1 − post²), in place.
        for i in 0..<(N * S) { dInit[i] *= 1 - initPost[i] * initPost[i] }
        let (e, _) = embedding(z)
        decInit.backward(p, g, x: e, dy: dInit, dx: input.constantGrad, rows: N)
        if let cond, let condInit, let post = condInitPost, let dci = dCondInit {
            for (l, s) in cond.layers.enumerated() { Vec.zero(condDh0[l], batch * s.units) }
            cond.backward(condSlots.map { $0.weights(p) }, condSlots.map { $0.grads(g) }, input: SequenceInput(zeroWidth: 1),
                          dInitialH: condDh0)
            gatherInitialStateGradient(dci, from: cond, dh0: condDh0, rows: batch)
            for i in 0..<(batch * condInit.outputs) { dci[i] *= 1 - post[i] * post[i] }
            condInit.backward(p, g, x: z, dy: dci, dx: dz, rows: batch)
        }
    }
}

/// Choosing the next token from logits.
public enum Sampling {
    /// argmax (first index on ties) when `temperature` is nil or ≤ 0, else a draw from softmax(logits / temperature).
    public static func sample<R: RandomNumberGenerator>(_ logits: UnsafePointer<Float>, count V: Int,
                                                        temperature: Float?, rng: inout R) -> Int {
        guard let temp = temperature, temp > 0 else { return argmax(logits, count: V) }
        var mx = -Float.infinity
        for v in 0..<V { mx = max(mx, logits[v]) }
        var total = 0.0
        for v in 0..<V { total += Double(sexp((logits[v] - mx) / temp)) }
        var u = Double.random(in: 0..<1, using: &rng) * total
        for v in 0..<V {
            u -= Double(sexp((logits[v] - mx) / temp))
            if u < 0 { return v }
        }
        return argmax(logits, count: V)
    }

    /// Index of the largest logit (first on ties).
    public static func argmax(_ logits: UnsafePointer<Float>, count V: Int) -> Int {
        var best = 0
        for v in 1..<V where logits[v] > logits[best] { best = v }
        return best
    }
}
