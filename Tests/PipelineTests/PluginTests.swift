import TestSupport
import Foundation
import Testing
import NoteSequences
@testable import Pipeline

/// Builds the out-of-tree plugin package in Examples/ (once per test run) and returns its library.
enum ExamplePlugin {
    static let library: Result<String, Error> = Result {
        let package = SharedData.packageRoot.appendingPathComponent("Examples/Plugins/MelodyTricks").path
        let scratch = SharedData.packageRoot.appendingPathComponent(".build/examples/MelodyTricks").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["swift", "build", "--package-path", package, "--scratch-path", scratch]
        let log = Pipe()
        p.standardOutput = log
        p.standardError = log
        try p.run()
        let output = log.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw PipelineError.plugin(path: package, reason: "build failed: " + String(decoding: output, as: UTF8.self))
        }
        return scratch + "/debug/libMelodyTricks.so"
    }
}

@Suite(.serialized) struct PluginTests {
    func registry() throws -> StageRegistry {
        let r = StageRegistry()
        for d in BuiltinStages.all { try r.register(d) }
        return r
    }

    /// A pipeline file's `plugins:` key loads the library; its stages run like built-in ones.
    @Test func pluginStagesRunInAPipeline() throws {
        let library = try ExamplePlugin.library.get()
        let input = SharedData.files(in: SharedData.folk + "/miscFolk", 1)[0]
        let chain = """
            plugins: ["\(library)"]
            stages:
              - read-midi: {path: "\(input)"}
              - invert: {axis: 64}
              - retrograde
            """
        let r = try registry()
        let plan = try PipelinePlan(file: try PipelineFile(text: chain, path: "p.yaml"), registry: r)
        let report = PipelineRunner(plan: plan).run(collectOutputs: true)
        #expect(report.failures.isEmpty)
        let original = try NoteSequence(path: input)
        let result = try #require(report.outputs.first as? NoteSequence)
        #expect(result.notes.count == original.notes.count)
        #expect(result.notes.map(\.pitch).sorted() == original.notes.map { 128 - $0.pitch }.sorted())
        // Retrograde: the last note of the original starts the result.
        let end = original.notes.map(\.end).max()!
        let last = original.notes.max { $0.end < $1.end }!
        #expect(result.notes.first?.start == end - last.end)
        #expect(r.definition(named: "invert")?.parameters.first?.defaultValue == .int(60))
    }

    @Test func pluginErrorsNameTheLibrary() throws {
        let library = try ExamplePlugin.library.get()
        let r = try registry()
        #expect(throws: PipelineError.plugin(path: "/nonexistent/libX.so", reason: "no such file")) {
            try PluginLoader.load("/nonexistent/libX.so", into: r)
        }
        let libm = ["/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6"].first { FileManager.default.fileExists(atPath: $0) }!
        #expect(throws: PipelineError.plugin(path: libm, reason: "no entry point 'musicvae_plugin_abi_version': not a musicvae plugin")) {
            try PluginLoader.load(libm, into: r)
        }
        let text = try temporaryFolder() + "/not-a-library.so"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
        do {
            try PluginLoader.load(text, into: r)
            Issue.record("a text file loaded as a plugin")
        } catch let PipelineError.plugin(path, reason) {
            #expect(path == text && (reason.contains("invalid ELF header") || reason.contains("file too short")))
        }
        // A stage name that is already registered.
        try r.register(StageDefinition(name: "invert", summary: "", accepts: ["NoteSequence"], output: .fixed("NoteSequence"),
                                       make: { _ in StageNode(name: "invert", accepts: ["NoteSequence"], output: .sameAsInput) { v, _ in v } }))
        #expect(throws: PipelineError.plugin(path: library, reason: "stage 'invert' is already registered")) {
            try PluginLoader.load(library, into: r)
        }
        // In a pipeline file, the error points at the plugins entry.
        let e = loadError("plugins: [/nonexistent/libX.so]\nstages:\n  - read-midi: {path: a}\n")
        #expect(e == .stageSetup(SourceLocation(file: "p.yaml", line: 1, column: 11), stage: "plugins", reason: "/nonexistent/libX.so: no such file"))
    }
}
