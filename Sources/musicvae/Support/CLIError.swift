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
