import ArgumentParser
import Pipeline

/// `musicvae check FILE.yaml`: loads and type-checks a pipeline without running it.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a pipeline file: stages, parameters and types, with file:line:column for each problem.",
        discussion: "Nothing runs and no input is read. Exit status 0 when every pipeline is valid, 2 otherwise.")

    @Argument(help: "Pipeline file(s), or names of bundled pipelines.")
    var pipelines: [String]

    @Option(name: .customLong("plugin"), help: ArgumentHelp("Load stages from a plugin shared library first (repeatable).", valueName: "lib.so"))
    var plugins: [String] = []

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a pipeline variable or input.", valueName: "name=value"))
    var overrides: [String] = []

    func run() throws {
        try loadPlugins(plugins)
        var failed = 0
        for name in pipelines {
            do {
                let path = try InstallPaths.pipeline(name)
                let plan = try PipelinePlan(file: try PipelineFile(path: path), overrides: overrides, listSources: false)
                print("ok: \(path): " + describe(plan))
            } catch let error as PipelineError {
                printError(error.description)
                failed += 1
            } catch {
                printError("\(error)")
                failed += 1
            }
        }
        if failed > 0 { throw ExitCode(2) }
    }

    /// "a -> b -> c (gives T)" for a chain; one line per stage with what it reads for a graph.
    func describe(_ plan: PipelinePlan) -> String {
        let isChain = plan.stages.enumerated().allSatisfy { i, s in i == 0 ? s.inputs.isEmpty : s.inputs == [i - 1] }
        if isChain {
            return plan.stages.map(\.label).joined(separator: " -> ") + " (gives \(plan.stages.last?.outputType ?? "nothing"))"
        }
        return "\(plan.stages.count) stages\n" + plan.stages.map { s in
            let from = s.inputs.isEmpty ? "input" : s.inputs.map { plan.stages[$0].label }.joined(separator: " + ")
            return "  \(from) -> \(s.label) (gives \(s.outputType))"
        }.joined(separator: "\n")
    }
}
