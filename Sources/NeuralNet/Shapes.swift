// NeuralNet: flat Float buffers on OpenBLAS. No music in this module.
//
// Style (after llm.c): every layer is a forward/backward pair of free functions over flat,
// row-major buffers passed as pointers. The caller owns all memory (activations, gradients,
// scratch), so nothing is allocated inside a time loop. Backward functions ACCUMULATE (+=)
// into parameter gradients and into input gradients, so a buffer shared by several consumers
// just receives the sum; zero gradient buffers before a backward pass.
//
// Shape legend used in every `// shapes:` comment of this module:
//
//   B  batch rows (for a sequence: independent sequences run side by side)
//   T  time steps
//   I  input width of a layer (for one-hot inputs: the number of classes)
//   H  LSTM units of one layer (gates are 4H wide, blocks i, j, f, o)
//   O  output width of a dense layer
//   V  classes of a softmax (vocabulary)
//   Z  latent width (mean / std-dev of a diagonal Gaussian)
//   N  a flat element count, or rows of a flattened [T*B, ...] matrix
//
// Sequence buffers are time-major: [T, B, X] means element (t, b, x) lives at (t*B + b)*X + x.
// Recurrent state buffers carry the initial state at index 0: c and h are [T+1, B, H] and the
// output of step t is at index t+1.

/// Errors raised by NeuralNet (shape mismatches and invalid arguments).
public enum NeuralNetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A tensor's element count does not match the product of its shape.
    case shapeMismatch(expected: [Int], got: [Int])
    /// A named parameter does not exist in a parameter store.
    case unknownParameter(String)
    /// A named parameter was added twice to a parameter store.
    case duplicateParameter(String)
    /// An argument is outside its valid range.
    case invalidArgument(String)

    /// A one-line human-readable description.
    public var description: String {
        switch self {
        case let .shapeMismatch(e, g): return "shape mismatch: expected \(e), got \(g)"
        case let .unknownParameter(n): return "unknown parameter '\(n)'"
        case let .duplicateParameter(n): return "duplicate parameter '\(n)'"
        case let .invalidArgument(s): return "invalid argument: \(s)"
        }
    }
}
