import NoteSequences

/// A pipeline stage: takes one input and returns zero or more outputs, so filters and fan-out need no special case.
/// Whatever it leaves out it counts in `drops`, by reason.
public protocol Stage: Sendable {
    /// What the stage takes.
    associatedtype Input: PipelineValue
    /// What the stage gives.
    associatedtype Output: PipelineValue
    /// Processes one input.
    func process(_ input: Input, drops: inout DropCounts) throws -> [Output]
}

/// A stage that needs all values that one source file produced at once (joining windows back into a piece).
public protocol GroupStage: Sendable {
    /// What the stage takes.
    associatedtype Input: PipelineValue
    /// What the stage gives.
    associatedtype Output: PipelineValue
    /// Processes every input of one source file together.
    func process(group: [Input], drops: inout DropCounts) throws -> [Output]
}

/// What a stage's output type is: fixed, or whatever type it was given (a transpose of a window is a window).
public enum StageOutputType: Sendable, Equatable {
    /// Always this type.
    case fixed(String)
    /// The type of the input.
    case sameAsInput
}

/// The values flowing from one stage to the next: a typed array behind one existential, so a typed stage reads
/// the values of the stage before it without casting (or boxing) each one.
public struct PipelineValues: Sendable {
    let box: any PipelineValueArray

    /// Values of one type.
    public init<T: PipelineValue>(_ items: [T]) { box = TypedValueArray(items: items) }
    /// Values of any types.
    public init(mixed items: [any PipelineValue]) { box = MixedValueArray(items: items) }
    /// No values.
    public static let empty = PipelineValues(mixed: [])

    /// How many values.
    public var count: Int { box.count }
    /// True when there are none.
    public var isEmpty: Bool { box.count == 0 }
    /// The values of type `T` (all of them, when they are of one type, without copying each).
    public func typed<T: PipelineValue>(_ type: T.Type = T.self) -> [T] {
        if let same = box as? TypedValueArray<T> { return same.items }
        return box.all.compactMap { $0 as? T }
    }
    /// Every value, type-erased.
    public var all: [any PipelineValue] { box.all }
}

/// Storage behind `PipelineValues`.
protocol PipelineValueArray: Sendable {
    var count: Int { get }
    var all: [any PipelineValue] { get }
}

struct TypedValueArray<T: PipelineValue>: PipelineValueArray {
    let items: [T]
    var count: Int { items.count }
    var all: [any PipelineValue] { items }
}

struct MixedValueArray: PipelineValueArray {
    let items: [any PipelineValue]
    var count: Int { items.count }
    var all: [any PipelineValue] { items }
}

/// A ready-to-run stage with its types erased: the runner's unit of work.
public struct StageNode: Sendable {
    /// How a node sees its inputs: every value of the stage before it, mapped one by one (`each`), all values of
    /// one source file together (`group`), or, for a stage that reads several stages, the values of each (`join`).
    public enum Mode: Sendable { case each, group, join }
    /// The stage's name in the registry (or its `name:` in the pipeline file).
    public var name: String
    /// Input type names the stage accepts.
    public var accepts: [String]
    /// Output type.
    public var output: StageOutputType
    /// How it sees its inputs.
    public var mode: Mode
    /// The work: the values it reads to the values it gives.
    public var run: @Sendable (PipelineValues, inout DropCounts) throws -> PipelineValues
    /// The work of a `.join` node: the values of each input port, in `from:` order, to outputs.
    public var runJoin: (@Sendable ([PipelineValues], inout DropCounts) throws -> PipelineValues)?

    /// Wraps a typed stage: values pass as typed arrays, with no cast per value.
    public init<S: Stage>(name: String, _ stage: S) {
        self.name = name
        self.accepts = [S.Input.typeName]
        self.output = .fixed(S.Output.typeName)
        self.mode = .each
        self.run = { values, drops in
            var out: [S.Output] = []
            for input in values.typed(S.Input.self) { out += try stage.process(input, drops: &drops) }
            return PipelineValues(out)
        }
    }

    /// Wraps a typed group stage.
    public init<S: GroupStage>(name: String, group stage: S) {
        self.name = name
        self.accepts = [S.Input.typeName]
        self.output = .fixed(S.Output.typeName)
        self.mode = .group
        self.run = { values, drops in PipelineValues(try stage.process(group: values.typed(S.Input.self), drops: &drops)) }
    }

    /// A node from its parts (for stages that accept several types): `body` maps type-erased values.
    public init(name: String, accepts: [String], output: StageOutputType, mode: Mode = .each,
                body: @escaping @Sendable ([any PipelineValue], inout DropCounts) throws -> [any PipelineValue]) {
        self.name = name
        self.accepts = accepts
        self.output = output
        self.mode = mode
        self.run = { values, drops in PipelineValues(mixed: try body(values.all, &drops)) }
    }

    /// A node that reads several stages: `body` gets the values of every port, port by port.
    public static func join(name: String, accepts: [String], output: StageOutputType,
                            body: @escaping @Sendable ([[any PipelineValue]], inout DropCounts) throws -> [any PipelineValue]) -> StageNode {
        var node = StageNode(name: name, accepts: accepts, output: output, mode: .join) { values, drops in try body([values], &drops) }
        node.runJoin = { ports, drops in PipelineValues(mixed: try body(ports.map(\.all), &drops)) }
        return node
    }

    /// The output type when fed `input`, or nil when the stage does not accept it.
    public func outputType(forInput input: String) -> String? {
        guard accepts.contains(input) || accepts.contains("Any") else { return nil }
        switch output {
        case .fixed(let t): return t
        case .sameAsInput: return input
        }
    }
}
