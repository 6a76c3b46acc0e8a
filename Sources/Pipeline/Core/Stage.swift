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

/// A ready-to-run stage with its types erased: the runner's unit of work.
public struct StageNode: Sendable {
    /// How a node sees its inputs: one value at a time, all values of one source at once, or (for a stage that
    /// reads several stages) all values of each of its inputs, port by port.
    public enum Mode: Sendable { case each, group, join }
    /// The stage's name in the registry.
    public var name: String
    /// Input type names the stage accepts.
    public var accepts: [String]
    /// Output type.
    public var output: StageOutputType
    /// One input at a time, or all of a source file's values together.
    public var mode: Mode
    /// The work: inputs (one, or a group) to outputs.
    public var body: @Sendable ([any PipelineValue], inout DropCounts) throws -> [any PipelineValue]
    /// The work of a `.join` node: the values of each input port, in `from:` order, to outputs.
    public var joinBody: (@Sendable ([[any PipelineValue]], inout DropCounts) throws -> [any PipelineValue])?

    /// Wraps a typed stage.
    public init<S: Stage>(name: String, _ stage: S) {
        self.name = name
        self.accepts = [S.Input.typeName]
        self.output = .fixed(S.Output.typeName)
        self.mode = .each
        self.body = { inputs, drops in
            var out: [any PipelineValue] = []
            for case let input as S.Input in inputs { out += try stage.process(input, drops: &drops) as [any PipelineValue] }
            return out
        }
    }

    /// Wraps a typed group stage.
    public init<S: GroupStage>(name: String, group stage: S) {
        self.name = name
        self.accepts = [S.Input.typeName]
        self.output = .fixed(S.Output.typeName)
        self.mode = .group
        self.body = { inputs, drops in
            try stage.process(group: inputs.compactMap { $0 as? S.Input }, drops: &drops)
        }
    }

    /// A node from its parts (for stages that accept several types).
    public init(name: String, accepts: [String], output: StageOutputType, mode: Mode = .each,
                body: @escaping @Sendable ([any PipelineValue], inout DropCounts) throws -> [any PipelineValue]) {
        self.name = name
        self.accepts = accepts
        self.output = output
        self.mode = mode
        self.body = body
    }

    /// A node that reads several stages: `body` gets the values of every port, port by port.
    public static func join(name: String, accepts: [String], output: StageOutputType,
                            body: @escaping @Sendable ([[any PipelineValue]], inout DropCounts) throws -> [any PipelineValue]) -> StageNode {
        var node = StageNode(name: name, accepts: accepts, output: output, mode: .join) { values, drops in try body([values], &drops) }
        node.joinBody = body
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
