import ArgumentParser
import Pipeline

/// `musicvae check FILE.yaml`: loads and type-checks a pipeline without running it.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a pipeline file: stages, parameters and types, with file:line:column for each problem.",
        discussion: "Nothing runs and no input is read. Exit status 0 when the pipeline is valid, 1 otherwise.")

    @Argument(help: "Pipeline file(s), or names of bundled pipelines.")
    var pipelines: [String]

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a pipeline variable or input.", valueName: "name=value"))
    var overrides: [String] = []

    func run() throws {
        var failed = 0
        for name in pipelines {
            do {
                let path = try InstallPaths.pipeline(name)
                let plan = try PipelinePlan(file: try PipelineFile(path: path), overrides: overrides, listSources: false)
                let chain = [plan.source.name] + plan.stages.dropFirst().map(\.node.name)
                let types = plan.stages.map(\.outputType)
                print("ok: \(path): \(chain.joined(separator: " -> ")) (gives \(types.last ?? "nothing"))")
            } catch let error as PipelineError {
                printError(error.description)
                failed += 1
            } catch {
                printError("\(error)")
                failed += 1
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }
}
