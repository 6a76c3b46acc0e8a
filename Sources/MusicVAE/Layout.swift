import NeuralNet

/// Magenta's TensorFlow variable names for one LSTM cell scope.
struct LSTMNames: Sendable {
    /// "<scope>/kernel".
    let kernel: String
    /// "<scope>/bias".
    let bias: String
    /// Input width I (kernel is [I+H, 4H]).
    let inputSize: Int
    /// Units H.
    let units: Int
    init(_ scope: String, inputSize: Int, units: Int) {
        kernel = scope + "/kernel"; bias = scope + "/bias"; self.inputSize = inputSize; self.units = units
    }
}

/// Magenta's variable names for a dense layer.
struct DenseNames: Sendable {
    let kernel: String
    let bias: String
    let inputs: Int
    let outputs: Int
    init(_ scope: String, inputs: Int, outputs: Int) {
        kernel = scope + "/kernel"; bias = scope + "/bias"; self.inputs = inputs; self.outputs = outputs
    }
}

/// Every variable of a model, named as in Magenta checkpoints, grouped by role.
struct ModelLayout: Sendable {
    /// Encoder layers (bidirectional: per stacked layer; hierarchical: per level), forward direction.
    var encoderFw: [LSTMNames] = []
    /// Same, backward direction.
    var encoderBw: [LSTMNames] = []
    var mu: DenseNames
    var sigma: DenseNames
    /// Hierarchical only: the conductor's initial-state layer and cells.
    var conductorInit: DenseNames?
    var conductor: [LSTMNames] = []
    /// The (bar) decoder's initial-state layer, cells and output projection.
    var decoderInit: DenseNames
    var decoder: [LSTMNames] = []
    var output: DenseNames

    init(_ c: MusicVAEConfig) {
        let e = c.encoder.layerSizes
        var input = c.depth
        for (l, h) in e.enumerated() {
            let scope = c.encoder.kind == .bidirectional ? "encoder/cell_\(l)" : "encoder/hierarchical_level_\(l)/cell_0"
            for dir in ["fw", "bw"] {
                let n = LSTMNames("\(scope)/bidirectional_rnn/\(dir)/multi_rnn_cell/cell_0/lstm_cell", inputSize: input, units: h)
                if dir == "fw" { encoderFw.append(n) } else { encoderBw.append(n) }
            }
            input = 2 * h
        }
        mu = DenseNames("encoder/mu", inputs: input, outputs: c.zSize)
        sigma = DenseNames("encoder/sigma", inputs: input, outputs: c.zSize)
        let d = c.decoder.layerSizes
        let prefix: String
        let embed: Int
        if c.decoder.kind == .hierarchical {
            let cs = c.decoder.conductorSizes
            conductorInit = DenseNames("decoder/hierarchical_level_0/initial_state", inputs: c.zSize, outputs: 2 * cs.reduce(0, +))
            var inp = 1
            for (l, h) in cs.enumerated() {
                conductor.append(LSTMNames("decoder/hierarchical_level_0/cell_\(l)/lstm_cell", inputSize: inp, units: h))
                inp = h
            }
            prefix = "core_decoder/decoder"
            embed = cs[cs.count - 1]
        } else {
            prefix = "decoder"
            embed = c.zSize
        }
        decoderInit = DenseNames("\(prefix)/z_to_initial_state", inputs: embed, outputs: 2 * d.reduce(0, +))
        var inp = c.depth + embed
        for (l, h) in d.enumerated() {
            decoder.append(LSTMNames("\(prefix)/multi_rnn_cell/cell_\(l)/lstm_cell", inputSize: inp, units: h))
            inp = h
        }
        output = DenseNames("\(prefix)/output_projection", inputs: d[d.count - 1], outputs: c.depth)
    }

    /// (name, shape, initializer) in Magenta's definition order.
    var variables: [(name: String, shape: [Int], initializer: Initializer)] {
        var v: [(String, [Int], Initializer)] = []
        func lstm(_ n: LSTMNames) {
            v.append((n.kernel, [n.inputSize + n.units, 4 * n.units], .glorotUniform))
            v.append((n.bias, [4 * n.units], .zeros))
        }
        func dense(_ n: DenseNames, _ k: Initializer) {
            v.append((n.kernel, [n.inputs, n.outputs], k))
            v.append((n.bias, [n.outputs], .zeros))
        }
        for (f, b) in zip(encoderFw, encoderBw) { lstm(f); lstm(b) }
        dense(mu, .normal(0.001)); dense(sigma, .normal(0.001))
        if let ci = conductorInit { dense(ci, .normal(0.001)); conductor.forEach(lstm) }
        dense(decoderInit, .normal(0.001))
        decoder.forEach(lstm)
        dense(output, .glorotUniform)
        return v
    }

    /// How a variable is initialised (TF defaults as used by Magenta).
    enum Initializer: Sendable {
        /// Glorot (Xavier) uniform: U(−√(6/(fan_in+fan_out)), +…) (TF's default for get_variable / dense kernels).
        case glorotUniform
        /// Normal with the given standard deviation (Magenta's mu/sigma and initial-state layers use 0.001).
        case normal(Float)
        /// Zeros (biases).
        case zeros
    }
}
