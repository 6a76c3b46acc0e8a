import ArgumentParser
import Pipeline

/// A failure the command reports in one line and exits non-zero for (exit code 1).
struct CLIError: Error, CustomStringConvertible {
    /// The message, naming the file and what is wrong.
    let description: String
    init(_ message: String) { description = message }
}

/// A pipeline or model that cannot run as given (exit code 2): prints "Error: MESSAGE" and gives the exit code
/// to throw, so that "some inputs failed" (1) and "nothing could start" (2) read differently to scripts.
func invalidSetup(_ message: String) -> ExitCode {
    printError("Error: " + message)
    return ExitCode(2)
}

/// Refuses, before anything runs, a command whose outputs include one of its inputs or one path twice.
func checkDistinctOutputs(inputs: [String], outputs: [String]) throws {
    var seen: [String: String] = [:]
    // `-` is standard input or output: a stream, not a file another argument could name.
    for input in inputs where input != StandardStreams.dash { seen[PipelinePlan.canonical(input)] = "an input" }
    for output in outputs where output != StandardStreams.dash {
        let key = PipelinePlan.canonical(output)
        if let what = seen[key] {
            throw invalidSetup("\(output) is \(what == "an input" ? "an input" : "also written as \(what)") of this command; choose another output (nothing was written)")
        }
        seen[key] = output
    }
}

/// Checks a command's option against the parameter of the bundled stage it is passed to, so that a value out of
/// range is a usage error naming the flag (exit 64) rather than an error located in a pipeline file the user never
/// wrote; the range stays declared once, by the stage.
func checkOption(_ flag: String, _ value: ParameterValue, stage: String, parameter: String) throws {
    guard let spec = StageRegistry.shared.definition(named: stage)?.parameters.first(where: { $0.name == parameter }) else { return }
    if case .failure(let problem) = spec.parse(value.description) { throw ValidationError("\(flag): \(problem)") }
}

/// "1 input", "3 inputs".
func counted(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
