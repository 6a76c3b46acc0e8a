import TestSupport
import Foundation
import Testing
import MIDIFiles
import NoteSequences
@testable import Pipeline

func temporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "musicvae-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct PipelineRunTests {
    /// Per-input limits: a file over the size limit fails with that reason and the others go through; a time limit
    /// stops each input at the first stage boundary past it.
    @Test func inputLimitsFailOneInputAndTheBatchGoesOn() throws {
        let out = try temporaryFolder()
        let file = try PipelineFile(path: SharedData.packageRoot.appendingPathComponent("Pipelines/roundtrip.yaml").path)
        let chorales = SharedData.files(in: SharedData.chorales, 6)
        let sizes = try chorales.map { try #require(try FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) }
        let limit = sizes.sorted()[4]   // the largest file is over it; the rest are not
        try (chorales.joined(separator: "\n") + "\n").write(toFile: out + "/list.txt", atomically: true, encoding: .utf8)
        let plan = try PipelinePlan(file: file, settings: ["output": "\(out)/{stem}.mid"], positional: [out + "/list.txt"])
        var runner = PipelineRunner(plan: plan, threads: 2)
        runner.limits = InputLimits(maxBytes: limit)
        let sized = runner.run(collectOutputs: true)
        #expect(sized.failures.map(\.reason) == ["larger than the input size limit"])
        #expect(sized.failures.first?.path == chorales[sizes.firstIndex(of: sizes.max()!)!])
        #expect(sized.outputCount == 5)
        runner.limits = InputLimits(maxSeconds: 1e-9)
        let timed = runner.run(collectOutputs: true)
        #expect(timed.failures.count == 6 && timed.failures.allSatisfy { $0.reason == "over the input time limit" })
    }

    /// The bundled roundtrip pipeline reproduces the quantized notes of real corpus files exactly.
    @Test func roundtripPipelineReproducesQuantizedNotes() throws {
        let out = try temporaryFolder()
        let file = try PipelineFile(path: SharedData.packageRoot.appendingPathComponent("Pipelines/roundtrip.yaml").path)
        let inputs = SharedData.files(in: SharedData.folk + "/ryansMammoth", 12)
        var checked = 0
        for input in inputs {
            let q = try NoteSequence(path: input).quantized()
            let mono = zip(q.notes, q.notes.dropFirst()).allSatisfy { $0.end <= $1.start }
            guard mono else { continue }
            let plan = try PipelinePlan(file: file, settings: ["output": "\(out)/{stem}.mid"], positional: [input])
            let report = PipelineRunner(plan: plan, threads: 1).run(collectOutputs: true)
            #expect(report.failures.isEmpty)
            let written = try #require(report.outputs.first as? WrittenFile)
            let back = try NoteSequence(path: written.path).quantized()
            #expect(back.notes == q.notes, "\(input)")
            #expect(back.sequence.timeSignatures == q.sequence.timeSignatures)
            #expect(back.sequence.tempos == q.sequence.tempos)
            #expect(back.sequence.keySignatures == q.sequence.keySignatures)
            checked += 1
        }
        #expect(checked >= 6)
    }

    /// A folder with corrupt files mixed in: every file processed, each bad one failed once with its reason.
    @Test func batchKeepsGoingPastBadFiles() throws {
        let dir = try temporaryFolder()
        let good = SharedData.files(in: SharedData.folk + "/miscFolk", 6)
        for (i, path) in good.enumerated() {
            try FileManager.default.copyItem(atPath: path, toPath: "\(dir)/good\(i).mid")
        }
        let bytes = try readFileBytes(path: good[0])
        try writeFileAtomically(Array(bytes.prefix(40)), to: dir + "/cut.mid")
        try writeFileAtomically(Array("hello".utf8), to: dir + "/text.mid")
        let text = "inputs: [input]\nstages:\n  - read-midi: {path: \"${input}\"}\n  - quantize\n  - slice-bars: {meters: [2/4, 4/4]}\n  - extract-melody\n"
        let plan = try PipelinePlan(file: try PipelineFile(text: text, path: "t.yaml"), positional: [dir])
        let report = PipelineRunner(plan: plan, threads: 2).run()
        #expect(report.inputs == 8)
        #expect(report.failures.map { ($0.path as NSString).lastPathComponent } == ["cut.mid", "text.mid"])
        #expect(report.failuresByReason == ["truncated track chunk": 1, "not a MIDI file": 1])
        #expect(report.stages.map(\.stage) == ["read-midi", "quantize", "slice-bars", "extract-melody"])
        #expect(report.stages[0].received == 8 && report.stages[0].produced == 6)
        #expect(report.outputCount > 100)
        // One thread and two give the same counters.
        let serial = PipelineRunner(plan: plan, threads: 1).run()
        #expect(serial.stages == report.stages)
    }

    @Test func writeMIDINeverOverwritesItsInput() throws {
        let dir = try temporaryFolder()
        let input = dir + "/tune.mid"
        try FileManager.default.copyItem(atPath: SharedData.files(in: SharedData.folk + "/miscFolk", 1)[0], toPath: input)
        let before = try readFileBytes(path: input)
        let text = "stages:\n  - read-midi: {path: \"\(input)\"}\n  - write-midi: {path: \"\(dir)/{stem}.mid\"}\n"
        let report = PipelineRunner(plan: try PipelinePlan(file: try PipelineFile(text: text, path: "t.yaml"))).run()
        #expect(report.failures.count == 1)
        #expect(report.failures.first?.reason == "refusing to overwrite the input file")
        #expect(try readFileBytes(path: input) == before)
    }

    /// Another package adds a stage by registering it; a pipeline file then names it like a built-in one.
    @Test func registeredStagesAreUsableFromPipelineFiles() throws {
        struct CountNotes: Stage {
            let minimum: Int
            func process(_ input: NoteSequence, drops: inout DropCounts) throws -> [NoteSequence] {
                if input.notes.count < minimum { drops.add("short"); return [] }
                return [input]
            }
        }
        let registry = StageRegistry()
        for d in BuiltinStages.all { try registry.register(d) }
        try registry.register(StageDefinition(
            name: "min-notes", summary: "keep sequences with at least N notes",
            accepts: [NoteSequence.typeName], output: .fixed(NoteSequence.typeName),
            parameters: [ParameterSpec("n", .int, default: .int(1), range: 0...100_000, doc: "fewest notes")],
            make: { p in StageNode(name: "min-notes", CountNotes(minimum: p.int("n"))) }))
        #expect(throws: PipelineError.duplicateStage("quantize")) { try registry.register(Quantize.definition) }
        let folder = SharedData.folk + "/miscFolk"
        let text = "stages:\n  - read-midi: {path: \"\(folder)\"}\n  - min-notes: {n: 200}\n  - quantize\n"
        let plan = try PipelinePlan(file: try PipelineFile(text: text, path: "t.yaml"), registry: registry)
        let report = PipelineRunner(plan: plan).run()
        let stage = report.stages[1]
        #expect(stage.stage == "min-notes")
        #expect(stage.received == 185)
        #expect(stage.produced + (stage.dropped["short"] ?? 0) == 185)
        #expect(stage.dropped["short"]! > 0 && stage.produced > 0)
    }

    /// A stage's code that reads a parameter its definition does not declare (a typo: "min_note" for
    /// "min_notes") stops, naming it, instead of reading 0 and quietly doing something else.
    @Test func aParameterTheStageDoesNotDeclareIsNotReadAsZero() async {
        #expect(StageParameters(["min_notes": .int(3)]).int("min_notes") == 3)
        await #expect(processExitsWith: .failure) {
            _ = StageParameters(["min_notes": .int(3)]).int("min_note")
        }
    }
}

/// The whole folk corpus with corrupt files mixed in, through the roundtrip pipeline: the run finishes, names the
/// corrupt files, and shards 1/2 + 2/2 write exactly what one unsharded run writes.
@Suite struct CorpusBatchTests {
    @Test func folkBatchWithCorruptFilesAndShards() throws {
        let dir = try temporaryFolder()
        let folk = try listMIDIFiles(at: SharedData.folk)
        #expect(folk.count == 10_936)
        let good = try readFileBytes(path: folk[0].path)
        try writeFileAtomically(Array(good.prefix(30)), to: dir + "/cut.mid")
        try writeFileAtomically([], to: dir + "/empty.mid")
        try writeFileAtomically(Array("MThd garbage".utf8), to: dir + "/garbage.mid")
        let list = folk.map(\.path) + ["cut.mid", "empty.mid", "garbage.mid"]
        try writeFileAtomically(Array(list.joined(separator: "\n").utf8), to: dir + "/inputs.txt")

        let file = try PipelineFile(path: SharedData.packageRoot.appendingPathComponent("Pipelines/roundtrip.yaml").path)
        func run(_ out: String, _ shard: Shard?) throws -> RunReport {
            let plan = try PipelinePlan(file: file, settings: ["output": "\(dir)/\(out)/{stem}.mid"], positional: [dir + "/inputs.txt"])
            return PipelineRunner(plan: plan, shard: shard).run()
        }
        let whole = try run("whole", nil)
        #expect(whole.inputs == 10_939)
        #expect(whole.failures.map { ($0.path as NSString).lastPathComponent }.sorted() == ["cut.mid", "empty.mid", "garbage.mid"],
                "\(whole.failures.map { "\($0.path): \($0.message)" })")
        #expect(whole.outputCount == 10_936 - (whole.stages[1].dropped["no notes"] ?? 0))
        let first = try run("shards", Shard("1/2"))
        let second = try run("shards", Shard("2/2"))
        #expect(first.inputs + second.inputs == whole.inputs)
        #expect(first.inputs > 5000 && second.inputs > 5000)
        #expect(first.failures.count + second.failures.count == 3)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/whole").sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/shards").sorted() == names)
        for name in names {
            #expect(try readFileBytes(path: "\(dir)/whole/\(name)") == readFileBytes(path: "\(dir)/shards/\(name)"), "\(name)")
        }
        try? FileManager.default.removeItem(atPath: dir)
    }
}
