import Foundation
import NoteSequences

/// Loads stages from a shared library at run time through a small C ABI, so plugins can be written in any
/// language and do not depend on this package's Swift ABI:
///
///     int32_t     musicvae_plugin_abi_version(void);        // must return 1
///     const char *musicvae_plugin_manifest(void);           // JSON: {"stages": [{name, summary, accepts, output, parameters}]}
///     char       *musicvae_plugin_process(const char *stage, const char *parameters_json, const char *input_json);
///     void        musicvae_plugin_free(char *);             // frees what process returned
///
/// `accepts`/`output` are type names ("NoteSequence", "QuantizedSequence"); a parameter is
/// `{"name", "type": "int|number|bool|string", "default", "min", "max", "doc"}`. `process` gets one input value as
/// JSON (see `PluginCodec`) and returns a JSON array of output values, or `{"error": "..."}`.
public enum PluginLoader {
    /// The ABI version this host speaks.
    public static let abiVersion: Int32 = 1

    typealias VersionFunction = @convention(c) () -> Int32
    typealias ManifestFunction = @convention(c) () -> UnsafePointer<CChar>?
    typealias ProcessFunction = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafePointer<CChar>) -> UnsafeMutablePointer<CChar>?
    typealias FreeFunction = @convention(c) (UnsafeMutablePointer<CChar>?) -> Void

    /// Loads the plugin at `path` and registers its stages; returns their names. Loading the same file twice is a
    /// no-op. Errors name the file: missing, not a shared library, no entry point, wrong ABI, bad manifest, or a
    /// stage name that is already registered.
    @discardableResult
    public static func load(_ path: String, into registry: StageRegistry = .shared) throws -> [String] {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if let names = registry.pluginStages(absolute) { return names }
        guard FileManager.default.fileExists(atPath: absolute) else { throw PipelineError.plugin(path: path, reason: "no such file") }
        guard let handle = dlopen(absolute, RTLD_NOW | RTLD_LOCAL) else {
            throw PipelineError.plugin(path: path, reason: dlerror().map { String(cString: $0) } ?? "cannot load")
        }
        func symbol<T>(_ name: String, as type: T.Type) throws -> T {
            guard let p = dlsym(handle, name) else {
                throw PipelineError.plugin(path: path, reason: "no entry point '\(name)': not a musicvae plugin")
            }
            return unsafeBitCast(p, to: type)
        }
        let version = try symbol("musicvae_plugin_abi_version", as: VersionFunction.self)()
        guard version == abiVersion else {
            throw PipelineError.plugin(path: path, reason: "plugin ABI version \(version); this musicvae speaks \(abiVersion)")
        }
        let manifestFunction = try symbol("musicvae_plugin_manifest", as: ManifestFunction.self)
        let process = try symbol("musicvae_plugin_process", as: ProcessFunction.self)
        let free = try symbol("musicvae_plugin_free", as: FreeFunction.self)
        guard let text = manifestFunction().map({ String(cString: $0) }),
              let manifest = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let stages = manifest["stages"] as? [[String: Any]] else {
            throw PipelineError.plugin(path: path, reason: "its manifest is not JSON of the form {\"stages\": [...]}")
        }
        let calls = PluginCalls(process: process, free: free)
        var definitions: [StageDefinition] = []
        for entry in stages {
            definitions.append(try definition(entry, plugin: path, calls: calls))
        }
        for d in definitions {
            if registry.definition(named: d.name) != nil {
                throw PipelineError.plugin(path: path, reason: "stage '\(d.name)' is already registered")
            }
        }
        for d in definitions { try registry.register(d) }
        registry.notePlugin(absolute, stages: definitions.map(\.name))
        return definitions.map(\.name)
    }

    /// The plugin's functions (a dlopen'ed library is never closed, so these stay valid).
    struct PluginCalls: @unchecked Sendable {
        let process: ProcessFunction
        let free: FreeFunction
    }

    static func definition(_ entry: [String: Any], plugin: String, calls: PluginCalls) throws -> StageDefinition {
        guard let name = entry["name"] as? String, !name.isEmpty,
              let accepts = entry["accepts"] as? String, let output = entry["output"] as? String else {
            throw PipelineError.plugin(path: plugin, reason: "a stage in its manifest lacks name, accepts or output")
        }
        for t in [accepts, output] where !PluginCodec.types.contains(t) {
            throw PipelineError.plugin(path: plugin, reason: "stage '\(name)' uses type '\(t)'; plugins can pass " + PluginCodec.types.joined(separator: ", "))
        }
        var specs: [ParameterSpec] = []
        for p in entry["parameters"] as? [[String: Any]] ?? [] {
            guard let pname = p["name"] as? String else { continue }
            let type: ParameterType
            switch p["type"] as? String ?? "string" {
            case "int": type = .int
            case "number", "double": type = .double
            case "bool": type = .bool
            default: type = .string
            }
            var range: ClosedRange<Double>?
            if let lo = (p["min"] as? NSNumber)?.doubleValue, let hi = (p["max"] as? NSNumber)?.doubleValue, lo <= hi { range = lo...hi }
            var spec = ParameterSpec(pname, type, range: range, doc: p["doc"] as? String ?? "")
            if let d = p["default"] {
                let text = (d as? NSNumber).map { type == .bool ? ($0.boolValue ? "true" : "false") : $0.stringValue } ?? "\(d)"
                if case .success(let v) = spec.parse(text) { spec.defaultValue = v }
            }
            specs.append(spec)
        }
        let summary = (entry["summary"] as? String ?? "") + " [plugin \((plugin as NSString).lastPathComponent)]"
        return StageDefinition(name: name, summary: summary, accepts: [accepts], output: .fixed(output), parameters: specs) { params in
            let json = PluginCodec.parametersJSON(params)
            return StageNode(name: name, accepts: [accepts], output: .fixed(output)) { inputs, drops in
                var out: [any PipelineValue] = []
                for input in inputs {
                    let reply = try PluginCodec.encode(input).withCString { i in
                        json.withCString { p in name.withCString { n in calls.process(n, p, i) } }
                    }
                    guard let reply else { throw PipelineError.inputFailed(path: name, reason: "plugin stage '\(name)' returned nothing") }
                    let text = String(cString: reply)
                    calls.free(reply)
                    out += try PluginCodec.decode(text, as: output, stage: name, drops: &drops)
                }
                return out
            }
        }
    }
}

/// The JSON form of values crossing the plugin boundary.
///
/// NoteSequence: `{"ticks_per_quarter", "total_ticks", "source", "notes": [[pitch, velocity, start, end, track,
/// program, channel, is_drum(0/1)], ...], "tempos": [[tick, microseconds_per_quarter]], "time_signatures":
/// [[tick, numerator, denominator]], "key_signatures": [[tick, sharps, minor(0/1)]]}`. A QuantizedSequence is the
/// same with ticks as steps plus `"steps_per_quarter"` and `"source_ticks_per_quarter"`. A plugin may answer an
/// array of values, or `{"error": "..."}`; `{"dropped": {"reason": n}, "values": [...]}` also counts drops.
public enum PluginCodec {
    /// Types a plugin stage can take and give.
    public static let types = [NoteSequence.typeName, QuantizedSequence.typeName]

    static func parametersJSON(_ p: StageParameters) -> String {
        var object: [String: Any] = [:]
        for (k, v) in p.values {
            switch v {
            case .int(let x): object[k] = x
            case .double(let x): object[k] = x
            case .bool(let x): object[k] = x
            case .string(let x): object[k] = x
            case .list(let x): object[k] = x
            case .ints(let x): object[k] = x
            }
        }
        return String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// The JSON of one value.
    public static func encode(_ value: any PipelineValue) throws -> String {
        var object: [String: Any]
        switch value {
        case let s as NoteSequence:
            object = sequenceObject(s)
        case let q as QuantizedSequence:
            object = sequenceObject(q.sequence)
            object["steps_per_quarter"] = q.stepsPerQuarter
            object["source_ticks_per_quarter"] = q.sourceTicksPerQuarter
        default:
            throw PipelineError.inputFailed(path: "plugin", reason: "cannot pass a \(value.pipelineTypeName) to a plugin")
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    static func sequenceObject(_ s: NoteSequence) -> [String: Any] {
        var o: [String: Any] = [
            "ticks_per_quarter": s.ticksPerQuarter, "total_ticks": s.totalTicks,
            "notes": s.notes.map { [$0.pitch, $0.velocity, $0.start, $0.end, $0.track, $0.program, $0.channel, $0.isDrum ? 1 : 0] },
            "tempos": s.tempos.map { [$0.tick, $0.microsecondsPerQuarter] },
            "time_signatures": s.timeSignatures.map { [$0.tick, $0.numerator, $0.denominator] },
            "key_signatures": s.keySignatures.map { [$0.tick, $0.sharps, $0.isMinor ? 1 : 0] },
        ]
        if let source = s.source { o["source"] = source }
        return o
    }

    /// Values of type `type` from a plugin's reply.
    static func decode(_ text: String, as type: String, stage: String, drops: inout DropCounts) throws -> [any PipelineValue] {
        func fail(_ why: String) -> PipelineError { .inputFailed(path: stage, reason: "plugin stage '\(stage)': \(why)") }
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { throw fail("reply is not JSON") }
        var items: [[String: Any]]
        if let object = json as? [String: Any] {
            if let error = object["error"] { throw fail("\(error)") }
            for (reason, n) in object["dropped"] as? [String: Int] ?? [:] { drops.add(reason, n) }
            items = object["values"] as? [[String: Any]] ?? []
        } else if let array = json as? [[String: Any]] {
            items = array
        } else {
            throw fail("reply is neither an array of values nor an object")
        }
        return try items.map { o -> any PipelineValue in
            guard let s = sequence(o) else { throw fail("a returned value is not a valid \(type)") }
            if type == QuantizedSequence.typeName {
                return QuantizedSequence(steps: s, sourceTicksPerQuarter: o["source_ticks_per_quarter"] as? Int)
            }
            return s
        }
    }

    static func sequence(_ o: [String: Any]) -> NoteSequence? {
        guard let tpq = o["ticks_per_quarter"] as? Int, tpq > 0, let rawNotes = o["notes"] as? [[Int]] else { return nil }
        var notes: [Note] = []
        for n in rawNotes {
            guard n.count >= 4, (0...127).contains(n[0]), n[3] >= n[2] else { return nil }
            notes.append(Note(pitch: n[0], velocity: n[1], start: n[2], end: n[3], track: n.count > 4 ? n[4] : 0,
                              program: n.count > 5 ? n[5] : 0, channel: n.count > 6 ? n[6] : 0, isDrum: n.count > 7 ? n[7] != 0 : nil))
        }
        let tempos = (o["tempos"] as? [[Int]] ?? []).compactMap { $0.count == 2 && $0[1] > 0 ? TempoChange(tick: $0[0], microsecondsPerQuarter: $0[1]) : nil }
        let meters = (o["time_signatures"] as? [[Int]] ?? []).compactMap { $0.count == 3 ? TimeSignature(tick: $0[0], numerator: $0[1], denominator: $0[2]) : nil }
        let keys = (o["key_signatures"] as? [[Int]] ?? []).compactMap { $0.count == 3 ? KeySignature(tick: $0[0], sharps: $0[1], isMinor: $0[2] != 0) : nil }
        var s = NoteSequence(ticksPerQuarter: tpq, notes: notes, tempos: tempos, timeSignatures: meters, keySignatures: keys,
                             source: o["source"] as? String, totalTicks: o["total_ticks"] as? Int)
        s.sortNotes()
        return s
    }
}
