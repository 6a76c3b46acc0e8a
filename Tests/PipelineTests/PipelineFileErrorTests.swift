import Foundation
import TestSupport
import Testing
@testable import Pipeline

/// Loads pipeline text and returns the error its check throws.
func loadError(_ yaml: String, overrides: [String] = [], positional: [String] = []) -> PipelineError? {
    do {
        let file = try PipelineFile(text: yaml, path: "p.yaml")
        _ = try PipelinePlan(file: file, settings: try PipelinePlan.settings(parsing: overrides), positional: positional, listSources: false)
        return nil
    } catch let e as PipelineError {
        return e
    } catch {
        return nil
    }
}

@Suite struct PipelineFileErrorTests {
    /// A file that extends another gets its stages and sets its variables; an error a variable causes inside the
    /// base is reported at the base's line and column. `use:` places a chain once per item, named after it.
    @Test func extendsAndChains() throws {
        let dir = NSTemporaryDirectory() + "musicvae-extends-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "inputs: [input]\nvars:\n  steps: 4\nstages:\n  - read-midi: {path: \"${input}\"}\n  - quantize: {steps_per_quarter: \"${steps}\"}\n"
            .write(toFile: dir + "/base.yaml", atomically: true, encoding: .utf8)
        try "extends: base.yaml\nvars:\n  steps: 12\n".write(toFile: dir + "/child.yaml", atomically: true, encoding: .utf8)
        let child = try PipelineFile(path: dir + "/child.yaml")
        #expect(child.stages.map(\.kind) == ["read-midi", "quantize"] && child.variables["steps"]?.value == "12")
        let plan = try PipelinePlan(file: child, positional: [dir + "/x.mid"], listSources: false)
        #expect(plan.stages[1].parameters.int("steps_per_quarter") == 12)
        do {
            _ = try PipelinePlan(file: child, settings: ["steps": "0"], positional: ["x.mid"], listSources: false)
            Issue.record("steps_per_quarter 0 accepted")
        } catch let PipelineError.badParameter(at, _, name, _) {
            #expect(name == "steps_per_quarter" && at.file == dir + "/base.yaml" && at.line == 6)
        }
        try "extends: base.yaml\nstages:\n  - quantize\n".write(toFile: dir + "/both.yaml", atomically: true, encoding: .utf8)
        #expect(throws: PipelineError.self) { try PipelineFile(path: dir + "/both.yaml") }
        let chained = try PipelineFile(text: """
            inputs: [a, b]
            chains:
              q:
                - read-midi: {path: "${file}"}
                - quantize: {steps_per_quarter: 4}
            stages:
              - {name: qa, use: q, with: {file: "${a}"}}
              - {name: qb, use: q, with: {file: "${b}"}}
              - merge: {}
                from: [qa, qb]
            """, path: "c.yaml")
        #expect(chained.stages.map(\.label) == ["qa.read-midi", "qa", "qb.read-midi", "qb", "merge"])
        #expect(chained.stages[2].parameters[0].text == "${b}" && chained.stages[2].location.line == 4)
        #expect(loadError("stages:\n  - {name: x, use: nope}\n") != nil)
    }

    @Test func unknownStageWithSuggestion() {
        let e = loadError("stages:\n  - read-midi: {path: x.mid}\n  - quantise: {}\n")
        #expect(e == .unknownStage(SourceLocation(file: "p.yaml", line: 3, column: 5), name: "quantise", suggestion: "quantize"))
        #expect(e?.description == "p.yaml:3:5: unknown stage 'quantise' (did you mean 'quantize'?); `musicvae stages` lists them")
    }

    @Test func unknownParameter() {
        let e = loadError("stages:\n  - read-midi: {path: x.mid}\n  - quantize: {steps: 4}\n")
        #expect(e == .unknownParameter(SourceLocation(file: "p.yaml", line: 3, column: 23), stage: "quantize", name: "steps",
                                       known: ["steps_per_quarter"]))
    }

    @Test func illTypedAndOutOfRangeParameters() {
        let typed = loadError("stages:\n  - read-midi: {path: x.mid}\n  - quantize: {steps_per_quarter: four}\n")
        #expect(typed == .badParameter(SourceLocation(file: "p.yaml", line: 3, column: 35), stage: "quantize", name: "steps_per_quarter",
                                       problem: .illTyped(expected: "an int", got: "four")))
        let range = loadError("stages:\n  - read-midi: {path: x.mid}\n  - quantize:\n      steps_per_quarter: 1000\n")
        #expect(range == .badParameter(SourceLocation(file: "p.yaml", line: 4, column: 26), stage: "quantize", name: "steps_per_quarter",
                                       problem: .outOfRange(value: 1000, range: 1...96)))
        #expect(range?.description == "p.yaml:4:26: stage 'quantize', parameter 'steps_per_quarter': 1000 is out of range 1...96")
    }

    /// A list of ints is checked item by item, where the list is written; a single number is a list of one.
    @Test func intListParameters() throws {
        let q = "stages:\n  - read-midi: {path: x.mid}\n  - quantize: {}\n"
        let word = loadError(q + "  - slice-bars: {steps_per_bar: [16, twelve]}\n")
        #expect(word?.description == "p.yaml:4:33: stage 'slice-bars', parameter 'steps_per_bar': expected a list of ints, got 'twelve'",
                "\(String(describing: word))")
        let big = loadError(q + "  - slice-bars: {steps_per_bar: [16, 2048]}\n")
        #expect(big == .badParameter(SourceLocation(file: "p.yaml", line: 4, column: 33), stage: "slice-bars", name: "steps_per_bar",
                                     problem: .outOfRange(value: 2048, range: 0...1024)), "\(String(describing: big))")
        let spec = ParameterSpec("grids", .intList, range: 0...1024, doc: "")
        #expect(try spec.parse("16").get() == .ints([16]) && spec.parse(" 16, 12 ").get() == .ints([16, 12]) && spec.parse("").get() == .ints([]))
        #expect(ParameterValue.ints([16, 12]).description == "[16, 12]")
    }

    @Test func missingRequiredParameter() {
        let e = loadError("stages:\n  - read-midi\n")
        #expect(e == .missingParameter(SourceLocation(file: "p.yaml", line: 2, column: 5), stage: "read-midi", name: "path"))
    }

    @Test func typeMismatchBetweenStages() {
        let e = loadError("stages:\n  - read-midi: {path: x.mid}\n  - slice-bars: {}\n")
        #expect(e == .typeMismatch(SourceLocation(file: "p.yaml", line: 3, column: 5), stage: "slice-bars",
                                   accepts: ["QuantizedSequence"], given: "NoteSequence", from: "read-midi"))
        #expect(e?.description == "p.yaml:3:5: stage 'slice-bars' takes QuantizedSequence, but 'read-midi' gives NoteSequence")
    }

    @Test func firstStageMustReadInput() {
        #expect(loadError("stages:\n  - quantize\n") == .notASource(SourceLocation(file: "p.yaml", line: 2, column: 5), stage: "quantize"))
        #expect(loadError("stages:\n  - read-midi: {path: a}\n  - read-midi: {path: b}\n  - quantize\n")
                == .unreadStage(SourceLocation(file: "p.yaml", line: 2, column: 5), stage: "read-midi", type: "NoteSequence"))
        #expect(loadError("stages:\n  - read-midi: {path: a}\n  - read-midi: {path: b}\n    from: read-midi\n")
                == .misplacedSource(SourceLocation(file: "p.yaml", line: 3, column: 5), stage: "read-midi"))
    }

    @Test func variablesAndOverrides() {
        let text = "inputs: [input]\nvars: {steps: 4}\nstages:\n  - read-midi: {path: \"${input}\"}\n  - quantize: {steps_per_quarter: \"${steps}\"}\n"
        #expect(loadError(text) == nil)
        #expect(loadError(text, overrides: ["steps=x"]) == .badParameter(
            SourceLocation(file: "p.yaml", line: 5, column: 35), stage: "quantize", name: "steps_per_quarter",
            problem: .illTyped(expected: "an int", got: "x")))
        #expect(loadError(text, overrides: ["nope=1"]) == .badOverride("nope=1"))
        #expect(loadError(text, overrides: ["steps"]) == .badOverride("steps"))
        let undefined = loadError("stages:\n  - read-midi: {path: \"${where}\"}\n")
        #expect(undefined == .undefinedVariable(SourceLocation(file: "p.yaml", line: 2, column: 23), name: "where"))
    }

    @Test func syntaxAndShapeErrors() {
        guard case .syntax(let at, _) = loadError("stages:\n  - read-midi: {path: x.mid\n") else {
            Issue.record("expected a syntax error")
            return
        }
        #expect(at.file == "p.yaml" && at.line >= 2)
        #expect(loadError("stages: 3\n") == .structure(SourceLocation(file: "p.yaml", line: 1, column: 9), "'stages' must be a list"))
        #expect(loadError("stage:\n  - read-midi\n") == .structure(SourceLocation(file: "p.yaml", line: 1, column: 1),
                                                                   "unknown key 'stage'; expected inputs, vars, plugins, stages, chains or extends"))
        #expect(loadError("inputs: [a]\n") == .empty(file: "p.yaml"))
    }

    @Test func bundledPipelinesAreValid() throws {
        // Model stages find the default model under the context's home, as the command-line tool passes it.
        let context = PipelineContext(home: SharedData.packageRoot.path)
        let folder = SharedData.packageRoot.appendingPathComponent("Pipelines").path
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 2)
        // With the bundled default model when it is there (it ships in Models/), else with the golden tiny model.
        let bundled = FileManager.default.fileExists(atPath: SharedData.packageRoot.appendingPathComponent("Models/mel_2bar_small/attributes.json").path)
        let fallback = bundled ? nil : try ModelStageTests().modelWithAttributes()
        for name in files {
            let file = try PipelineFile(path: folder + "/" + name)
            let settings: [String: ParameterValue] = fallback != nil && file.variables["model"] != nil ? ["model": .string(fallback!)] : [:]
            _ = try PipelinePlan(file: file, settings: settings, listSources: false, context: context)
        }
    }

    /// Nested or mistyped list values and values the run would refuse are errors when the file is checked,
    /// each located in the file.
    @Test func nestedAndMistypedValuesAreLocatedErrors() {
        let nested = loadError("stages:\n  - read-midi: {path: x.mid}\n  - quantize: {}\n  - slice-bars: {meters: [[3/4]]}\n")
        #expect(nested?.description.hasPrefix("p.yaml:4:27: parameter 'meters': a list of plain values is expected") == true, "\(String(describing: nested))")
        let banana = loadError("stages:\n  - read-midi: {path: x.mid}\n  - quantize: {}\n  - slice-bars: {meters: [banana]}\n")
        #expect(banana?.description == "p.yaml:4:5: stage 'slice-bars': expected time signatures like 4/4 or 6/8, got 'banana'")
        let slow = loadError("stages:\n  - read-midi: {path: x.mid}\n  - render: {path: x.wav, tempo: 0.001}\n")
        #expect(slow?.description == "p.yaml:3:5: stage 'render': 0.001 is out of range 1...1000", "\(String(describing: slow))")
    }
}
