/// One dense input stream of a sequence: x [T,B,D] and, when its gradient is wanted, dx [T,B,D] (+=).
public struct DenseSequencePart {
    /// Values [T,B,D], time-major.
    public var x: UnsafePointer<Float>
    /// Gradient receiver [T,B,D] or nil when the gradient is not needed.
    public var dx: UnsafeMutablePointer<Float>?
    /// D.
    public var width: Int

    /// A dense input stream.
    public init(x: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, width: Int) {
        self.x = x; self.dx = dx; self.width = width
    }
}

/// The input of a stack's first layer, in kernel-row order: one-hot classes, dense streams,
/// one per-sequence constant vector (fed at every step), then inputs that are always zero.
public struct SequenceInput {
    /// Class indices [T,B] (negative = the zero vector), or nil.
    public var classes: UnsafePointer<Int32>?
    /// Rows of the kernel that the one-hot input occupies (the number of classes).
    public var oneHotDepth: Int
    /// Dense streams, in kernel-row order after the one-hot rows.
    public var dense: [DenseSequencePart]
    /// A per-sequence vector [B,E] fed at every step, or nil.
    public var constant: UnsafePointer<Float>?
    /// Gradient receiver [B,E] (+=) for `constant`, or nil.
    public var constantGrad: UnsafeMutablePointer<Float>?
    /// E.
    public var constantWidth: Int
    /// Trailing input columns that are always zero (their kernel rows get zero gradient).
    public var zeroWidth: Int

    /// Describes a first-layer input.
    public init(classes: UnsafePointer<Int32>? = nil, oneHotDepth: Int = 0, dense: [DenseSequencePart] = [],
                constant: UnsafePointer<Float>? = nil, constantGrad: UnsafeMutablePointer<Float>? = nil,
                constantWidth: Int = 0, zeroWidth: Int = 0) {
        self.classes = classes; self.oneHotDepth = oneHotDepth; self.dense = dense
        self.constant = constant; self.constantGrad = constantGrad; self.constantWidth = constantWidth
        self.zeroWidth = zeroWidth
    }

    /// I, the total input width (kernel input rows).
    public var size: Int { oneHotDepth + dense.reduce(0) { $0 + $1.width } + constantWidth + zeroWidth }
}

extension LSTM {
    /// Fills `seq.gates` with bias + input contributions of every step.
    /// `scratch` [B,4H] receives constant · W_c (kept for `forwardStep`-style decoding).
    public static func fillInput(_ seq: LSTMSequence, _ w: LSTMWeights, _ input: SequenceInput,
                                 scratch: UnsafeMutablePointer<Float>) {
        let G = 4 * seq.units
        setBias(seq, w)
        var row = 0
        if let cls = input.classes { addOneHotInput(seq, w, classes: cls, rowOffset: 0) }
        row += input.oneHotDepth
        for part in input.dense {
            addDenseInput(seq, w, x: part.x, width: part.width, rowOffset: row)
            row += part.width
        }
        if let v = input.constant {
            BLAS.gemm(m: seq.batch, n: G, k: input.constantWidth, a: v, b: w.kernel + row * G, beta: 0, c: scratch)
            Broadcast.addOverTime(seq.gates, scratch, steps: seq.steps, batch: seq.batch, width: G)
        }
    }

    /// `fillInput` then `forward` for an input without dense streams (one-hot classes and a constant), step by
    /// step: each step's gates get their bias and input rows just before the step runs, while they are in cache
    /// (a [T,B,4H] pass each costs a trip through memory); the same operations on the same values as the two
    /// passes. `scratch` [B,4H] receives constant · W_c, as in `fillInput`.
    public static func forwardFillingSteps(_ seq: LSTMSequence, _ w: LSTMWeights, _ input: SequenceInput,
                                           scratch: UnsafeMutablePointer<Float>, forgetBias: Float = 1) {
        precondition(input.dense.isEmpty, "forwardFillingSteps takes inputs without dense streams")
        let B = seq.batch, G = 4 * seq.units
        if let v = input.constant {
            BLAS.gemm(m: B, n: G, k: input.constantWidth, a: v, b: w.kernel + input.oneHotDepth * G, beta: 0, c: scratch)
        }
        let recurrent = packRecurrent(seq, w, transposed: false)
        for k in 0..<seq.steps {
            let t = seq.time(atPosition: k)
            fillStep(seq, w, input, scratch: scratch, t: t)
            forwardStep(seq, w, t: t, forgetBias: forgetBias, recurrent: recurrent)
        }
    }

    /// Step t's gates = bias + one-hot row + dense rows at t + constant · W_c (`scratch`, computed beforehand).
    /// shapes: gates_t [B,4H], scratch [B,4H]
    public static func fillStep(_ seq: LSTMSequence, _ w: LSTMWeights, _ input: SequenceInput,
                                scratch: UnsafePointer<Float>, t: Int) {
        let B = seq.batch, G = 4 * seq.units, gt = seq.gates + t * B * G
        Broadcast.setRows(gt, w.bias, rows: B, width: G)
        if let cls = input.classes { OneHot.gatherAdd(gt, indices: cls + t * B, table: w.kernel, rows: B, width: G) }
        var row = input.oneHotDepth
        for part in input.dense {
            BLAS.gemm(m: B, n: G, k: part.width, a: part.x + t * B * part.width, b: w.kernel + row * G, beta: 1, c: gt)
            row += part.width
        }
        if input.constant != nil { Vec.add(scratch, into: gt, B * G) }
    }

    /// Input-side gradients after `backward`: kernel input rows, dense dx, constant gradient.
    /// `scratch` [B,4H] is overwritten.
    public static func inputBackward(_ seq: LSTMSequence, _ w: LSTMWeights, _ grads: LSTMGradients,
                                     _ input: SequenceInput, scratch: UnsafeMutablePointer<Float>) {
        let G = 4 * seq.units, B = seq.batch
        var row = 0
        if let cls = input.classes { oneHotInputBackward(seq, grads, classes: cls, rowOffset: 0) }
        row += input.oneHotDepth
        for part in input.dense {
            denseInputBackward(seq, w, grads, x: part.x, dx: part.dx, width: part.width, rowOffset: row)
            row += part.width
        }
        if let v = input.constant {
            let E = input.constantWidth
            Vec.zero(scratch, B * G)
            Broadcast.sumOverTime(seq.gates, into: scratch, steps: seq.steps, batch: B, width: G)
            BLAS.gemm(transA: true, m: E, n: G, k: B, a: v, b: scratch, beta: 1, c: grads.kernel + row * G)
            if let dv = input.constantGrad {
                BLAS.gemm(transB: true, m: B, n: E, k: G, a: scratch, b: w.kernel + row * G, beta: 1, c: dv)
            }
        }
    }
}

extension LSTM {
    /// Only the gradients w.r.t. the inputs (dense dx and the constant's gradient), after `backward`;
    /// use with an `inputBackward` that was given no dx/constantGrad. `scratch` [B,4H] is overwritten.
    public static func inputGradient(_ seq: LSTMSequence, _ w: LSTMWeights, _ input: SequenceInput,
                                     scratch: UnsafeMutablePointer<Float>) {
        let G = 4 * seq.units, B = seq.batch, N = seq.steps * B
        var row = input.oneHotDepth
        for part in input.dense {
            if let dx = part.dx {
                BLAS.gemm(transB: true, m: N, n: part.width, k: G, a: seq.gates, b: w.kernel + row * G, beta: 1, c: dx)
            }
            row += part.width
        }
        if input.constant != nil, let dv = input.constantGrad {
            Vec.zero(scratch, B * G)
            Broadcast.sumOverTime(seq.gates, into: scratch, steps: seq.steps, batch: B, width: G)
            BLAS.gemm(transB: true, m: B, n: input.constantWidth, k: G, a: scratch, b: w.kernel + row * G, beta: 1, c: dv)
        }
    }
}

/// A multi-layer LSTM (TF `MultiRNNCell`) over a whole sequence: layer l+1's input at step t is
/// layer l's output at step t. Teacher-forced runs go layer by layer (one big input GEMM per
/// layer); `forwardStep` runs all layers for one step (for decoding with feedback).
public struct StackedLSTM {
    /// Per-layer activation memory, bottom first.
    public let layers: [LSTMSequence]
    /// [B, 4H_0] scratch holding the constant input's gate contribution.
    public let scratch: UnsafeMutablePointer<Float>

    /// The Floats `init(arena:…)` takes.
    public static func arenaSizes(sizes: [Int], steps: Int, batch: Int) -> [Int] {
        sizes.flatMap { LSTMSequence.arenaSizes(steps: steps, batch: batch, units: $0) } + [batch * 4 * (sizes.first ?? 0)]
    }

    /// Carves buffers for layers of the given sizes out of an arena.
    public init(arena: inout Arena, sizes: [Int], steps: Int, batch: Int, reverse: Bool = false) {
        layers = sizes.map { LSTMSequence(arena: &arena, steps: steps, batch: batch, units: $0, reverse: reverse) }
        scratch = arena.take(batch * 4 * (sizes.first ?? 0))
    }

    /// The top layer's outputs [T,B,H_top].
    public var outputs: UnsafeMutablePointer<Float> { layers[layers.count - 1].outputs }

    /// Zeroes every layer's initial state.
    public func zeroInitialState() {
        for s in layers {
            Vec.zero(s.initialC, s.batch * s.units); Vec.zero(s.initialH, s.batch * s.units)
        }
    }

    /// Runs all steps, layer by layer. Initial states must already be in each layer's `initialC`/`initialH`.
    public func forward(_ weights: [LSTMWeights], input: SequenceInput, forgetBias: Float = 1) {
        for (l, s) in layers.enumerated() {
            if l == 0 && input.dense.isEmpty {
                LSTM.forwardFillingSteps(s, weights[0], input, scratch: scratch, forgetBias: forgetBias)
                continue
            }
            if l == 0 {
                LSTM.fillInput(s, weights[0], input, scratch: scratch)
            } else {
                LSTM.setBias(s, weights[l])
                LSTM.addDenseInput(s, weights[l], x: layers[l - 1].outputs, width: layers[l - 1].units, rowOffset: 0)
            }
            LSTM.forward(s, weights[l], forgetBias: forgetBias)
        }
    }

    /// Prepares step-wise decoding with these weights: `scratch` = constant · W_c, and each layer's recurrent
    /// weights packed (`LSTM.packRecurrent`). Pass what it returns to every `forwardStep` of the pass.
    public func prepareSteps(_ weights: [LSTMWeights], input: SequenceInput) -> StepKernels {
        if let v = input.constant {
            let G = 4 * layers[0].units
            BLAS.gemm(m: layers[0].batch, n: G, k: input.constantWidth, a: v,
                      b: weights[0].kernel + (input.oneHotDepth + input.dense.reduce(0) { $0 + $1.width }) * G,
                      beta: 0, c: scratch)
        }
        return StepKernels(recurrent: zip(layers, weights).map { LSTM.packRecurrent($0, $1, transposed: false) })
    }

    /// Runs step t through all layers; layer 0 reads `input.classes` row t (written by the caller
    /// beforehand, e.g. the previous step's sample) and the dense streams at row t. `kernels`: what
    /// `prepareSteps` returned for these weights.
    public func forwardStep(_ weights: [LSTMWeights], input: SequenceInput, t: Int, kernels: StepKernels,
                            forgetBias: Float = 1) {
        for (l, s) in layers.enumerated() {
            let B = s.batch, G = 4 * s.units
            let gt = s.gates + t * B * G
            if l == 0 {
                LSTM.fillStep(s, weights[0], input, scratch: scratch, t: t)
            } else {
                Broadcast.setRows(gt, weights[l].bias, rows: B, width: G)
                let below = layers[l - 1], x = below.h + below.outputIndex(t) * B * below.units
                if let input = weights[l].packed?.input {
                    input.multiply(m: B, a: x, beta: 1, c: gt)
                } else {
                    BLAS.gemm(m: B, n: G, k: below.units, a: x, b: weights[l].kernel, beta: 1, c: gt)
                }
            }
            LSTM.forwardStep(s, weights[l], t: t, forgetBias: forgetBias, recurrent: kernels.recurrent[l])
        }
    }

    /// Zeroes dh and dc of every layer (call before writing the top layer's output gradient).
    public func zeroGradients() {
        for s in layers { Vec.zero(s.dh, s.steps * s.batch * s.units); Vec.zero(s.dc, s.batch * s.units) }
    }

    /// Backward through all layers. Needs the top layer's `dh` (and any `dc`) filled; `dInitialH[l]`
    /// (when given) receives += dLoss/dh_initial of layer l, and each layer's `dc` ends as dLoss/dc_initial.
    public func backward(_ weights: [LSTMWeights], _ grads: [LSTMGradients], input: SequenceInput,
                         dInitialH: [UnsafeMutablePointer<Float>?]) {
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            let s = layers[l]
            LSTM.backward(s, weights[l], grads[l], dh0: l < dInitialH.count ? dInitialH[l] : nil)
            if l > 0 {
                LSTM.denseInputBackward(s, weights[l], grads[l], x: layers[l - 1].outputs, dx: layers[l - 1].dh,
                                        width: layers[l - 1].units, rowOffset: 0)
            } else {
                LSTM.inputBackward(s, weights[0], grads[0], input, scratch: scratch)
            }
        }
    }
}

/// The packed recurrent weights of a `StackedLSTM`'s layers for one step-wise pass (`StackedLSTM.prepareSteps`).
public struct StepKernels {
    /// Per layer, bottom first: W_h packed, or nil where the layer's steps multiply otherwise.
    public let recurrent: [Float32Panels?]
}

/// A stack of bidirectional LSTM layers (TF `stack_bidirectional_dynamic_rnn`) from zero initial
/// states: layer l+1's input at step t is [h_fw,t, h_bw,t] of layer l. The stack's result is the
/// top layer's final outputs [h_fw at t = T−1, h_bw at t = 0].
public struct BidirectionalLSTMStack {
    /// Forward-direction layers, bottom first.
    public let forwardLayers: [LSTMSequence]
    /// Backward-direction layers, bottom first.
    public let backwardLayers: [LSTMSequence]
    /// [B, 4H_0] scratch of each direction.
    public let scratch: (fw: UnsafeMutablePointer<Float>, bw: UnsafeMutablePointer<Float>)

    /// The Floats `init(arena:…)` takes.
    public static func arenaSizes(sizes: [Int], steps: Int, batch: Int) -> [Int] {
        let one = sizes.flatMap { LSTMSequence.arenaSizes(steps: steps, batch: batch, units: $0) }
        return one + one + [batch * 4 * (sizes.first ?? 0), batch * 4 * (sizes.first ?? 0)]
    }

    /// Carves buffers for layers of the given per-direction sizes out of an arena.
    public init(arena: inout Arena, sizes: [Int], steps: Int, batch: Int) {
        forwardLayers = sizes.map { LSTMSequence(arena: &arena, steps: steps, batch: batch, units: $0, reverse: false) }
        backwardLayers = sizes.map { LSTMSequence(arena: &arena, steps: steps, batch: batch, units: $0, reverse: true) }
        scratch = (arena.take(batch * 4 * (sizes.first ?? 0)), arena.take(batch * 4 * (sizes.first ?? 0)))
    }

    /// The input description of layer l > 0 (both directions of layer l − 1, with gradients).
    public func layerInput(_ l: Int) -> SequenceInput {
        let f = forwardLayers[l - 1], b = backwardLayers[l - 1]
        return SequenceInput(dense: [DenseSequencePart(x: f.outputs, dx: f.dh, width: f.units),
                                     DenseSequencePart(x: b.outputs, dx: b.dh, width: b.units)])
    }

    /// Runs both directions of every layer from zero states (the two directions concurrently, see `Parallel`).
    public func forward(fw: [LSTMWeights], bw: [LSTMWeights], input: SequenceInput, forgetBias: Float = 1) {
        for l in 0..<forwardLayers.count {
            let inp = l == 0 ? input : layerInput(l)
            func run(_ s: LSTMSequence, _ w: LSTMWeights, _ scratch: UnsafeMutablePointer<Float>) {
                Vec.zero(s.initialC, s.batch * s.units); Vec.zero(s.initialH, s.batch * s.units)
                if inp.dense.isEmpty {
                    LSTM.forwardFillingSteps(s, w, inp, scratch: scratch, forgetBias: forgetBias)
                } else {
                    LSTM.fillInput(s, w, inp, scratch: scratch)
                    LSTM.forward(s, w, forgetBias: forgetBias)
                }
            }
            if forwardLayers[l].batch >= Parallel.minimumRows {
                Parallel.pair({ run(forwardLayers[l], fw[l], scratch.fw) }, { run(backwardLayers[l], bw[l], scratch.bw) })
            } else {
                run(forwardLayers[l], fw[l], scratch.fw); run(backwardLayers[l], bw[l], scratch.bw)
            }
        }
    }

    /// The top layer's final forward output [B,H] (h_fw at t = T−1).
    public var finalForward: UnsafeMutablePointer<Float> { forwardLayers[forwardLayers.count - 1].finalH }
    /// The top layer's final backward output [B,H] (h_bw at t = 0).
    public var finalBackward: UnsafeMutablePointer<Float> { backwardLayers[backwardLayers.count - 1].finalH }
    /// Gradient slot for `finalForward` [B,H] (+=).
    public var dFinalForward: UnsafeMutablePointer<Float> { forwardLayers[forwardLayers.count - 1].dFinalH }
    /// Gradient slot for `finalBackward` [B,H] (+=).
    public var dFinalBackward: UnsafeMutablePointer<Float> { backwardLayers[backwardLayers.count - 1].dFinalH }

    /// Zeroes dh and dc of every layer (call before writing `dFinalForward`/`dFinalBackward`).
    public func zeroGradients() {
        for s in forwardLayers + backwardLayers {
            Vec.zero(s.dh, s.steps * s.batch * s.units); Vec.zero(s.dc, s.batch * s.units)
        }
    }

    /// Backward through all layers and both directions (no gradient for the zero initial states).
    /// The input gradients, which both directions add into the same buffers, are accumulated after
    /// both directions' weight gradients.
    public func backward(fw: [LSTMWeights], bw: [LSTMWeights], fwGrads: [LSTMGradients], bwGrads: [LSTMGradients],
                         input: SequenceInput) {
        for l in stride(from: forwardLayers.count - 1, through: 0, by: -1) {
            let inp = l == 0 ? input : layerInput(l)
            var weightsOnly = inp
            for i in weightsOnly.dense.indices { weightsOnly.dense[i].dx = nil }
            weightsOnly.constantGrad = nil
            let wo = weightsOnly
            func run(_ s: LSTMSequence, _ w: LSTMWeights, _ g: LSTMGradients, _ scratch: UnsafeMutablePointer<Float>) {
                LSTM.backward(s, w, g, dh0: nil)
                LSTM.inputBackward(s, w, g, wo, scratch: scratch)
            }
            // The directions write their own gradients and scratch: concurrently, like the forward pass.
            if forwardLayers[l].batch >= Parallel.minimumRows {
                Parallel.pair({ run(forwardLayers[l], fw[l], fwGrads[l], scratch.fw) },
                              { run(backwardLayers[l], bw[l], bwGrads[l], scratch.bw) })
            } else {
                run(forwardLayers[l], fw[l], fwGrads[l], scratch.fw)
                run(backwardLayers[l], bw[l], bwGrads[l], scratch.bw)
            }
            for (s, w) in [(forwardLayers[l], fw[l]), (backwardLayers[l], bw[l])] {
                LSTM.inputGradient(s, w, inp, scratch: scratch.fw)
            }
        }
    }
}
