/// Named tensors stored back to back in one flat Float array (so an optimizer sees one vector).
public struct ParameterStore: Sendable, Equatable {
    /// One named tensor inside the flat storage.
    public struct Entry: Sendable, Equatable {
        /// The tensor's name (e.g. a TensorFlow variable name).
        public let name: String
        /// The tensor's shape, outermost first.
        public let shape: [Int]
        /// Index of its first element in `values`.
        public let offset: Int
        /// Its element count.
        public var count: Int { shape.reduce(1, *) }
    }

    /// The tensors in definition order.
    public private(set) var entries: [Entry] = []
    /// All elements of all tensors, concatenated in definition order.
    public var values: [Float] = []
    private var index: [String: Int] = [:]

    /// An empty store.
    public init() {}

    /// The total number of scalars.
    public var count: Int { values.count }

    /// Appends a zero tensor; throws `duplicateParameter` if the name exists.
    @discardableResult
    public mutating func add(_ name: String, shape: [Int]) throws -> Entry {
        guard index[name] == nil else { throw NeuralNetError.duplicateParameter(name) }
        let e = Entry(name: name, shape: shape, offset: values.count)
        index[name] = entries.count
        entries.append(e)
        values.append(contentsOf: repeatElement(0, count: e.count))
        return e
    }

    /// The entry for `name`, or nil.
    public func entry(_ name: String) -> Entry? { index[name].map { entries[$0] } }

    /// Whether a tensor with this name exists.
    public func contains(_ name: String) -> Bool { index[name] != nil }

    /// A copy of the named tensor.
    public func tensor(_ name: String) throws -> Tensor {
        guard let e = entry(name) else { throw NeuralNetError.unknownParameter(name) }
        return try Tensor(shape: e.shape, data: Array(values[e.offset..<e.offset + e.count]))
    }

    /// Overwrites the named tensor; its shape must match.
    public mutating func set(_ name: String, _ t: Tensor) throws {
        guard let e = entry(name) else { throw NeuralNetError.unknownParameter(name) }
        guard t.shape == e.shape else { throw NeuralNetError.shapeMismatch(expected: e.shape, got: t.shape) }
        values.replaceSubrange(e.offset..<e.offset + e.count, with: t.data)
    }

    /// The named slice of another flat array laid out like this store (e.g. gradients).
    public func slice(_ name: String, of flat: [Float]) throws -> Tensor {
        guard let e = entry(name) else { throw NeuralNetError.unknownParameter(name) }
        return try Tensor(shape: e.shape, data: Array(flat[e.offset..<e.offset + e.count]))
    }
}
