import TestSupport
import Foundation
import Testing
import NoteSequences
@testable import Pipeline

@Suite struct PipelineGraphTests {
    /// A branch (two stages read `q`) and a join (`merge` reads both) run end to end.
    @Test func branchAndJoinRunEndToEnd() throws {
        let out = try temporaryFolder()
        let input = SharedData.files(in: SharedData.folk + "/ryansMammoth", 1)[0]
        let text = """
            inputs: [input]
            stages:
              - read-midi: {path: "${input}"}
              - name: q
                quantize: {}
              - name: up
                transpose: {semitones: 12}
              - name: both
                merge:
                from: [q, up]
              - write-midi: {path: "\(out)/{stem}-{index}.mid"}
            """
        let plan = try PipelinePlan(file: try PipelineFile(text: text, path: "g.yaml"), positional: [input])
        #expect(plan.stages.map(\.inputs) == [[], [0], [1], [1, 2], [3]])
        let report = PipelineRunner(plan: plan).run(collectOutputs: true)
        #expect(report.failures.isEmpty)
        let written = report.outputs.compactMap { ($0 as? WrittenFile)?.path }
        #expect(written.count == 2)
        let original = try NoteSequence(path: written[0]).quantized()
        let raised = try NoteSequence(path: written[1]).quantized()
        #expect(raised.notes.map(\.pitch) == original.notes.map { $0.pitch + 12 })
        #expect(report.stages.map(\.stage) == ["read-midi", "q", "up", "both", "write-midi"])
        #expect(report.stages[3].received == 2 && report.stages[3].produced == 2)
    }

    /// A second source paired with the first: both files reach the join.
    @Test func twoSourcesJoin() throws {
        let files = SharedData.files(in: SharedData.folk + "/miscFolk", 2)
        let text = """
            inputs: [a, b]
            stages:
              - name: left
                read-midi: {path: "${a}"}
              - name: right
                read-midi: {path: "${b}"}
              - merge:
                from: [left, right]
            """
        let plan = try PipelinePlan(file: try PipelineFile(text: text, path: "g.yaml"), positional: files)
        let report = PipelineRunner(plan: plan).run(collectOutputs: true)
        let sources = report.outputs.compactMap { ($0 as? NoteSequence)?.source }
        #expect(sources == files)
    }

    @Test func graphErrorsNameTheirPlace() {
        let cycle = loadError("stages:\n  - read-midi: {path: a}\n  - name: x\n    transpose: {}\n    from: y\n  - name: y\n    transpose: {}\n    from: x\n")
        #expect(cycle == .cycle(SourceLocation(file: "p.yaml", line: 4, column: 5), stages: ["x", "y"]))
        #expect(cycle?.description == "p.yaml:4:5: stages read each other in a cycle: x -> y -> x")
        #expect(loadError("stages:\n  - read-midi: {path: a}\n  - quantize:\n    from: nowhere\n")
                == .unknownReference(SourceLocation(file: "p.yaml", line: 4, column: 11), name: "nowhere", known: ["read-midi", "quantize"]))
        #expect(loadError("stages:\n  - read-midi: {path: a}\n  - quantize:\n    from: [read-midi, read-midi]\n")
                == .wrongInputCount(SourceLocation(file: "p.yaml", line: 3, column: 5), stage: "quantize", expected: "1", got: 2))
        #expect(loadError("stages:\n  - name: a\n    read-midi: {path: a}\n  - name: a\n    quantize: {}\n")
                == .duplicateName(SourceLocation(file: "p.yaml", line: 5, column: 5), name: "a"))
        #expect(loadError("inputs: [a, b]\nstages:\n  - read-midi: {path: \"${a}\"}\n")
                == .unusedInput(SourceLocation(file: "p.yaml", line: 1, column: 13), name: "b"))
        #expect(loadError("stages:\n  - read-midi: {path: a}\n    quantize: {}\n")
                == .structure(SourceLocation(file: "p.yaml", line: 3, column: 5),
                              "one stage per list item: 'read-midi' and 'quantize' stand together (start another item with '-')"))
        // Branches that end in a writer may stay unread; others may not.
        #expect(loadError("stages:\n  - read-midi: {path: a}\n  - write-midi: {path: b.mid}\n  - quantize:\n    from: read-midi\n") == nil)
        #expect(loadError("stages:\n  - read-midi: {path: a}\n  - name: q\n    quantize: {}\n  - transpose:\n    from: read-midi\n")
                == .unreadStage(SourceLocation(file: "p.yaml", line: 4, column: 5), stage: "q", type: "QuantizedSequence"))
    }
}
