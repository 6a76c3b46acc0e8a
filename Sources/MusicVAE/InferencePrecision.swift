import Foundation
import NeuralNet

/// The arithmetic of a model's inference (encode, decode, sample); training is always float32.
public enum InferencePrecision: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Every product in float32: the results the model cards measure, bit for bit on every machine.
    case float32
    /// The LSTM kernels' products in bfloat16 with float32 sums, on CPUs with AVX-512 BF16 (batches of 64 about
    /// three times as fast); elsewhere it runs as float32. Decoded notes can differ from float32's where two classes score
    /// nearly alike.
    case bfloat16

    public var description: String { rawValue }

    /// What this machine runs when asked for this precision.
    public var effective: InferencePrecision {
        self == .bfloat16 && !SIMDKernels.bfloat16 ? .float32 : self
    }
}

/// The LSTM kernels of one set of weights in bfloat16, by the kernel's offset in the flat parameters; built on
/// first use and shared by copies of the model (a model whose weights change gets a new, empty cache).
final class PackedKernelCache: @unchecked Sendable {
    private let lock = NSLock()
    private var kernels: [Int: PackedLSTMKernel]?

    /// The packed kernels of `model`'s LSTM layers, packing them the first time.
    func kernels(of model: MusicVAEModel) -> [Int: PackedLSTMKernel] {
        lock.lock(); defer { lock.unlock() }
        if let kernels { return kernels }
        var built: [Int: PackedLSTMKernel] = [:]
        let l = model.layout
        model.parameters.values.withUnsafeBufferPointer { p in
            for names in l.encoderFw + l.encoderBw + l.conductor + l.decoder {
                let slot = LSTMSlot(names, model.parameters)
                built[slot.kernel] = PackedLSTMKernel(kernel: p.baseAddress! + slot.kernel,
                                                      inputSize: slot.inputSize, units: slot.units)
            }
        }
        kernels = built
        return built
    }
}
