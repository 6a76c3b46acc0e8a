/// A place in a pipeline file (1-based line and column).
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    /// The pipeline file.
    public var file: String
    /// Line, from 1.
    public var line: Int
    /// Column, from 1.
    public var column: Int
    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
    /// "file.yaml:3:5".
    public var description: String { "\(file):\(line):\(column)" }
}

/// What can be wrong with a pipeline file or its run. Load-time cases carry the location they refer to.
public enum PipelineError: Error, Sendable, Equatable {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The YAML itself is malformed.
    case syntax(SourceLocation, problem: String)
    /// The document has the wrong shape ("stages must be a list").
    case structure(SourceLocation, String)
    /// A stage name nobody registered, with the closest registered name.
    case unknownStage(SourceLocation, name: String, suggestion: String?)
    /// A parameter the stage does not declare.
    case unknownParameter(SourceLocation, stage: String, name: String, known: [String])
    /// A required parameter that is not given.
    case missingParameter(SourceLocation, stage: String, name: String)
    /// A parameter value of the wrong type or out of range.
    case badParameter(SourceLocation, stage: String, name: String, problem: ParameterProblem)
    /// A `${name}` that no variable, input or `--set` defines.
    case undefinedVariable(SourceLocation, name: String)
    /// A stage that cannot take what the previous stage gives.
    case typeMismatch(SourceLocation, stage: String, accepts: [String], given: String, from: String)
    /// The first stage does not start a pipeline, or a source stage stands later.
    case notASource(SourceLocation, stage: String)
    /// A stage that reads input given a `from:`.
    case misplacedSource(SourceLocation, stage: String)
    /// A `from:` naming no stage.
    case unknownReference(SourceLocation, name: String, known: [String])
    /// Two stages with one name.
    case duplicateName(SourceLocation, name: String)
    /// A stage reading the wrong number of stages.
    case wrongInputCount(SourceLocation, stage: String, expected: String, got: Int)
    /// Stages that read each other in a circle.
    case cycle(SourceLocation, stages: [String])
    /// A stage whose output nobody reads (and which writes nothing).
    case unreadStage(SourceLocation, stage: String, type: String)
    /// A declared input that no stage uses.
    case unusedInput(SourceLocation, name: String)
    /// A `--set name=value` for a name the file does not declare, or one written without '='.
    case badOverride(String)
    /// More positional inputs than the file declares.
    case tooManyInputs(file: String, given: Int, declared: [String])
    /// The pipeline has no stages.
    case empty(file: String)
    /// A stage name registered twice.
    case duplicateStage(String)
    /// A stage could not be built from its (valid) parameters.
    case stageSetup(SourceLocation, stage: String, reason: String)
    /// A plugin library that cannot be used.
    case plugin(path: String, reason: String)
    /// A run-time failure of one input (bad MIDI file, unwritable output...).
    case inputFailed(path: String, reason: String)
    /// A stage would write over an input or over another output of the same run (found before anything runs).
    case outputCollision(SourceLocation, stage: String, reason: String)
}

// MARK: - Messages

extension PipelineError: CustomStringConvertible {
    /// "file.yaml:3:5: unknown stage 'quantise' (did you mean 'quantize'?)".
    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read pipeline file: \(reason)"
        case .syntax(let at, let problem):
            return "\(at): YAML syntax error: \(problem)"
        case .structure(let at, let what):
            return "\(at): \(what)"
        case .unknownStage(let at, let name, let suggestion):
            return "\(at): unknown stage '\(name)'" + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")
                + "; `musicvae stages` lists them"
        case .unknownParameter(let at, let stage, let name, let known):
            return "\(at): stage '\(stage)' has no parameter '\(name)'"
                + (known.isEmpty ? " (it takes none)" : "; it takes: " + known.joined(separator: ", "))
        case .missingParameter(let at, let stage, let name):
            return "\(at): stage '\(stage)' needs parameter '\(name)'"
        case .badParameter(let at, let stage, let name, let problem):
            return "\(at): stage '\(stage)', parameter '\(name)': \(problem)"
        case .undefinedVariable(let at, let name):
            return "\(at): variable '${\(name)}' is not defined (declare it under 'vars:' or 'inputs:', or pass --set \(name)=VALUE)"
        case .typeMismatch(let at, let stage, let accepts, let given, let from):
            return "\(at): stage '\(stage)' takes \(accepts.joined(separator: " or ")), but '\(from)' gives \(given)"
        case .notASource(let at, let stage):
            return "\(at): stage '\(stage)' cannot start a pipeline; the first stage must read input (e.g. read-midi)"
        case .misplacedSource(let at, let stage):
            return "\(at): stage '\(stage)' reads the pipeline's input itself; it cannot read another stage ('from:')"
        case .unknownReference(let at, let name, let known):
            return "\(at): 'from' names '\(name)', but no stage has that name (stages: \(known.joined(separator: ", ")))"
        case .duplicateName(let at, let name):
            return "\(at): two stages are called '\(name)'; give one a different 'name:'"
        case .wrongInputCount(let at, let stage, let expected, let got):
            return "\(at): stage '\(stage)' reads \(expected) stage\(expected == "1" ? "" : "s"), but 'from' names \(got)"
        case .cycle(let at, let stages):
            return "\(at): stages read each other in a cycle: " + (stages + [stages[0]]).joined(separator: " -> ")
        case .unreadStage(let at, let stage, let type):
            return "\(at): nothing reads the \(type) values of stage '\(stage)'; connect it ('from: \(stage)') or remove it"
        case .unusedInput(let at, let name):
            return "\(at): input '\(name)' is declared but no stage uses '${\(name)}'"
        case .badOverride(let text):
            return "bad --set '\(text)': \(text.contains("=") ? "the pipeline declares no such variable or input" : "expected name=value")"
        case .tooManyInputs(let file, let given, let declared):
            return "\(file) takes \(declared.count) input\(declared.count == 1 ? "" : "s")"
                + (declared.isEmpty ? "" : " (" + declared.joined(separator: ", ") + ")") + ", but \(given) were given"
                + " (to process many files, give a folder)"
        case .empty(let file):
            return "\(file): the pipeline has no stages"
        case .duplicateStage(let name):
            return "a stage named '\(name)' is already registered"
        case .stageSetup(let at, let stage, let reason):
            return "\(at): stage '\(stage)': \(reason)"
        case .plugin(let path, let reason):
            return "plugin \(path): \(reason)"
        case .inputFailed(let path, let reason):
            return "\(path): \(reason)"
        case .outputCollision(let at, let stage, let reason):
            return "\(at): stage '\(stage)': \(reason); nothing was written"
        }
    }
}
