import NeuralNet

/// Autoregressive decoding (greedy or with temperature) for a batch of B latent codes.
/// Flat: step t's input is [one-hot of step t−1's choice (zeros at t = 0), z].
/// Hierarchical: the conductor runs on zero inputs; bar b is decoded from a fresh state
/// tanh(dense(u_b)) with input [previous choice, u_b]; bar b > 0 starts from bar b − 1's last choice.
final class SampleGraph {
    let batch: Int
    let config: MusicVAEConfig
    private let arena: Arena
    let steps: Int
    let dec: StackedLSTM
    let decSlots: [LSTMSlot]
    let decInit: DenseSlot
    let output: DenseSlot
    let initPost: UnsafeMutablePointer<Float>
    let cond: StackedLSTM?
    let condSlots: [LSTMSlot]
    let condInit: DenseSlot?
    let condInitPost: UnsafeMutablePointer<Float>?
    /// Per-step logits [B, V].
    let logits: UnsafeMutablePointer<Float>
    /// Inputs [T_bar, B] of the bar (or whole sequence) being decoded.
    let prev: IndexBuffer

    init(config c: MusicVAEConfig, layout: ModelLayout, store: ParameterStore, batch B: Int) {
        batch = B; config = c
        let hier = c.decoder.kind == .hierarchical
        let T = hier ? c.decoder.stepsPerBar : c.numSteps
        steps = T
        let d = c.decoder.layerSizes, S = 2 * d.reduce(0, +)
        let cs = c.decoder.conductorSizes, Sc = 2 * cs.reduce(0, +)
        var counts = StackedLSTM.arenaSizes(sizes: d, steps: T, batch: B) + [B * S, B * c.depth]
        if hier { counts += StackedLSTM.arenaSizes(sizes: cs, steps: c.decoder.numBars, batch: B) + [B * Sc] }
        var arena = Arena(capacity: Arena.capacity(for: counts))
        dec = StackedLSTM(arena: &arena, sizes: d, steps: T, batch: B)
        initPost = arena.take(B * S); logits = arena.take(B * c.depth)
        decSlots = layout.decoder.map { LSTMSlot($0, store) }
        decInit = DenseSlot(layout.decoderInit, store)
        output = DenseSlot(layout.output, store)
        if hier {
            cond = StackedLSTM(arena: &arena, sizes: cs, steps: c.decoder.numBars, batch: B)
            condInitPost = arena.take(B * Sc)
            condSlots = layout.conductor.map { LSTMSlot($0, store) }
            condInit = DenseSlot(layout.conductorInit!, store)
        } else {
            cond = nil; condInitPost = nil; condSlots = []; condInit = nil
        }
        prev = IndexBuffer(count: T * B)
        self.arena = arena
    }

    /// Decodes from z [B, Z]; returns the chosen classes [B][T] and, if `keepLogits`, the logits [B][T][V].
    /// The LSTM products run in bfloat16 where `packed` is given.
    func decode<R: RandomNumberGenerator>(_ p: UnsafePointer<Float>, z: UnsafePointer<Float>, temperature: Float?,
                                          keepLogits: Bool, packed: [Int: PackedLSTMKernel]? = nil,
                                          rng: inout R) -> (ids: [[Int]], logits: [[[Float]]]) {
        let B = batch, V = config.depth, fb = config.forgetBias
        var ids = [[Int]](repeating: [], count: B)
        var kept = [[[Float]]](repeating: [], count: keepLogits ? B : 0)
        let ws = decSlots.map { $0.weights(p, packed: packed) }
        let top = dec.layers.last!
        var last = [Int32](repeating: -1, count: B)

        func decodeSegment(embedding e: UnsafePointer<Float>, width E: Int) {
            decInit.forward(p, x: e, y: initPost, rows: B)
            Activation.tanhForward(initPost, initPost, B * decInit.outputs)
            scatterInitialState(initPost, into: dec, rows: B)
            let input = SequenceInput(classes: UnsafePointer(prev.pointer), oneHotDepth: V, constant: e, constantWidth: E)
            let kernels = dec.prepareSteps(ws, input: input)
            for b in 0..<B { prev.pointer[b] = last[b] }
            for t in 0..<steps {
                dec.forwardStep(ws, input: input, t: t, kernels: kernels, forgetBias: fb)
                output.forward(p, x: top.h + top.outputIndex(t) * B * top.units, y: logits, rows: B)
                for b in 0..<B {
                    let row = logits + b * V
                    let choice = Sampling.sample(row, count: V, temperature: temperature, rng: &rng)
                    ids[b].append(choice)
                    if keepLogits { kept[b].append(Array(UnsafeBufferPointer(start: row, count: V))) }
                    last[b] = Int32(choice)
                    if t + 1 < steps { prev.pointer[(t + 1) * B + b] = Int32(choice) }
                }
            }
        }

        if let cond, let condInit, let post = condInitPost {
            condInit.forward(p, x: z, y: post, rows: B)
            Activation.tanhForward(post, post, B * condInit.outputs)
            scatterInitialState(post, into: cond, rows: B)
            cond.forward(condSlots.map { $0.weights(p, packed: packed) }, input: SequenceInput(zeroWidth: 1), forgetBias: fb)
            let Hc = cond.layers.last!.units
            for bar in 0..<config.decoder.numBars {
                decodeSegment(embedding: cond.outputs + bar * B * Hc, width: Hc)
            }
        } else {
            decodeSegment(embedding: z, width: config.zSize)
        }
        return (ids, kept)
    }
}
