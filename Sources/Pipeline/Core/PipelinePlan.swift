import Foundation

/// A pipeline checked against a registry: every stage known, every parameter typed and in range, every
/// connection type-correct. Nothing has run yet.
public struct PipelinePlan: Sendable {
    /// A checked stage with its built node.
    public struct PlannedStage: Sendable {
        /// The runnable node.
        public var node: StageNode
        /// Its checked parameters.
        public var parameters: StageParameters
        /// Where it stands in the file.
        public var location: SourceLocation
        /// The type it gives.
        public var outputType: String
    }

    /// The file it came from.
    public var file: String
    /// The inputs of the run (what the first stage reads).
    public var sources: [InputFile]
    /// The stages in order, the source stage first (it turns each `InputFile` into values).
    public var stages: [PlannedStage]
    /// The source stage's name and parameters.
    public var source: (name: String, parameters: StageParameters)

    /// Checks `file` against `registry`. `overrides` are `--set name=value` texts; `positional` fill the file's
    /// `inputs` in order. Relative paths resolve against the working directory; `${pipeline_dir}` names the
    /// pipeline file's folder. Source inputs are listed only when `listSources` is true (not for `check`).
    public init(file: PipelineFile, registry: StageRegistry = .shared, overrides: [String] = [], positional: [String] = [],
                listSources: Bool = true) throws {
        self.file = file.path
        var vars: [String: String] = file.variables.mapValues(\.value)
        let declared = Set(file.inputs).union(file.variables.keys)
        guard positional.count <= file.inputs.count else {
            throw PipelineError.tooManyInputs(file: file.path, given: positional.count, declared: file.inputs)
        }
        for (name, value) in zip(file.inputs, positional) { vars[name] = value }
        if !listSources {
            // Checking only: inputs nobody gave stand for themselves, so the rest can be checked.
            for name in file.inputs where vars[name] == nil { vars[name] = name }
        }
        for text in overrides {
            guard let eq = text.firstIndex(of: "=") else { throw PipelineError.badOverride(text) }
            let name = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
            guard declared.contains(name) else { throw PipelineError.badOverride(text) }
            vars[name] = String(text[text.index(after: eq)...])
        }
        vars["pipeline_dir"] = (file.path as NSString).deletingLastPathComponent.isEmpty
            ? "." : (file.path as NSString).deletingLastPathComponent

        var stages: [PlannedStage] = []
        var source: (String, StageParameters)?
        var sources: [InputFile] = []
        var currentType = "Source"
        var previousName = ""
        for (i, raw) in file.stages.enumerated() {
            guard let def = registry.definition(named: raw.kind) else {
                throw PipelineError.unknownStage(raw.location, name: raw.kind, suggestion: registry.closestName(to: raw.kind))
            }
            let params = try Self.check(raw, against: def, variables: vars)
            if i == 0 {
                guard let list = def.sources else { throw PipelineError.notASource(raw.location, stage: raw.kind) }
                source = (raw.kind, params)
                if listSources {
                    do { sources = try list(params) } catch {
                        throw PipelineError.stageSetup(raw.location, stage: raw.kind, reason: "\(error)")
                    }
                }
                currentType = InputFile.typeName
                previousName = "the pipeline's input"
            } else if def.isSource {
                throw PipelineError.misplacedSource(raw.location, stage: raw.kind)
            }
            let node: StageNode
            do { node = try def.make(params) } catch {
                throw PipelineError.stageSetup(raw.location, stage: raw.kind, reason: "\(error)")
            }
            guard let out = node.outputType(forInput: currentType) else {
                throw PipelineError.typeMismatch(raw.location, stage: raw.kind, accepts: node.accepts, given: currentType, from: previousName)
            }
            stages.append(PlannedStage(node: node, parameters: params, location: raw.location, outputType: out))
            currentType = out
            previousName = raw.kind
        }
        self.stages = stages
        self.sources = sources
        self.source = source!
    }

    /// Checks one stage's parameters: known names, types, ranges, required ones present, `${var}` defined.
    static func check(_ raw: PipelineFile.RawStage, against def: StageDefinition, variables: [String: String]) throws -> StageParameters {
        var values: [String: ParameterValue] = [:]
        for p in raw.parameters {
            guard let spec = def.parameters.first(where: { $0.name == p.name }) else {
                throw PipelineError.unknownParameter(p.location, stage: raw.kind, name: p.name, known: def.parameters.map(\.name))
            }
            let text = try substitute(p.text, variables: variables, at: p.location)
            switch spec.parse(text) {
            case .success(var v):
                if spec.type == .path, case .string(let s) = v { v = .string(resolvePath(s)) }
                values[p.name] = v
            case .failure(let problem):
                throw PipelineError.badParameter(p.location, stage: raw.kind, name: p.name, problem: problem)
            }
        }
        for spec in def.parameters where values[spec.name] == nil {
            guard var d = spec.defaultValue else {
                throw PipelineError.missingParameter(raw.location, stage: raw.kind, name: spec.name)
            }
            if spec.type == .path, case .string(let s) = d, !s.isEmpty { d = .string(resolvePath(s)) }
            values[spec.name] = d
        }
        return StageParameters(values)
    }

    /// Replaces every `${name}` in `text`.
    static func substitute(_ text: String, variables: [String: String], at location: SourceLocation) throws -> String {
        guard text.contains("${") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                out += rest[open.lowerBound...]
                return out
            }
            let name = String(rest[open.upperBound..<close])
            guard let value = variables[name] else { throw PipelineError.undefinedVariable(location, name: name) }
            out += value
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// Makes a relative path absolute against the working directory (and expands a leading `~/`).
    static func resolvePath(_ path: String) -> String {
        if path.isEmpty || path.hasPrefix("/") { return path }
        if path.hasPrefix("~/") { return (path as NSString).expandingTildeInPath }
        let cwd = FileManager.default.currentDirectoryPath
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: cwd, isDirectory: true)).standardizedFileURL.path
    }
}
