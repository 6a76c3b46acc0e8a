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

/// A stage that reads several stages (`from: [a, b]`): the values of each port, in `from:` order, of one input.
public protocol JoinStage: Sendable {
    /// What the stage takes on every port.
    associatedtype Input: PipelineValue
    /// What the stage gives.
    associatedtype Output: PipelineValue
    /// Processes the values of every port together.
    func process(ports: [[Input]], drops: inout DropCounts) throws -> [Output]
}

/// A value given to a stage that does not take its type: an error (the plan's type check should have refused it),
/// never a silent drop.
public struct MistypedValue: Error, CustomStringConvertible {
    /// The type the stage takes, and the one it got.
    public var expected: [String], got: String
    /// A one-line message.
    public var description: String { "got a \(got) where " + expected.joined(separator: " or ") + " was expected" }
}

/// One input type of a stage that takes several and gives each value back as its own type (`transpose`).
public struct SameTypeCase: Sendable {
    /// The type this case takes and gives.
    public let typeName: String
    let run: @Sendable (PipelineValues, StageParameters, inout DropCounts) throws -> PipelineValues

    /// The case for values of type `T`: `body` maps one value (nil: dropped, and counted by `body`).
    public static func of<T: PipelineValue>(_ type: T.Type,
                                            _ body: @escaping @Sendable (T, StageParameters, inout DropCounts) throws -> T?) -> SameTypeCase {
        SameTypeCase(typeName: T.typeName) { values, p, drops in
            PipelineValues(try values.typed(T.self).compactMap { try body($0, p, &drops) })
        }
    }
}

/// What a stage's output type is: fixed, or whatever type it was given (a transpose of a window is a window).
public enum StageOutputType: Sendable, Equatable {
    /// Always this type.
    case fixed(String)
    /// The type of the input.
    case sameAsInput

    /// The type given when fed `input` by a stage that accepts `accepts` ("Any": everything), or nil when it is
    /// not accepted.
    public func given(_ input: String, accepts: [String]) -> String? {
        guard accepts.contains(input) || accepts.contains("Any") else { return nil }
        switch self {
        case .fixed(let t): return t
        case .sameAsInput: return input
        }
    }
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
    /// The values as type `T` (without copying each, when they are of one type); a value of another type is an
    /// error.
    public func typed<T: PipelineValue>(_ type: T.Type = T.self) throws -> [T] {
        if let same = box as? TypedValueArray<T> { return same.items }
        return try box.all.map { v in
            guard let t = v as? T else { throw MistypedValue(expected: [T.typeName], got: v.pipelineTypeName) }
            return t
        }
    }

    /// The type name of the values, when they are all of one type.
    var typeName: String? { box.typeName }
    /// Every value, type-erased.
    public var all: [any PipelineValue] { box.all }
}

/// Storage behind `PipelineValues`.
protocol PipelineValueArray: Sendable {
    var count: Int { get }
    var all: [any PipelineValue] { get }
    var typeName: String? { get }
}

struct TypedValueArray<T: PipelineValue>: PipelineValueArray {
    let items: [T]
    var count: Int { items.count }
    var all: [any PipelineValue] { items }
    var typeName: String? { T.typeName }
}

struct MixedValueArray: PipelineValueArray {
    let items: [any PipelineValue]
    var count: Int { items.count }
    var all: [any PipelineValue] { items }
    var typeName: String? {
        let names = Set(items.map(\.pipelineTypeName))
        return names.count == 1 ? names.first : nil
    }
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
            for input in try values.typed(S.Input.self) { out += try stage.process(input, drops: &drops) }
            return PipelineValues(out)
        }
    }

    /// Wraps a typed group stage.
    public init<S: GroupStage>(name: String, group stage: S) {
        self.name = name
        self.accepts = [S.Input.typeName]
        self.output = .fixed(S.Output.typeName)
        self.mode = .group
        self.run = { values, drops in PipelineValues(try stage.process(group: try values.typed(S.Input.self), drops: &drops)) }
    }

    /// Wraps a typed join stage.
    public init<S: JoinStage>(name: String, join stage: S) {
        self.name = name
        self.accepts = [S.Input.typeName]
        self.output = .fixed(S.Output.typeName)
        self.mode = .join
        self.run = { values, drops in PipelineValues(try stage.process(ports: [try values.typed(S.Input.self)], drops: &drops)) }
        self.runJoin = { ports, drops in PipelineValues(try stage.process(ports: try ports.map { try $0.typed(S.Input.self) }, drops: &drops)) }
    }

    /// Wraps a typed group stage over scores that takes every `ScoreValue` type (a quantized sequence is read at
    /// MIDI resolution).
    public init<S: GroupStage>(name: String, scores stage: S) where S.Input == NoteSequence {
        self.name = name
        self.accepts = ScoreTypes.names
        self.output = .fixed(S.Output.typeName)
        self.mode = .group
        self.run = { values, drops in
            let scores = try values.all.map { v -> NoteSequence in
                guard let s = v as? any ScoreValue else { throw MistypedValue(expected: ScoreTypes.names, got: v.pipelineTypeName) }
                return s.score
            }
            return PipelineValues(try stage.process(group: scores, drops: &drops))
        }
    }

    /// A node for a stage that gives each value back as its own type: one case per type it takes.
    public init(name: String, sameType cases: [SameTypeCase], parameters: StageParameters) {
        self.name = name
        self.accepts = cases.map(\.typeName)
        self.output = .sameAsInput
        self.mode = .each
        self.run = { values, drops in
            guard !values.isEmpty else { return .empty }
            guard let type = values.typeName, let c = cases.first(where: { $0.typeName == type }) else {
                throw MistypedValue(expected: cases.map(\.typeName), got: values.typeName ?? "mixture of types")
            }
            return try c.run(values, parameters, &drops)
        }
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
    public func outputType(forInput input: String) -> String? { output.given(input, accepts: accepts) }
}
