/// A dense row-major Float tensor: a shape and its flat storage.
public struct Tensor: Sendable, Equatable {
    /// The extent of each dimension, outermost first.
    public var shape: [Int]
    /// The elements in row-major order; `data.count == shape.reduce(1, *)`.
    public var data: [Float]

    /// A tensor of zeros with the given shape.
    public init(zeros shape: [Int]) {
        self.shape = shape
        self.data = [Float](repeating: 0, count: shape.reduce(1, *))
    }

    /// A tensor over existing storage; throws if the count does not match the shape.
    public init(shape: [Int], data: [Float]) throws {
        guard data.count == shape.reduce(1, *) else {
            throw NeuralNetError.shapeMismatch(expected: shape, got: [data.count])
        }
        self.shape = shape
        self.data = data
    }

    /// The number of elements.
    public var count: Int { data.count }

    /// The element at a multi-dimensional index (slow; for tests and inspection).
    public subscript(_ index: Int...) -> Float {
        get { data[flatIndex(index)] }
        set { data[flatIndex(index)] = newValue }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index rank \(index.count) != tensor rank \(shape.count)")
        var f = 0
        for (i, n) in zip(index, shape) {
            precondition(i >= 0 && i < n, "index \(index) out of bounds for shape \(shape)")
            f = f * n + i
        }
        return f
    }
}
