import ArgumentParser
import Dispatch
import Explorer
import Foundation
import NeuralNet

/// `musicvae serve`: the explorer page and its HTTP API on this machine.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the explorer: a page to steer, hear and keep edits, and the HTTP API it uses.",
        discussion: """
            Open the printed address in a browser: load a MIDI file (or a bundled example), drag an attribute \
            slider (note_density: more notes) and hear the result rendered by FluidSynth; interpolate between two \
            pieces, blend four on a grid, sample new ones; download the MIDI and WAV, or save the edit as a pipeline \
            file for `musicvae run`. The API (README, "The explorer") answers scripts too, e.g. \
            `curl --data-binary @IN.mid 'http://127.0.0.1:8080/api/edit?attribute=note_density&amount=1' -o OUT.mid`.

            Loopback only unless --host names another interface and --allow-remote is given. Requests never read or \
            write files on this machine; uploads over --max-upload-mb get 413, requests over --timeout 503. \
            Ctrl-C stops the server.
            """)

    @Option(help: "Interface to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port (0: any free port; the one chosen is printed).")
    var port = 8080

    @Flag(help: "Allow a --host that is not loopback (anyone who reaches it can use the server).")
    var allowRemote = false

    @OptionGroup var model: ModelOption

    @Option(help: "Soundfont for the audio (default: $MUSICVAE_SOUNDFONT, SoundFonts/*.sf2, then the system's).")
    var soundfont: String?

    @Option(help: "Largest upload in MB.")
    var maxUploadMb = 4.0

    @Option(help: "Longest time for one request, in seconds.")
    var timeout = 30.0

    @Option(help: "Model and render jobs at once (default: the number of cores).")
    var workers: Int?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard maxUploadMb > 0, maxUploadMb <= 1_048_576, timeout > 0, timeout.isFinite, (workers ?? 1) >= 1 else {
            throw ValidationError("--max-upload-mb (at most 1048576), --timeout and --workers must be positive numbers")
        }
        if !ExplorerServer.isLoopback(host) && !allowRemote {
            throw ValidationError("--host \(host) is not loopback: anyone who reaches it could use the server; add --allow-remote to mean it")
        }
    }

    func run() throws {
        guard let home = InstallPaths.home else { throw CLIError("cannot find the installation (Pipelines/); set MUSICVAE_HOME") }
        // Jobs run side by side, one core each: BLAS on one thread, the encoder's two directions one after the other.
        BLAS.threads = 1
        PackedProducts.threads = 1
        Parallel.enabled = false
        var context = InstallPaths.context
        context.precision = model.precision.checked()
        var settings = ExplorerSettings(model: model.path, pipelines: home + "/Pipelines", context: context, soundFont: soundfont)
        settings.uploadLimit = Int(maxUploadMb * 1_048_576)
        settings.timeLimit = timeout
        settings.workers = workers ?? ProcessInfo.processInfo.activeProcessorCount
        settings.examples = Self.examples(home: home)
        let engine: ExplorerEngine
        do { engine = try ExplorerEngine(settings: settings) } catch { throw CLIError("cannot start: \(error)") }
        if !ExplorerServer.isLoopback(host) {
            printError("warning: listening on \(host), not loopback: anyone who can reach this machine can use the server")
        }
        let server = ExplorerServer(host: host, port: port, api: ExplorerAPI(engine: engine))
        let summary = "model \((engine.model as NSString).lastPathComponent), \(settings.examples.count) examples, \(settings.workers) workers; Ctrl-C stops"
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do {
                try await server.run { address in
                    // Straight to the file descriptor: a script waiting for this line sees it at once.
                    FileHandle.standardOutput.write(Data("listening on \(address)\n\(summary)\n".utf8))
                }
            } catch {
                failure.error = error
            }
            done.signal()
        }
        done.wait()
        if let error = failure.error { throw CLIError("server stopped: \(error)") }
    }

    /// The bundled examples (Examples/melodies, Examples/songs) by file name without extension.
    static func examples(home: String) -> [String: [UInt8]] {
        var found: [String: [UInt8]] = [:]
        for folder in ["Examples/melodies", "Examples/songs"] {
            let path = home + "/" + folder
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() where name.hasSuffix(".mid") {
                if let data = FileManager.default.contents(atPath: path + "/" + name) {
                    found[String(name.dropLast(4))] = Array(data)
                }
            }
        }
        return found
    }
}

/// The error a server task ended with, handed to the waiting thread.
private final class FailureBox: @unchecked Sendable {
    var error: Error?
}
