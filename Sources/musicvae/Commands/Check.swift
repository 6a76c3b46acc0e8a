import ArgumentParser
import Pipeline

/// `musicvae check FILE.yaml`: loads and type-checks a pipeline without running it.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a pipeline file: stages, parameters and types, with file:line:column for each problem.",
        discussion: """
            Nothing runs and no input is read. The libraries under a file's `plugins:` are not loaded (loading runs \
            their code): their stages are checked for their place in the graph only, and named. Exit status 0 when \
            every pipeline is valid, 2 otherwise.
            """)

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
                let file = try PipelineFile(path: path)
                let plan = try PipelinePlan(file: file, settings: try PipelinePlan.settings(parsing: overrides), listSources: false, loadPlugins: false, context: InstallPaths.context)
                print("ok: \(path): " + describe(plan))
                if !plan.deferredStages.isEmpty {
                    print("  not checked: " + plan.deferredStages.joined(separator: ", ") + " come from plugins ("
                          + file.plugins.map(\.path).joined(separator: ", ") + "), which check does not load: loading runs their code")
                }
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
