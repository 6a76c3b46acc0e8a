import Foundation
import NoteSequences

/// Everything the registry knows about a stage kind: how to describe it and how to build it from parameters.
public struct StageDefinition: Sendable {
    /// Name in pipeline files ("quantize").
    public var name: String
    /// One line saying what it does.
    public var summary: String
    /// Input type names accepted ("Source" for a stage that starts a pipeline from its own parameters).
    public var accepts: [String]
    /// Output type.
    public var output: StageOutputType
    /// Declared parameters.
    public var parameters: [ParameterSpec]
    /// How many stages it reads: one (the default), a fixed list of named ports, or any number of the same type.
    public var ports: Ports
    /// For a source stage: the inputs it reads, from its parameters (a file, or every MIDI file in a folder).
    public var sources: (@Sendable (StageParameters) throws -> [InputFile])?
    /// Builds the runnable node.
    public var make: @Sendable (StageParameters) throws -> StageNode

    /// Declares a stage.
    public init(name: String, summary: String, accepts: [String], output: StageOutputType, parameters: [ParameterSpec] = [],
                ports: Ports = .one,
                sources: (@Sendable (StageParameters) throws -> [InputFile])? = nil,
                make: @escaping @Sendable (StageParameters) throws -> StageNode) {
        self.name = name
        self.summary = summary
        self.accepts = accepts
        self.output = output
        self.parameters = parameters
        self.ports = ports
        self.sources = sources
        self.make = make
    }

    /// A stage that maps each value with a typed `Stage` made by `stage`: its types are the stage's own, declared
    /// once (the plan checks and `musicvae stages` prints the same types).
    public init<S: Stage>(name: String, summary: String, parameters: [ParameterSpec] = [],
                          sources: (@Sendable (StageParameters) throws -> [InputFile])? = nil,
                          stage make: @escaping @Sendable (StageParameters) throws -> S) {
        self.init(name: name, summary: summary, accepts: [S.Input.typeName], output: .fixed(S.Output.typeName),
                  parameters: parameters, sources: sources) { p in StageNode(name: name, try make(p)) }
    }

    /// A stage that reads every value of one input at once with a typed `GroupStage`.
    public init<S: GroupStage>(name: String, summary: String, parameters: [ParameterSpec] = [],
                               group make: @escaping @Sendable (StageParameters) throws -> S) {
        self.init(name: name, summary: summary, accepts: [S.Input.typeName], output: .fixed(S.Output.typeName),
                  parameters: parameters) { p in StageNode(name: name, group: try make(p)) }
    }

    /// A stage that reads the named ports with a typed `JoinStage`.
    public init<S: JoinStage>(name: String, summary: String, parameters: [ParameterSpec] = [], ports: Ports,
                              join make: @escaping @Sendable (StageParameters) throws -> S) {
        self.init(name: name, summary: summary, accepts: [S.Input.typeName], output: .fixed(S.Output.typeName),
                  parameters: parameters, ports: ports) { p in StageNode(name: name, join: try make(p)) }
    }

    /// A stage over scores (every `ScoreValue` type) with a typed `GroupStage` of note sequences.
    public init<S: GroupStage>(name: String, summary: String, parameters: [ParameterSpec] = [],
                               scores make: @escaping @Sendable (StageParameters) throws -> S) where S.Input == NoteSequence {
        self.init(name: name, summary: summary, accepts: ScoreTypes.names, output: .fixed(S.Output.typeName),
                  parameters: parameters) { p in StageNode(name: name, scores: try make(p)) }
    }

    /// A stage that gives each value back as its own type, one typed case per type it takes.
    public init(name: String, summary: String, parameters: [ParameterSpec] = [], sameType cases: [SameTypeCase]) {
        self.init(name: name, summary: summary, accepts: cases.map(\.typeName), output: .sameAsInput,
                  parameters: parameters) { p in StageNode(name: name, sameType: cases, parameters: p) }
    }

    /// The inputs a stage reads.
    public enum Ports: Sendable, Equatable {
        /// One input: the stage before it, or the one `from:` names.
        case one
        /// Exactly these inputs, in `from:` order (e.g. `interpolate` reads `[start, end]`).
        case named([String])
        /// One or more inputs, all of one type.
        case many

        /// How many `from:` entries fit.
        func accepts(count: Int) -> Bool {
            switch self {
            case .one: return count == 1
            case .named(let names): return count == names.count
            case .many: return count >= 1
            }
        }

        /// "1", "2 (start, end)", "1 or more".
        var expected: String {
            switch self {
            case .one: return "1"
            case .named(let names): return "\(names.count) (" + names.joined(separator: ", ") + ")"
            case .many: return "1 or more"
            }
        }
    }

    /// True for stages that start a pipeline.
    public var isSource: Bool { sources != nil }

    /// The output type when fed `input`, or nil when the stage does not accept it (what the plan checks, before
    /// any stage is built).
    public func outputType(forInput input: String) -> String? { output.given(input, accepts: accepts) }
}

/// The stages a pipeline file can name. Built-in stages are registered on first use; other packages add theirs
/// with `register(_:)` before loading a pipeline (that is all a plugin needs to do).
public final class StageRegistry: @unchecked Sendable {
    /// The registry used by pipeline files and the command-line tool.
    public static let shared: StageRegistry = {
        let r = StageRegistry()
        for d in BuiltinStages.all { try! r.register(d) }
        return r
    }()

    private let lock = NSLock()
    private var definitions: [String: StageDefinition] = [:]
    private var plugins: [String: [String]] = [:]

    /// An empty registry (tests use their own).
    public init() {}

    /// Adds a stage kind; a name can be registered once.
    public func register(_ definition: StageDefinition) throws {
        lock.lock()
        defer { lock.unlock() }
        guard definitions[definition.name] == nil else { throw PipelineError.duplicateStage(definition.name) }
        definitions[definition.name] = definition
    }

    /// The definition of `name`, if registered.
    public func definition(named name: String) -> StageDefinition? {
        lock.lock()
        defer { lock.unlock() }
        return definitions[name]
    }

    /// Every definition, sorted by name.
    public var all: [StageDefinition] {
        lock.lock()
        defer { lock.unlock() }
        return definitions.values.sorted { $0.name < $1.name }
    }

    /// The stages a plugin file registered, if it was loaded.
    public func pluginStages(_ path: String) -> [String]? {
        lock.lock()
        defer { lock.unlock() }
        return plugins[path]
    }

    /// Records that a plugin file registered these stages.
    func notePlugin(_ path: String, stages: [String]) {
        lock.lock()
        defer { lock.unlock() }
        plugins[path] = stages
    }

    /// The registered name closest to `name` (edit distance at most 3), for "did you mean".
    public func closestName(to name: String) -> String? {
        let candidates = all.map(\.name).map { ($0, editDistance($0, name)) }.filter { $0.1 <= 3 }
        return candidates.min { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }?.0
    }
}

/// Levenshtein distance between two short strings.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}
