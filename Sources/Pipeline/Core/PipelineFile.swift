import Foundation
import Yams

/// A pipeline file as written: named inputs, variables and a chain of stages with their raw parameters and the
/// places they stand. `plan(...)` checks it against a registry and turns it into something runnable.
///
/// Format (see Pipelines/README.md):
///
///     inputs: [input]              # positional arguments of `musicvae run`, in order
///     vars:                        # variables with defaults, overridable with --set name=value
///       output: out.mid
///     stages:                      # a chain: each stage takes the previous one's output
///       - read-midi: {path: "${input}"}
///       - quantize: {steps_per_quarter: 4}
///       - write-midi: {path: "${output}"}
public struct PipelineFile: Sendable {
    /// One parameter as written.
    public struct RawParameter: Sendable {
        /// Parameter name.
        public var name: String
        /// Scalar text, or the items of a YAML list.
        public var text: String
        /// Where the value stands.
        public var location: SourceLocation
        /// True for a value given through the API (`PipelineFile(chain:)`): taken as it is, no `${...}` substituted.
        public var literal = false
    }

    /// A stage given through the API: its kind and typed parameter values.
    public struct StageSpec: Sendable {
        /// Stage kind ("slice-bars").
        public var kind: String
        /// Parameter values by name.
        public var parameters: [(name: String, value: ParameterValue)]
        /// A stage spec.
        public init(_ kind: String, _ parameters: [(name: String, value: ParameterValue)] = []) {
            self.kind = kind
            self.parameters = parameters
        }
    }

    /// One stage as written.
    public struct RawStage: Sendable {
        /// Stage kind.
        public var kind: String
        /// Where the stage's name stands.
        public var location: SourceLocation
        /// Its parameters in file order.
        public var parameters: [RawParameter]
        /// Its own name (`name:`), by which other stages read it.
        public var name: String?
        /// The stages it reads (`from:`), with where each reference stands; nil reads the stage before it.
        public var from: [(name: String, location: SourceLocation)]?

        /// The name it is shown and referred to by: its `name:`, else its kind.
        public var label: String { name ?? kind }
    }

    /// The file's path as given.
    public var path: String
    /// Names of positional inputs, in order.
    public var inputs: [String]
    /// Where each input is declared.
    public var inputLocations: [String: SourceLocation] = [:]
    /// Default values of inputs that have one, and of variables.
    public var variables: [String: (value: String, location: SourceLocation)]
    /// The stages in order.
    public var stages: [RawStage]
    /// Plugin libraries to load first (`plugins:`), resolved against the pipeline file's folder.
    public var plugins: [(path: String, location: SourceLocation)] = []

    /// A chain of stages built through the API (no YAML, no substitution): what `train` and other tools use to
    /// run the stages on a corpus. `name` stands for the file in messages.
    public init(chain: [StageSpec], name: String) {
        path = name
        inputs = []
        variables = [:]
        stages = chain.enumerated().map { i, spec in
            let at = SourceLocation(file: name, line: i + 1, column: 1)
            return RawStage(kind: spec.kind, location: at, parameters: spec.parameters.map { p in
                let text: String
                switch p.value {
                case .list(let items): text = items.joined(separator: ",")
                case .ints(let items): text = items.map(String.init).joined(separator: ",")
                default: text = p.value.description
                }
                var raw = RawParameter(name: p.name, text: text, location: at)
                raw.literal = true
                return raw
            }, name: nil, from: nil)
        }
    }

    /// Reads and parses a pipeline file (shape only; `plan` checks the rest).
    public init(path: String) throws {
        try self.init(path: path, depth: 0)
    }

    /// Reads a file `depth` levels down a chain of `extends:`.
    init(path: String, depth: Int) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PipelineError.unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
        try self.init(text: text, path: path, depth: depth)
    }

    /// Parses pipeline text; `path` is used in messages.
    public init(text: String, path: String) throws {
        try self.init(text: text, path: path, depth: 0)
    }

    /// Parses pipeline text `depth` levels down a chain of `extends:`.
    init(text: String, path: String, depth: Int) throws {
        self.path = path
        self.inputs = []
        self.variables = [:]
        self.stages = []
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw PipelineError.empty(file: path) }
            root = node
        } catch let error as YamlError {
            throw Self.syntaxError(error, file: path)
        }
        guard let top = root.mapping else {
            throw PipelineError.structure(loc(root), "a pipeline file is a mapping with 'stages:' (and optional 'inputs:', 'vars:')")
        }
        var sawStages = false
        // `extends: BASE.yaml` first: the base's inputs, variables, stages and plugins, which this file's own
        // `vars:` (and `inputs:`) then override. Errors in the base's stages keep the base file's places.
        if let (_, base) = top.first(where: { $0.0.string == "extends" }) {
            guard let name = base.string, !name.isEmpty else { throw PipelineError.structure(loc(base), "'extends' names a pipeline file") }
            let folder = (path as NSString).deletingLastPathComponent
            let basePath = name.hasPrefix("/") || folder.isEmpty ? name : folder + "/" + name
            guard depth < 8 else { throw PipelineError.structure(loc(base), "'extends' goes more than 8 files deep (a cycle?)") }
            let parent: PipelineFile
            do {
                parent = try PipelineFile(path: basePath, depth: depth + 1)
            } catch PipelineError.unreadable(_, let reason) {
                throw PipelineError.structure(loc(base), "cannot read \(basePath): \(reason)")
            }
            inputs = parent.inputs
            inputLocations = parent.inputLocations
            variables = parent.variables
            stages = parent.stages
            plugins = parent.plugins
            sawStages = true
            if top.contains(where: { $0.0.string == "stages" }) {
                throw PipelineError.structure(loc(base), "a file that extends another takes its stages: set its vars instead of listing stages")
            }
        }
        // `chains:` next: named runs of stages that `use:` items of `stages:` expand in place.
        var chains: [String: [RawStage]] = [:]
        if let (_, value) = top.first(where: { $0.0.string == "chains" }) {
            guard let map = value.mapping else { throw PipelineError.structure(loc(value), "'chains' must be a mapping of name: [stages]") }
            for (k, v) in map {
                guard let name = k.string, let seq = v.sequence, !seq.isEmpty else {
                    throw PipelineError.structure(loc(v), "a chain is a name and a list of stages")
                }
                chains[name] = try seq.map { item in
                    let st = try Self.rawStage(item, file: path)
                    if st.from != nil || st.name != nil {
                        throw PipelineError.structure(st.location, "a stage in a chain reads the stage before it: no 'name' or 'from' inside a chain")
                    }
                    return st
                }
            }
        }
        for (key, value) in top {
            switch key.string ?? "" {
            case "inputs":
                inputs = []
                if let seq = value.sequence {
                    for item in seq {
                        guard let name = item.string else { throw PipelineError.structure(loc(item), "an input is a name") }
                        inputs.append(name)
                        inputLocations[name] = loc(item)
                    }
                } else if let map = value.mapping {
                    for (k, v) in map {
                        guard let name = k.string else { throw PipelineError.structure(loc(k), "an input is a name") }
                        inputs.append(name)
                        inputLocations[name] = loc(k)
                        if let d = v.scalar?.string, !(v.tag.description.hasSuffix("null")) { variables[name] = (d, loc(v)) }
                    }
                } else {
                    throw PipelineError.structure(loc(value), "'inputs' must be a list of names or a mapping of name: default")
                }
            case "extends", "chains":
                break
            case "vars":
                guard let map = value.mapping else { throw PipelineError.structure(loc(value), "'vars' must be a mapping of name: value") }
                for (k, v) in map {
                    guard let name = k.string, let scalar = v.scalar else {
                        throw PipelineError.structure(loc(v), "a variable's value must be a single value")
                    }
                    variables[name] = (scalar.string, loc(v))
                }
            case "stages":
                sawStages = true
                guard let seq = value.sequence else { throw PipelineError.structure(loc(value), "'stages' must be a list") }
                for item in seq {
                    if let use = item.mapping?.first(where: { $0.0.string == "use" }) {
                        stages += try Self.expand(item, use: use.1, chains: chains, file: path)
                    } else {
                        stages.append(try Self.rawStage(item, file: path))
                    }
                }
            case "plugins":
                let items = value.sequence ?? [value]
                let folder = (path as NSString).deletingLastPathComponent
                for item in items {
                    guard let p = item.string, !p.isEmpty else { throw PipelineError.structure(loc(item), "'plugins' lists paths of shared libraries") }
                    let resolved = p.hasPrefix("/") || folder.isEmpty ? p : folder + "/" + p
                    plugins.append((resolved, loc(item)))
                }
            case "name", "description":
                break
            default:
                throw PipelineError.structure(loc(key), "unknown key '\(key.string ?? "?")'; expected inputs, vars, plugins, stages, chains or extends")
            }
        }
        if !sawStages || stages.isEmpty { throw PipelineError.empty(file: path) }

        func loc(_ node: Node) -> SourceLocation { Self.location(node, file: path) }
    }

    static func location(_ node: Node, file: String) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    /// Keys of a stage item that are not the stage's kind.
    static let wiringKeys: Set<String> = ["name", "from"]

    /// The stages of a `use:` item: the chain's stages in place, `${k}` in their parameters replaced by the item's
    /// `with: {k: value}`, the last one named as the item (so `from:` can read it), the others `NAME.kind`; the
    /// first reads what the item reads. Each keeps the place where the chain writes it.
    static func expand(_ item: Node, use: Node, chains: [String: [RawStage]], file: String) throws -> [RawStage] {
        let at = location(use, file: file)
        guard let chainName = use.string, let chain = chains[chainName] else {
            throw PipelineError.structure(at, "'use' names a chain of this file's 'chains:'" + (chains.isEmpty ? " (it has none)" : " (" + chains.keys.sorted().joined(separator: ", ") + ")"))
        }
        var name: String?
        var with: [String: String] = [:]
        var from: [(name: String, location: SourceLocation)]?
        for (k, v) in item.mapping! {
            switch k.string {
            case "use": break
            case "name": name = v.string
            case "with":
                guard let map = v.mapping else { throw PipelineError.structure(location(v, file: file), "'with' is a mapping of name: value") }
                for (wk, wv) in map {
                    guard let n = wk.string, let value = wv.scalar?.string else {
                        throw PipelineError.structure(location(wv, file: file), "a 'with' value is a single value")
                    }
                    with[n] = value
                }
            case "from":
                if let one = v.string { from = [(one, location(v, file: file))] }
                else { from = try (v.sequence ?? []).map { n in
                    guard let s = n.string else { throw PipelineError.structure(location(n, file: file), "'from' lists stage names") }
                    return (s, location(n, file: file))
                } }
            default:
                throw PipelineError.structure(location(k, file: file), "a 'use' item takes name, use, with and from, not '\(k.string ?? "?")'")
            }
        }
        guard let name, !name.isEmpty else { throw PipelineError.structure(at, "a 'use' item needs a 'name', by which later stages read it") }
        return chain.enumerated().map { i, stage in
            var s = stage
            s.name = i == chain.count - 1 ? name : "\(name).\(stage.kind)"
            if i == 0 { s.from = from }
            s.parameters = stage.parameters.map { p in
                var p = p
                for (k, v) in with { p.text = p.text.replacingOccurrences(of: "${\(k)}", with: v) }
                return p
            }
            return s
        }
    }

    static func rawStage(_ item: Node, file: String) throws -> RawStage {
        if let name = item.scalar?.string {
            return RawStage(kind: name, location: location(item, file: file), parameters: [])
        }
        guard let map = item.mapping else {
            throw PipelineError.structure(location(item, file: file), "a stage is written '- name: {param: value, ...}' or '- name'")
        }
        var stageName: String?
        var from: [(name: String, location: SourceLocation)]?
        var kinds: [(Node, Node)] = []
        for (key, value) in map {
            switch key.string {
            case "name":
                guard let n = value.string, !n.isEmpty else {
                    throw PipelineError.structure(location(value, file: file), "'name' must be a word")
                }
                stageName = n
            case "from":
                if let one = value.string {
                    from = [(one, location(value, file: file))]
                } else if let list = value.sequence, !list.isEmpty {
                    from = try list.map { item in
                        guard let n = item.string else {
                            throw PipelineError.structure(location(item, file: file), "'from' lists stage names")
                        }
                        return (n, location(item, file: file))
                    }
                } else {
                    throw PipelineError.structure(location(value, file: file), "'from' is a stage name or a list of them")
                }
            default:
                kinds.append((key, value))
            }
        }
        guard kinds.count == 1, let (key, value) = kinds.first, let kind = key.string else {
            let at = kinds.count > 1 ? location(kinds[1].0, file: file) : location(item, file: file)
            throw PipelineError.structure(at, kinds.isEmpty ? "this stage names no stage kind"
                : "one stage per list item: '\(kinds[0].0.string ?? "?")' and '\(kinds[1].0.string ?? "?")' stand together (start another item with '-')")
        }
        var params: [RawParameter] = []
        if let pmap = value.mapping {
            for (k, v) in pmap {
                guard let pname = k.string else {
                    throw PipelineError.structure(location(k, file: file), "a parameter name must be a word")
                }
                let text: String
                if let s = v.scalar {
                    text = s.string
                } else if let seq = v.sequence {
                    if let nested = seq.first(where: { $0.scalar == nil }) {
                        throw PipelineError.structure(location(nested, file: file), "parameter '\(pname)': a list of plain values is expected, not a nested list or mapping")
                    }
                    text = seq.compactMap { $0.scalar?.string }.joined(separator: ",")
                } else {
                    throw PipelineError.structure(location(v, file: file), "parameter '\(pname)' must be a value or a list of values")
                }
                params.append(RawParameter(name: pname, text: text, location: location(v, file: file)))
            }
        } else if !(value.scalar.map { $0.string.isEmpty || value.tag.description.hasSuffix("null") } ?? false) {
            throw PipelineError.structure(location(value, file: file), "the parameters of '\(kind)' must be a mapping {name: value}")
        }
        return RawStage(kind: kind, location: location(key, file: file), parameters: params, name: stageName, from: from)
    }

    static func syntaxError(_ error: YamlError, file: String) -> PipelineError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return .syntax(SourceLocation(file: file, line: mark.line, column: mark.column), problem: problem)
        default:
            return .syntax(SourceLocation(file: file, line: 1, column: 1), problem: "\(error)")
        }
    }
}
