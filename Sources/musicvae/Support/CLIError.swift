import ArgumentParser

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
    for input in inputs { seen[PipelinePlan.canonical(input)] = "an input" }
    for output in outputs {
        let key = PipelinePlan.canonical(output)
        if let what = seen[key] {
            throw invalidSetup("\(output) is \(what == "an input" ? "an input" : "also written as \(what)") of this command; choose another output (nothing was written)")
        }
        seen[key] = output
    }
}

/// Prints to standard error.
func printError(_ text: String) {
    var stderr = StandardError()
    print(text, to: &stderr)
}

/// Standard error as a text stream.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleOutput.write(string, fd: 2)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to a file descriptor.
enum FileHandleOutput {
    static func write(_ string: String, fd: Int32) {
        var s = string
        s.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { break }
                off += n
            }
        }
    }

    /// True when the descriptor is a terminal.
    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) != 0 }
}

import MIDIFiles

/// Writes text to a file atomically.
func writeTextAtomically(_ text: String, to path: String) throws {
    try writeFileAtomically(Array(text.utf8), to: path)
}

import Pipeline

/// Loads `--plugin` libraries into the shared stage registry; a bad one is a one-line error naming it.
func loadPlugins(_ paths: [String]) throws {
    for path in paths {
        do { try PluginLoader.load(path) } catch let e as PipelineError { throw CLIError(e.description) }
    }
}
