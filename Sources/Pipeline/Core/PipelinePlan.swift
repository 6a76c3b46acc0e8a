import Foundation

/// A pipeline checked against a registry: every stage known, every parameter typed and in range, every
/// connection type-correct, no cycle, nothing left unread. Nothing has run yet.
///
/// The stages form a graph: a stage reads the stage before it, or the stages its `from:` names (a branch is two
/// stages reading one; a join is one stage reading several). Stages that read input themselves (`read-midi`)
/// start branches; stages that nothing reads are the pipeline's results.
public struct PipelinePlan: Sendable {
    /// A checked stage with its built node.
    public struct PlannedStage: Sendable {
        /// The runnable node.
        public var node: StageNode
        /// Its name in the file (`name:`, else its kind).
        public var label: String
        /// Its checked parameters.
        public var parameters: StageParameters
        /// Where it stands in the file.
        public var location: SourceLocation
        /// The type it gives.
        public var outputType: String
        /// The stages it reads (indices into `stages`), in port order; empty for a source stage.
        public var inputs: [Int]
        /// For a source stage, the files it reads.
        public var sourceFiles: [InputFile]
        /// Whether its `path` (for writers) starts with a variable the user set on the command line (an input,
        /// `--set`), so the user, not the pipeline file, chose where it writes.
        public var pathChosenByUser: Bool = false
    }

    /// The file it came from.
    public var file: String
    /// The stages in file order.
    public var stages: [PlannedStage]
    /// An order in which every stage comes after the stages it reads.
    public var order: [Int]
    /// The stages nothing reads: their values are the pipeline's results.
    public var sinks: [Int]
    /// The source stages, in file order.
    public var sourceStages: [Int]
    /// Stages from plugins that were not loaded (see `init`'s `loadPlugins`): checked for their place only.
    public var deferredStages: [String] = []
    /// The type a deferred stage gives: unknown until its plugin is loaded.
    static let unknownType = "?"

    /// A stand-in for a stage of a plugin that was not loaded: any input, unknown output, never run.
    static func deferredDefinition(_ name: String) -> StageDefinition {
        StageDefinition(name: name, summary: "(from a plugin not loaded)", accepts: ["Any"], output: .fixed(unknownType)) { _ in
            StageNode(name: name, accepts: ["Any"], output: .fixed(unknownType)) { _, _ in
                throw PipelineError.plugin(path: name, reason: "stage from a plugin that was not loaded")
            }
        }
    }
    /// The inputs of the run: the first source stage's files. Other source stages are paired with these by
    /// position (or, when they read a single file, give it to every unit).
    public var sources: [InputFile] { sourceStages.first.map { stages[$0].sourceFiles } ?? [] }
    /// The first source stage's name and parameters.
    public var source: (name: String, parameters: StageParameters) {
        let s = stages[sourceStages[0]]
        return (s.label, s.parameters)
    }

    /// Values by name from `--set name=value` texts (a later one for the same name wins); a text without `=` is
    /// an error.
    public static func settings(parsing texts: [String]) throws -> [String: ParameterValue] {
        var out: [String: ParameterValue] = [:]
        for text in texts {
            guard let eq = text.firstIndex(of: "=") else { throw PipelineError.badOverride(text) }
            out[String(text[..<eq]).trimmingCharacters(in: .whitespaces)] = .string(String(text[text.index(after: eq)...]))
        }
        return out
    }

    /// Checks `file` against `registry`. `settings` give values to the file's inputs and variables by name (a name it
    /// does not declare is an error; see `settings(parsing:)` for `--set name=value` texts); `positional` fill the file's
    /// `inputs` in order. Relative paths resolve against the working directory; `${pipeline_dir}` names the
    /// pipeline file's folder. Source inputs are listed only when `listSources` is true (not for `check`).
    /// With `loadPlugins` false (what `musicvae check` does), the file's `plugins:` are not loaded, since loading
    /// runs their code: stages the registry does not know are deferred (`deferredStages`), taking any input and
    /// giving a type that later stages accept, so the rest of the file is still checked.
    public init(file: PipelineFile, registry: StageRegistry = .shared, settings: [String: ParameterValue] = [:], positional: [String] = [],
                listSources: Bool = true, loadPlugins: Bool = true, context: PipelineContext = PipelineContext()) throws {
        self.file = file.path
        let deferUnknown = !loadPlugins && !file.plugins.isEmpty
        var deferred = Set<Int>()   // stages standing in for a plugin's (see `deferredDefinition`)
        for plugin in file.plugins where loadPlugins {
            do {
                try PluginLoader.load(plugin.path, into: registry)
            } catch let PipelineError.plugin(path, reason) {
                throw PipelineError.stageSetup(plugin.location, stage: "plugins", reason: "\(path): \(reason)")
            }
        }
        var vars: [String: String] = file.variables.mapValues(\.value)
        let declared = Set(file.inputs).union(file.variables.keys)
        guard positional.count <= file.inputs.count else {
            throw PipelineError.tooManyInputs(file: file.path, given: positional.count, declared: file.inputs)
        }
        for (name, value) in zip(file.inputs, positional) { vars[name] = value }
        // Variables the user set (inputs given, --set): a writer path starting with one is the user's choice.
        var userSet = Set(file.inputs.prefix(positional.count))
        if !listSources {
            // Checking only: inputs nobody gave stand for themselves, so the rest can be checked.
            for name in file.inputs where vars[name] == nil { vars[name] = name }
        }
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) {
            guard declared.contains(name) else { throw PipelineError.badOverride(name + "=" + value.description) }
            // Substituted into the parameters' text, and checked there by each stage's declared type and range.
            vars[name] = value.description
            userSet.insert(name)
        }
        vars["pipeline_dir"] = (file.path as NSString).deletingLastPathComponent.isEmpty
            ? "." : (file.path as NSString).deletingLastPathComponent

        // Every declared input must be used somewhere (a parameter, or a variable's default).
        let texts = file.stages.flatMap { $0.parameters.map(\.text) } + file.variables.values.map(\.value)
        for name in file.inputs where !texts.contains(where: { $0.contains("${\(name)}") }) {
            throw PipelineError.unusedInput(file.inputLocations[name] ?? SourceLocation(file: file.path, line: 1, column: 1), name: name)
        }

        // Names, and what each stage reads.
        var index: [String: Int] = [:]
        for (i, raw) in file.stages.enumerated() {
            if let name = raw.name, index[name] != nil { throw PipelineError.duplicateName(raw.location, name: name) }
            if raw.name != nil || index[raw.kind] == nil { index[raw.label] = i }
        }
        var definitions: [StageDefinition] = []
        var reads: [[Int]] = []
        for (i, raw) in file.stages.enumerated() {
            let def: StageDefinition
            if let known = registry.definition(named: raw.kind) {
                def = known
            } else if deferUnknown {
                def = Self.deferredDefinition(raw.kind)
                deferred.insert(i)
            } else {
                throw PipelineError.unknownStage(raw.location, name: raw.kind, suggestion: registry.closestName(to: raw.kind))
            }
            definitions.append(def)
            if def.isSource {
                if raw.from != nil { throw PipelineError.misplacedSource(raw.location, stage: raw.label) }
                reads.append([])
            } else if let from = raw.from {
                reads.append(try from.map { ref in
                    guard let k = index[ref.name] else {
                        throw PipelineError.unknownReference(ref.location, name: ref.name, known: file.stages.map(\.label))
                    }
                    return k
                })
                guard def.ports.accepts(count: from.count) else {
                    throw PipelineError.wrongInputCount(raw.location, stage: raw.label, expected: def.ports.expected, got: from.count)
                }
            } else {
                guard i > 0 else { throw PipelineError.notASource(raw.location, stage: raw.kind) }
                guard def.ports.accepts(count: 1) else {
                    throw PipelineError.wrongInputCount(raw.location, stage: raw.label, expected: def.ports.expected, got: 1)
                }
                reads.append([i - 1])
            }
        }
        let order = try Self.topologicalOrder(reads, labels: file.stages.map(\.label), locations: file.stages.map(\.location))

        // Check: parameters and types, from the definitions alone, in an order where inputs come first.
        var checked = [(label: String, parameters: StageParameters, outputType: String, files: [InputFile], chosen: Bool)?](
            repeating: nil, count: file.stages.count)
        for i in order {
            let raw = file.stages[i]
            let def = definitions[i]
            var params = deferred.contains(i) ? StageParameters([:]) : try Self.check(raw, against: def, variables: vars)
            params.context = context
            var chosen = false
            if let parameter = raw.parameters.first(where: { $0.name == "path" }) {
                let path = parameter.text.trimmingCharacters(in: .whitespaces)
                // Chosen by the user: set through an input or --set, or given through the API by the program that
                // asks for this pipeline on the user's behalf (`train --data`).
                chosen = parameter.literal || userSet.contains { path.hasPrefix("${\($0)}") }
                    || file.variables.contains { name, v in path.hasPrefix("${\(name)}") && userSet.contains { v.value.hasPrefix("${\($0)}") } }
            }
            var files: [InputFile] = []
            if let list = def.sources, listSources {
                // A path the user gave (an input, --set) is theirs to fix: its error names the path alone, not a line
                // of a pipeline file they may never have opened.
                do { files = try list(params) } catch let error as PipelineError where chosen {
                    throw error
                } catch {
                    throw PipelineError.stageSetup(raw.location, stage: raw.label, reason: "\(error)")
                }
            }
            let given = def.isSource ? [InputFile.typeName] : reads[i].map { checked[$0]!.outputType }
            var out: String?
            for (k, type) in given.enumerated() {
                // After a deferred stage the type is unknown: take it, and give what the stage gives.
                let known: String? = type == Self.unknownType
                    ? { if case .fixed(let t) = def.output { return t } else { return Self.unknownType } }()
                    : def.outputType(forInput: type)
                guard let o = known else {
                    let from = def.isSource ? "the pipeline's input" : checked[reads[i][k]]!.label
                    throw PipelineError.typeMismatch(raw.location, stage: raw.label, accepts: def.accepts, given: type, from: from)
                }
                if let previous = out, previous != o {
                    throw PipelineError.typeMismatch(raw.location, stage: raw.label, accepts: [previous], given: type,
                                                     from: checked[reads[i][k]]!.label)
                }
                out = o
            }
            checked[i] = (raw.label, params, out ?? "", files, chosen)
        }

        // Instantiate: the runnable nodes (model stages read no weights here: they load them on first use).
        var planned = [PlannedStage?](repeating: nil, count: file.stages.count)
        for i in order {
            let raw = file.stages[i], c = checked[i]!
            var node: StageNode
            do { node = try definitions[i].make(c.parameters) } catch {
                throw PipelineError.stageSetup(raw.location, stage: raw.label, reason: "\(error)")
            }
            node.name = raw.label
            var stage = PlannedStage(node: node, label: raw.label, parameters: c.parameters, location: raw.location,
                                     outputType: c.outputType, inputs: reads[i], sourceFiles: c.files)
            stage.pathChosenByUser = c.chosen
            planned[i] = stage
        }
        stages = planned.map { $0! }
        self.order = order

        // Results: stages nothing reads. Besides the last stage, only writers may be left unread.
        let read = Set(reads.flatMap { $0 })
        sinks = stages.indices.filter { !read.contains($0) }
        deferredStages = deferred.sorted().map { file.stages[$0].label }
        for i in sinks where i != stages.count - 1 && stages[i].outputType != WrittenFile.typeName && stages[i].outputType != Self.unknownType {
            throw PipelineError.unreadStage(stages[i].location, stage: stages[i].label, type: stages[i].outputType)
        }
        sourceStages = stages.indices.filter { definitions[$0].isSource }
        if listSources {
            let counts = sourceStages.map { stages[$0].sourceFiles.count }
            if let first = counts.first, counts.contains(where: { $0 != first && $0 != 1 }) {
                let s = stages[sourceStages[counts.firstIndex { $0 != first && $0 != 1 }!]]
                throw PipelineError.stageSetup(s.location, stage: s.label,
                                               reason: "reads \(s.sourceFiles.count) files, but '\(stages[sourceStages[0]].label)' reads \(first); sources are paired file by file")
            }
        }
    }

    /// Kahn's algorithm in file order; a cycle is reported at its first stage.
    static func topologicalOrder(_ reads: [[Int]], labels: [String], locations: [SourceLocation]) throws -> [Int] {
        // Kahn's algorithm, taking the lowest ready index first (the same order as always picking the first stage
        // whose inputs are done), in O(n log n): a pipeline of 40,000 stages checks as fast as its parsing.
        let remaining = reads.map { Set($0) }
        var waiting = remaining.map(\.count)
        var readers = [[Int]](repeating: [], count: reads.count)
        for (i, r) in remaining.enumerated() { for k in r { readers[k].append(i) } }
        var ready = MinHeap(remaining.indices.filter { waiting[$0] == 0 })
        var order: [Int] = []
        order.reserveCapacity(reads.count)
        while let next = ready.pop() {
            order.append(next)
            for r in readers[next] {
                waiting[r] -= 1
                if waiting[r] == 0 { ready.push(r) }
            }
        }
        if order.count < reads.count {
            let done = Set(order)
            // Walk back from a stage that is not done to find the cycle.
            var k = remaining.indices.first { !done.contains($0) }!
            var path: [Int] = []
            var onPath = Set<Int>()
            while !onPath.contains(k) {
                path.append(k)
                onPath.insert(k)
                k = remaining[k].first { !done.contains($0) }!
            }
            let flow = Array(path[path.firstIndex(of: k)!...].reversed())   // in the direction values flow
            let first = flow.firstIndex(of: flow.min()!)!
            let rotated = Array(flow[first...] + flow[..<first])
            throw PipelineError.cycle(locations[rotated[0]], stages: rotated.map { labels[$0] })
        }
        return order
    }

    /// Checks one stage's parameters: known names, types, ranges, required ones present, `${var}` defined.
    static func check(_ raw: PipelineFile.RawStage, against def: StageDefinition, variables: [String: String]) throws -> StageParameters {
        var values: [String: ParameterValue] = [:]
        for p in raw.parameters {
            guard let spec = def.parameters.first(where: { $0.name == p.name }) else {
                throw PipelineError.unknownParameter(p.location, stage: raw.kind, name: p.name, known: def.parameters.map(\.name))
            }
            let text = p.literal ? p.text : try substitute(p.text, variables: variables, at: p.location)
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

/// A binary min-heap of stage indices (the ready stages of `topologicalOrder`).
struct MinHeap {
    private var items: [Int] = []

    init(_ values: [Int]) { for v in values { push(v) } }

    mutating func push(_ v: Int) {
        items.append(v)
        var i = items.count - 1
        while i > 0, items[(i - 1) / 2] > items[i] {
            items.swapAt(i, (i - 1) / 2)
            i = (i - 1) / 2
        }
    }

    mutating func pop() -> Int? {
        guard let top = items.first else { return nil }
        items[0] = items[items.count - 1]
        items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count, items[l] < items[m] { m = l }
            if r < items.count, items[r] < items[m] { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}
