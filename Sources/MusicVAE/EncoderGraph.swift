import NeuralNet

/// The encoder and latent layers for a batch of B windows, with activation memory for backward.
///
/// Flat: one stack of bidirectional layers over the T steps. Hierarchical: level k is a
/// one-layer bidirectional LSTM over sequences of length L_k; level 0 reads the one-hot steps
/// of every segment (batch B·Π_{j>0} L_j), level k > 0 reads the [h_fw, h_bw] finals of level
/// k − 1 in segment order. Level k's rows are ordered (s_{k+1}, …, s_{K−1}, b), most significant
/// first, so its outputs are already time-major for level k + 1.
final class EncoderGraph {
    let batch: Int
    let config: MusicVAEConfig
    private let arena: Arena
    /// Per level (flat: a single "level" holding all stacked layers).
    let stacks: [BidirectionalLSTMStack]
    let fwSlots: [[LSTMSlot]]
    let bwSlots: [[LSTMSlot]]
    /// Rows of each level.
    let rows: [Int]
    /// [rows_k, 2H_k] concatenated finals of each level (the last one is the encoder output e [B, 2H]).
    let levelOut: [UnsafeMutablePointer<Float>]
    let levelDOut: [UnsafeMutablePointer<Float>]
    /// Level-0 inputs [T_0, rows_0] as class indices.
    let classes: IndexBuffer
    let mu, sigmaPre, sigma, dmu, dsigma, dSigmaPre: UnsafeMutablePointer<Float>
    let muSlot, sigmaSlot: DenseSlot

    init(config c: MusicVAEConfig, layout: ModelLayout, store: ParameterStore, batch B: Int) {
        batch = B; config = c
        let sizes = c.encoder.layerSizes
        var levels: [(sizes: [Int], steps: Int, rows: Int)] = []
        if c.encoder.kind == .bidirectional {
            levels = [(sizes, c.numSteps, B)]
        } else {
            let L = c.encoder.levelLengths
            for k in 0..<L.count { levels.append(([sizes[k]], L[k], B * L[(k + 1)...].reduce(1, *))) }
        }
        let Z = c.zSize
        var counts: [Int] = []
        for lv in levels {
            counts += BidirectionalLSTMStack.arenaSizes(sizes: lv.sizes, steps: lv.steps, batch: lv.rows)
            counts += [lv.rows * 2 * lv.sizes.last!, lv.rows * 2 * lv.sizes.last!]
        }
        counts += Array(repeating: B * Z, count: 6)
        var arena = Arena(capacity: Arena.capacity(for: counts))
        var st: [BidirectionalLSTMStack] = [], lo: [UnsafeMutablePointer<Float>] = [], ld: [UnsafeMutablePointer<Float>] = []
        for lv in levels {
            st.append(BidirectionalLSTMStack(arena: &arena, sizes: lv.sizes, steps: lv.steps, batch: lv.rows))
            lo.append(arena.take(lv.rows * 2 * lv.sizes.last!)); ld.append(arena.take(lv.rows * 2 * lv.sizes.last!))
        }
        stacks = st; levelOut = lo; levelDOut = ld; rows = levels.map(\.rows)
        mu = arena.take(B * Z); sigmaPre = arena.take(B * Z); sigma = arena.take(B * Z)
        dmu = arena.take(B * Z); dsigma = arena.take(B * Z); dSigmaPre = arena.take(B * Z)
        if c.encoder.kind == .bidirectional {
            fwSlots = [layout.encoderFw.map { LSTMSlot($0, store) }]
            bwSlots = [layout.encoderBw.map { LSTMSlot($0, store) }]
        } else {
            fwSlots = layout.encoderFw.map { [LSTMSlot($0, store)] }
            bwSlots = layout.encoderBw.map { [LSTMSlot($0, store)] }
        }
        muSlot = DenseSlot(layout.mu, store); sigmaSlot = DenseSlot(layout.sigma, store)
        classes = IndexBuffer(count: c.numSteps * B)
        self.arena = arena
    }

    /// The encoder output e [B, 2H_last].
    var output: UnsafeMutablePointer<Float> { levelOut[levelOut.count - 1] }
    /// Width of e.
    var outputWidth: Int { 2 * stacks[stacks.count - 1].forwardLayers.last!.units }

    /// Writes the level-0 class indices for a batch of windows (each `numSteps` long).
    func setInputs(_ windows: [[Int]]) {
        let c = config
        if c.encoder.kind == .bidirectional {
            for (b, w) in windows.enumerated() { for t in 0..<c.numSteps { classes.pointer[t * batch + b] = Int32(w[t]) } }
            return
        }
        let L = c.encoder.levelLengths, R0 = rows[0], T0 = L[0]
        for r in 0..<R0 {
            // Decode r = (s_1, …, s_{K−1}, b) into the window and the offset of its level-0 segment.
            var rem = r, offset = 0, stride = T0
            var digits: [Int] = []
            for k in 1..<L.count {
                let below = rows[k]
                digits.append(rem / below); rem %= below
            }
            let b = rem
            for (k, s) in digits.enumerated() { offset += s * stride; stride *= L[k + 1] }
            for t in 0..<T0 { classes.pointer[t * R0 + r] = Int32(windows[b][offset + t]) }
        }
    }

    private func input(level k: Int) -> SequenceInput {
        if k == 0 { return SequenceInput(classes: UnsafePointer(classes.pointer), oneHotDepth: config.depth) }
        let w = 2 * stacks[k - 1].forwardLayers.last!.units
        return SequenceInput(dense: [DenseSequencePart(x: levelOut[k - 1], dx: levelDOut[k - 1], width: w)])
    }

    /// Encoder + mu + sigma for the inputs set by `setInputs` (the LSTM products in bfloat16 where `packed` is given).
    func forward(_ p: UnsafePointer<Float>, packed: [Int: PackedLSTMKernel]? = nil) {
        let fb = config.forgetBias
        for (k, s) in stacks.enumerated() {
            s.forward(fw: fwSlots[k].map { $0.weights(p, packed: packed) }, bw: bwSlots[k].map { $0.weights(p, packed: packed) },
                      input: input(level: k), forgetBias: fb)
            let H = s.forwardLayers.last!.units, R = rows[k]
            for r in 0..<R {
                (levelOut[k] + r * 2 * H).update(from: s.finalForward + r * H, count: H)
                (levelOut[k] + r * 2 * H + H).update(from: s.finalBackward + r * H, count: H)
            }
        }
        muSlot.forward(p, x: output, y: mu, rows: batch)
        sigmaSlot.forward(p, x: output, y: sigmaPre, rows: batch)
        Activation.softplusForward(sigma, sigmaPre, batch * config.zSize)
    }

    /// Backward from `dmu` and `dsigma` (filled by the caller) into the encoder weights.
    func backward(_ p: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>) {
        let n = batch * config.zSize
        Vec.zero(dSigmaPre, n)
        Activation.softplusBackward(dSigmaPre, dsigma, sigmaPre, n)
        let last = stacks.count - 1
        Vec.zero(levelDOut[last], batch * outputWidth)
        muSlot.backward(p, g, x: output, dy: dmu, dx: levelDOut[last], rows: batch)
        sigmaSlot.backward(p, g, x: output, dy: dSigmaPre, dx: levelDOut[last], rows: batch)
        for k in stride(from: last, through: 0, by: -1) {
            let s = stacks[k], H = s.forwardLayers.last!.units, R = rows[k]
            s.zeroGradients()
            for r in 0..<R {
                Vec.add(levelDOut[k] + r * 2 * H, into: s.dFinalForward + r * H, H)
                Vec.add(levelDOut[k] + r * 2 * H + H, into: s.dFinalBackward + r * H, H)
            }
            if k > 0 { Vec.zero(levelDOut[k - 1], rows[k - 1] * 2 * stacks[k - 1].forwardLayers.last!.units) }
            s.backward(fw: fwSlots[k].map { $0.weights(p) }, bw: bwSlots[k].map { $0.weights(p) },
                       fwGrads: fwSlots[k].map { $0.grads(g) }, bwGrads: bwSlots[k].map { $0.grads(g) }, input: input(level: k))
        }
    }
}
