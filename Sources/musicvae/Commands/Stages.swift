import ArgumentParser
import Pipeline

/// `musicvae stages [--json]`: every registered stage with its types and parameters.
struct Stages: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List every pipeline stage with its input/output types and parameters.")

    @Option(name: .customLong("plugin"), help: ArgumentHelp("Load stages from a plugin shared library first (repeatable).", valueName: "lib.so"))
    var plugins: [String] = []

    @Flag(help: "Print JSON.")
    var json = false

    struct StageJSON: Encodable {
        struct Param: Encodable { let name: String; let type: String; let `default`: String?; let range: [Double]?; let doc: String }
        let name: String
        let summary: String
        let inputs: [String]
        let output: String
        let parameters: [Param]
    }

    func run() throws {
        try loadPlugins(plugins)
        let list = StageRegistry.shared.all.map { d in
            StageJSON(name: d.name, summary: d.summary, inputs: d.accepts,
                      output: { if case .fixed(let t) = d.output { return t }; return "same as input" }(),
                      parameters: d.parameters.map {
                          .init(name: $0.name, type: $0.type.description, default: $0.defaultValue?.description,
                                range: $0.range.map { [$0.lowerBound, $0.upperBound] }, doc: $0.doc)
                      })
        }
        if json { print(try jsonString(list)); return }
        for s in list {
            print("\(s.name): \(s.inputs.joined(separator: " | ")) -> \(s.output)")
            print("    \(s.summary)")
            for p in s.parameters {
                var line = "    \(p.name) (\(p.type)"
                if let d = p.default { line += ", default \(d.isEmpty ? "\"\"" : d)" } else { line += ", required" }
                if let r = p.range { line += ", \(formatNumber(r[0]))...\(formatNumber(r[1]))" }
                print(line + "): \(p.doc)")
            }
        }
    }
}

func formatNumber(_ x: Double) -> String { ParameterSpec.format(x) }
