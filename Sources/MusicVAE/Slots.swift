import NeuralNet

/// Where one LSTM layer's tensors live in the flat parameter (and gradient) vector.
struct LSTMSlot {
    let kernel: Int
    let bias: Int
    let inputSize: Int
    let units: Int

    init(_ n: LSTMNames, _ store: ParameterStore) {
        kernel = store.entry(n.kernel)!.offset; bias = store.entry(n.bias)!.offset
        inputSize = n.inputSize; units = n.units
    }

    /// The layer's weights in `p`, with its bfloat16 kernel when `packed` holds one.
    func weights(_ p: UnsafePointer<Float>, packed: [Int: PackedLSTMKernel]? = nil) -> LSTMWeights {
        LSTMWeights(kernel: p + kernel, bias: p + bias, inputSize: inputSize, units: units, packed: packed?[kernel])
    }

    func grads(_ g: UnsafeMutablePointer<Float>) -> LSTMGradients {
        LSTMGradients(kernel: g + kernel, bias: g + bias, inputSize: inputSize, units: units)
    }
}

/// Where one dense layer's tensors live in the flat parameter vector.
struct DenseSlot {
    let kernel: Int
    let bias: Int
    let inputs: Int
    let outputs: Int

    init(_ n: DenseNames, _ store: ParameterStore) {
        kernel = store.entry(n.kernel)!.offset; bias = store.entry(n.bias)!.offset
        inputs = n.inputs; outputs = n.outputs
    }

    /// y = x · W + b.  shapes: x [N, in], y [N, out]
    func forward(_ p: UnsafePointer<Float>, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, rows: Int) {
        Dense.forward(y, x, p + kernel, p + bias, batch: rows, inputs: inputs, outputs: outputs)
    }

    /// dW, db += …; dx += dy · Wᵀ when dx is given.
    func backward(_ p: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
                  dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, rows: Int) {
        Dense.backward(dx: dx, dw: g + kernel, db: g + bias, dy: dy, x: x, w: p + kernel,
                       batch: rows, inputs: inputs, outputs: outputs)
    }
}

/// An owned Int32 buffer (class indices), zero-initialised.
final class IndexBuffer {
    let count: Int
    let pointer: UnsafeMutablePointer<Int32>
    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }
    deinit { pointer.deallocate() }
}

/// Copies the flattened LSTM state rows [N, Σ 2H_l] (c0, h0, c1, h1, …) into each layer's initial state.
func scatterInitialState(_ state: UnsafePointer<Float>, into stack: StackedLSTM, rows: Int) {
    let S = stack.layers.reduce(0) { $0 + 2 * $1.units }
    var col = 0
    for s in stack.layers {
        let H = s.units
        for n in 0..<rows {
            (s.initialC + n * H).update(from: state + n * S + col, count: H)
            (s.initialH + n * H).update(from: state + n * S + col + H, count: H)
        }
        col += 2 * H
    }
}

/// Gathers each layer's dc (in `layers[l].dc`) and dh (in `dh0[l]`) into rows [N, Σ 2H_l] (c0, h0, c1, h1, …).
func gatherInitialStateGradient(_ d: UnsafeMutablePointer<Float>, from stack: StackedLSTM,
                                dh0: [UnsafeMutablePointer<Float>], rows: Int) {
    let S = stack.layers.reduce(0) { $0 + 2 * $1.units }
    var col = 0
    for (l, s) in stack.layers.enumerated() {
        let H = s.units
        for n in 0..<rows {
            (d + n * S + col).update(from: s.dc + n * H, count: H)
            (d + n * S + col + H).update(from: dh0[l] + n * H, count: H)
        }
        col += 2 * H
    }
}
