import TestSupport
import Foundation
import Testing
import MIDIFiles
import MusicVAE
import NoteSequences
@testable import Pipeline

/// The model stages with the tiny golden model (random weights: what it plays is noise, but every path runs).
@Suite(.serialized) struct ModelStageTests {
    static let golden = SharedData.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/golden/mel_2bar_tiny").path

    /// A copy of the golden model with attribute vectors, in a scratch folder.
    func modelWithAttributes() throws -> String {
        let folder = try temporaryFolder() + "/model"
        try FileManager.default.copyItem(atPath: Self.golden, toPath: folder)
        try Self.attributeVectors(z: 8).save(to: URL(fileURLWithPath: folder))
        return folder
    }

    /// Attribute vectors for a z-size-`z` model: attribute i's vector (and direction) 3 along dimension i, every
    /// quartile gap 1, every spread 0.25.
    static func attributeVectors(z: Int) -> AttributeVectors {
        let names = MelodyAttributes.names
        let vectors = Dictionary(uniqueKeysWithValues: names.enumerated().map { i, name in (name, (0..<z).map { $0 == i ? Float(3) : 0 }) })
        return AttributeVectors(vectors: vectors, directions: vectors, quartileMeans: Dictionary(uniqueKeysWithValues: names.map { ($0, [1.0, 0]) }),
                                spreads: Dictionary(uniqueKeysWithValues: names.map { ($0, 0.25) }), windows: 0, data: [], method: "test")
    }

    func run(_ pipeline: String, _ overrides: [String], inputs: [String]) throws -> RunReport {
        let file = try PipelineFile(path: SharedData.packageRoot.appendingPathComponent("Pipelines/\(pipeline).yaml").path)
        let plan = try PipelinePlan(file: file, settings: try PipelinePlan.settings(parsing: overrides), positional: inputs)
        return PipelineRunner(plan: plan).run(collectOutputs: true)
    }

    /// Planning a bundled pipeline (what `musicvae check` does) reads no model weights: the model stages check
    /// the folder and load the weights on first use. A run of one then does read them.
    @Test func planningReadsNoWeights() throws {
        let model = try modelWithAttributes()
        let key = URL(fileURLWithPath: model).standardizedFileURL.path
        let ode = SharedData.packageRoot.appendingPathComponent("Examples/melodies/ode-to-joy.mid").path
        let folder = SharedData.packageRoot.appendingPathComponent("Pipelines").path
        var planned = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).filter({ $0.hasSuffix(".yaml") }).sorted() {
            let file = try PipelineFile(path: folder + "/" + name)
            guard file.variables.keys.contains("model") else { continue }
            _ = try PipelinePlan(file: file, settings: ["model": .string(model)], positional: file.inputs.map { _ in ode })
            planned += 1
        }
        #expect(planned >= 10)
        #expect(!ModelStore.loadedFolders.contains(key))
        let out = try temporaryFolder()
        _ = try run("reconstruct", ["model=\(model)", "output=\(out)/{stem}.mid"], inputs: [ode])
        #expect(ModelStore.loadedFolders.contains(key))
    }

    @Test func reconstructKeepsWhatTheModelCannotTake() throws {
        let out = try temporaryFolder()
        // Scarborough Fair is in 3/4: no window fits a 32-step model, so the piece comes back unchanged.
        let waltz = SharedData.packageRoot.appendingPathComponent("Examples/melodies/scarborough-fair.mid").path
        let r = try run("reconstruct", ["model=\(Self.golden)", "output=\(out)/{stem}.mid"], inputs: [waltz])
        #expect(r.failures.isEmpty)
        #expect(try NoteSequence(path: "\(out)/scarborough-fair.mid").quantized().notes == NoteSequence(path: waltz).quantized().notes)
        let encode = r.stages.first { $0.stage == "encode" }!
        #expect(encode.dropped.keys.contains { $0.hasPrefix("passed through unencoded: 3/4 windows of 24 steps") })
        // A 4/4 tune is re-played by the model window by window, keeping tempo, meter and key.
        let ode = SharedData.packageRoot.appendingPathComponent("Examples/melodies/ode-to-joy.mid").path
        _ = try run("reconstruct", ["model=\(Self.golden)", "output=\(out)/{stem}.mid"], inputs: [ode])
        let back = try NoteSequence(path: "\(out)/ode-to-joy.mid"), original = try NoteSequence(path: ode)
        #expect(back.tempos == original.tempos && back.timeSignatures == original.timeSignatures && back.keySignatures == original.keySignatures)
        // Greedy decoding is deterministic: the model's own decode of the first window's mu is what was written.
        let model = try MusicVAEModel.load(from: URL(fileURLWithPath: Self.golden))
        var drops = DropCounts()
        let q = try original.quantized()
        let first = q.barWindows(BarSlicing(bars: 2, hop: 2, cover: true, barGrids: [16]), drops: &drops)[0].melodies(MelodyExtraction(minNotes: 0), drops: &drops)[0]
        let decoded = try model.decode(z: try model.encode(windows: [first.events]).mu)[0]
        let written = try back.quantized().notes.filter { $0.start < first.window.end }
        #expect(written.map(\.start) == MelodyEncoding.notes(of: decoded, offset: first.window.start).map(\.start).filter { $0 < first.window.end })
    }

    @Test func interpolationWritesEveryStepAndTheWhole() throws {
        let out = try temporaryFolder()
        let a = SharedData.packageRoot.appendingPathComponent("Examples/melodies/twinkle.mid").path
        let b = SharedData.packageRoot.appendingPathComponent("Examples/melodies/ode-to-joy.mid").path
        let r = try run("interpolate", ["model=\(Self.golden)", "output=\(out)", "steps=4"], inputs: [a, b])
        #expect(r.failures.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["01.mid", "02.mid", "03.mid", "04.mid", "all"])
        let whole = try NoteSequence(path: out + "/all/concatenated.mid")
        #expect(whole.totalTicks >= 4 * 32 * 120 - 120)   // four 32-step windows end to end (120 ticks per step)
        // The first step decodes A's own code: the same as reconstructing A's first window.
        let model = try MusicVAEModel.load(from: URL(fileURLWithPath: Self.golden))
        var drops = DropCounts()
        let qa = try NoteSequence(path: a).quantized()
        let wa = qa.barWindows(BarSlicing(bars: 2, hop: 2, meters: ["4/4", "2/2", "2/4"], barGrids: [16]), drops: &drops)[0].melodies(drops: &drops)[0]
        let expected = MelodyEncoding.notes(of: try model.decode(z: try model.encode(windows: [wa.events]).mu)[0])
        let step1 = try NoteSequence(path: out + "/01.mid").quantized()
        #expect(step1.notes.map { [$0.pitch, $0.start, $0.end] } == expected.map { [$0.pitch, $0.start, $0.end] })
    }

    /// `average` mixes the codes of a piece and counts what it leaves out: windows passed through unencoded, and a
    /// piece with no encoded window at all (a waltz under a 4/4 model), which then writes nothing.
    @Test func averageCountsWhatItLeavesOut() throws {
        let file = try PipelineFile(text: """
            inputs: [input]
            vars: {model: "", output: ""}
            stages:
              - read-midi: {path: "${input}"}
              - quantize: {steps_per_quarter: 4}
              - slice-bars: {bars: 2, hop: 2, cover: true, steps_per_bar: 16}
              - extract-melody: {min_notes: 0}
              - encode: {model: "${model}"}
              - average
              - decode: {model: "${model}"}
              - join-bars
              - write-midi: {path: "${output}"}
            """, path: "average.yaml")
        let out = try temporaryFolder()
        func run(_ input: String) throws -> RunReport {
            let plan = try PipelinePlan(file: file, settings: ["model": .string(Self.golden), "output": "\(out)/{stem}.mid"],
                                        positional: [SharedData.packageRoot.appendingPathComponent("Examples/melodies/\(input).mid").path])
            return PipelineRunner(plan: plan).run(collectOutputs: true)
        }
        let ode = try run("ode-to-joy")
        #expect(ode.failures.isEmpty && ode.outputCount == 1)
        #expect(ode.stages.first { $0.stage == "average" }!.dropped.isEmpty)
        // Group stages count the values they took, not the one group: the summary's "in" is the previous "out".
        let counts = ode.stages.map { [$0.received, $0.produced] }
        #expect(counts.count == 9 && (4...7).allSatisfy { counts[$0][0] == counts[$0 - 1][1] } && counts[4][0] > 1 && counts[5][1] == 1, "\(counts)")
        let waltz = try run("scarborough-fair")
        let passed = try #require(waltz.stages.first { $0.stage == "encode" }!.dropped.first { $0.key.hasPrefix("passed through unencoded") }?.value)
        #expect(waltz.outputCount == 0)
        #expect(waltz.stages.first { $0.stage == "average" }!.dropped == ["windows passed through unencoded left out of the average": passed,
                                                                           "no encoded window to average": 1])
    }

    /// Variations change the melody only: each variation is the whole song with every other track note for note
    /// and tick for tick, and a waltz (no window a 4/4 model takes) comes back as itself in every variation, with
    /// no extra file named like the input.
    @Test func variationsKeepEverythingTheyDoNotVary() throws {
        let exact = { (notes: [Note]) in notes.map { [$0.pitch, $0.velocity, $0.start, $0.end, $0.track, $0.program, $0.channel] } }
        let out = try temporaryFolder()
        let song = SharedData.packageRoot.appendingPathComponent("Examples/songs/when-the-saints.mid").path
        let r = try run("variations", ["model=\(Self.golden)", "output=\(out)/{stem}.mid", "n=2"], inputs: [song])
        #expect(r.failures.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["when-the-saints-variation-1.mid", "when-the-saints-variation-2.mid"])
        let original = try NoteSequence(path: song)
        let melody = try #require(original.tracks.firstIndex { $0.name == "Melody" })
        for k in 1...2 {
            let variation = try NoteSequence(path: "\(out)/when-the-saints-variation-\(k).mid")
            #expect(variation.notes.filter { $0.track == melody } != original.notes.filter { $0.track == melody }, "variation \(k)")
            for t in Set(original.notes.map(\.track)).union(variation.notes.map(\.track)).subtracting([melody]) {
                #expect(exact(variation.notes.filter { $0.track == t }) == exact(original.notes.filter { $0.track == t }), "variation \(k), track \(t)")
            }
        }
        let waltz = SharedData.packageRoot.appendingPathComponent("Examples/melodies/scarborough-fair.mid").path
        let waltzOut = try temporaryFolder()
        let w = try run("variations", ["model=\(Self.golden)", "output=\(waltzOut)/{stem}.mid", "n=2"], inputs: [waltz])
        #expect(w.failures.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: waltzOut).sorted() == ["scarborough-fair-variation-1.mid", "scarborough-fair-variation-2.mid"])
        for k in 1...2 {
            #expect(try exact(NoteSequence(path: "\(waltzOut)/scarborough-fair-variation-\(k).mid").notes) == exact(NoteSequence(path: waltz).notes), "variation \(k)")
        }
    }

    /// A 3 x 3 grid between four pieces: nine files, row by row, the corners the four pieces' own reconstructions
    /// (the same as interpolating along an edge), the middle of the top row the middle of A -> B.
    @Test func gridBlendsFourCorners() throws {
        let out = try temporaryFolder(), line = try temporaryFolder()
        let names = ["twinkle", "ode-to-joy", "frere-jacques", "twinkle"]
        let corners = names.map { SharedData.packageRoot.appendingPathComponent("Examples/melodies/\($0).mid").path }
        let r = try run("grid", ["model=\(Self.golden)", "output=\(out)", "steps=3"], inputs: corners)
        #expect(r.failures.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == (1...9).map { "0\($0).mid" })
        _ = try run("interpolate", ["model=\(Self.golden)", "output=\(line)", "steps=3"], inputs: [corners[0], corners[1]])
        for (cell, step) in [(1, 1), (2, 2), (3, 3)] {
            let g = try NoteSequence(path: out + "/0\(cell).mid").quantized().notes, i = try NoteSequence(path: line + "/0\(step).mid").quantized().notes
            #expect(g.map { [$0.pitch, $0.start, $0.end] } == i.map { [$0.pitch, $0.start, $0.end] }, "cell \(cell)")
        }
        // Corners 1 and 4 are the same piece: cells 1 and 9 decode the same code.
        #expect(try NoteSequence(path: out + "/01.mid").quantized().notes.map(\.pitch) == NoteSequence(path: out + "/09.mid").quantized().notes.map(\.pitch))
    }

    /// `runInMemory` gives what the writers would have written, and writes nothing.
    @Test func inMemoryRunWritesNothingAndMatchesAFileRun() throws {
        let out = try temporaryFolder()
        let ode = SharedData.packageRoot.appendingPathComponent("Examples/melodies/ode-to-joy.mid").path
        _ = try run("reconstruct", ["model=\(Self.golden)", "output=\(out)/file.mid"], inputs: [ode])
        let file = try PipelineFile(path: SharedData.packageRoot.appendingPathComponent("Pipelines/reconstruct.yaml").path)
        let plan = try PipelinePlan(file: file, settings: ["model": .string(Self.golden), "output": "\(out)/memory.mid"], listSources: false)
        let values = try PipelineRunner(plan: plan).runInMemory([NoteSequence.sequences(from: try MIDIFile(path: ode), source: ode)])
        #expect(!FileManager.default.fileExists(atPath: "\(out)/memory.mid"))
        let piece = try #require((values.first?.first as? any ScoreValue)?.score)
        #expect(try piece.midiFile().bytes() == Array(try Data(contentsOf: URL(fileURLWithPath: "\(out)/file.mid"))))
        #expect(throws: InputFailure.self) { try PipelineRunner(plan: plan).runInMemory([[], []]) }
    }

    /// A pipeline file written as YAML reads back to the same stages, variables and inputs.
    @Test func pipelineFilesWriteAndReadBack() throws {
        let folder = SharedData.packageRoot.appendingPathComponent("Pipelines").path
        for name in ["edit.yaml", "interpolate.yaml", "grid.yaml", "more-notes.yaml"] {
            let file = try PipelineFile(path: folder + "/" + name)
            let back = try PipelineFile(text: try file.yaml(comments: ["a comment"]), path: "back.yaml")
            #expect(back.inputs == file.inputs, "\(name)")
            #expect(back.variables.mapValues(\.value) == file.variables.mapValues(\.value), "\(name)")
            #expect(back.stages.map(\.kind) == file.stages.map(\.kind) && back.stages.map(\.name) == file.stages.map(\.name), "\(name)")
            #expect(back.stages.map { $0.parameters.map { [$0.name, $0.text] } } == file.stages.map { $0.parameters.map { [$0.name, $0.text] } }, "\(name)")
            #expect(back.stages.map { $0.from?.map(\.name) } == file.stages.map { $0.from?.map(\.name) }, "\(name)")
        }
    }

    /// The decode stage checks an edit only while the code is still the edit's: a code a later stage moved
    /// decodes as it is. Where no length does better than none, an edit of the window's own code gives the window
    /// back as it was, and an edit of any other code (a sample, a variation) the decode of that code.
    @Test func aCodeMovedAfterItsEditDecodesAsItIs() throws {
        let model = try modelWithAttributes()
        let m = try MusicVAEModel.load(from: URL(fileURLWithPath: model))
        let ode = SharedData.packageRoot.appendingPathComponent("Examples/melodies/ode-to-joy.mid").path
        var drops = DropCounts()
        let window = try NoteSequence(path: ode).quantized().barWindows(BarSlicing(bars: 2, hop: 2, cover: true, barGrids: [16]), drops: &drops)[0]
            .melodies(MelodyExtraction(minNotes: 0), drops: &drops)[0]
        let mu = try m.encode(windows: [window.events]).mu[0]
        let v = try Self.attributeVectors(z: 8).vectors["note_density"]!
        let (move, spreads) = try Self.attributeVectors(z: 8).checkedMove("note_density", amount: 2, names: MelodyAttributes.names, file: model)
        let edit = CheckedEdit(base: mu, edited: Latent.add(mu, v, amount: 2), moves: [move], spreads: spreads)
        var held = LatentCode(z: edit.edited, window: window)
        held.edit = edit
        let unencoded = held   // the same edit of a code that does not stand for its window
        held.encoded = mu
        var moved = held
        moved.z = Latent.add(edit.edited, v, amount: 0.7)   // not one of the edit's lengths
        let stage = Decode.Body(folder: model, temperature: 0, seed: 0, keepTune: false, precision: .float32)
        let out = try stage.process(group: [held, unencoded, moved], drops: &drops)
        let chosen = try CheckedEdit.decode([edit], tonics: [window.majorTonic], model: m)[0]
        // The chosen decode, or where no length did better than nothing, the window as it was.
        #expect(out[0].events == (chosen.length == nil ? window.events : chosen.events))
        #expect(out[0].generated == (chosen.length != nil))
        #expect(out[1].events == chosen.events && out[1].generated)
        #expect(out[2].events == (try m.decode(z: [moved.z!])[0]))
        #expect(edit.candidates.allSatisfy { $0 != moved.z! })
    }

    @Test func attributeEditsAndSamplesAreSeeded() throws {
        let model = try modelWithAttributes()
        let out = try temporaryFolder()
        let ode = SharedData.packageRoot.appendingPathComponent("Examples/melodies/ode-to-joy.mid").path
        let plus = try run("edit", ["model=\(model)", "attribute=note_density", "amount=2", "keep_tune=false", "check=false",
                                    "output=\(out)/plus.mid"], inputs: [ode])
        #expect(plus.failures.isEmpty && plus.outputCount == 1)
        // Unchecked, the edit is the model's decode of mu + 2 v: the first window written is exactly that, and it
        // is not what mu alone decodes to.
        let m = try MusicVAEModel.load(from: URL(fileURLWithPath: model))
        let v = try AttributeVectors.load(from: URL(fileURLWithPath: model)).vectors["note_density"]!
        var drops = DropCounts()
        let first = try NoteSequence(path: ode).quantized().barWindows(BarSlicing(bars: 2, hop: 2, cover: true, barGrids: [16]), drops: &drops)[0]
            .melodies(MelodyExtraction(minNotes: 0), drops: &drops)[0]
        let mu = try m.encode(windows: [first.events]).mu[0]
        let moved = try m.decode(z: [Latent.add(mu, v, amount: 2)])[0], unmoved = try m.decode(z: [mu])[0]
        #expect(moved != unmoved)
        let written = try NoteSequence(path: out + "/plus.mid").quantized().notes.filter { $0.start < first.window.end }
        #expect(written.map { [$0.pitch, $0.start] } == MelodyEncoding.notes(of: moved).map { [$0.pitch, $0.start] })
        // Checked (the default), the first window is the best-scoring of the reconstruction and the step at each
        // length, decoded here one by one.
        _ = try run("edit", ["model=\(model)", "attribute=note_density", "amount=2", "keep_tune=false", "output=\(out)/checked.mid"], inputs: [ode])
        let vectors = try AttributeVectors.load(from: URL(fileURLWithPath: model))
        let (move, spreads) = try vectors.checkedMove("note_density", amount: 2, names: MelodyAttributes.names, file: model)
        let edit = CheckedEdit(base: mu, edited: Latent.add(mu, v, amount: 2), moves: [move], spreads: spreads)
        let decodes = try edit.candidates.map { try m.decode(z: [$0])[0] }
        func values(_ events: [Int]) -> [Double] { LineEncoding.melody.attributeValues(of: events, majorTonic: first.majorTonic) }
        let scores = decodes.map { edit.score(values($0), reconstruction: values(decodes[0])) }
        let checked = try NoteSequence(path: out + "/checked.mid").quantized().notes.filter { $0.start < first.window.end }.map { [$0.pitch, $0.start] }
        if scores.dropFirst().allSatisfy({ $0 <= 0 }) {
            // No length did better than nothing: the window as it was.
            #expect(checked == first.notes.map { [$0.pitch, $0.start] }, "scores \(scores)")
        } else {
            let at = try #require(decodes.firstIndex { MelodyEncoding.notes(of: $0).map { [$0.pitch, $0.start] } == checked }, "not a candidate")
            #expect(at > 0 && scores[at] == scores.max()!, "chose \(at) of scores \(scores)")
        }
        // Samples: the same seed gives the same files, another seed other ones.
        for (name, seed) in [("s1", 5), ("s2", 5), ("s3", 6)] {
            _ = try run("sample", ["model=\(model)", "n=2", "seed=\(seed)", "output=\(out)/\(name)/{stem}.mid"], inputs: [])
        }
        let s1 = try NoteSequence(path: out + "/s1/sample-1.mid").notes, s2 = try NoteSequence(path: out + "/s2/sample-1.mid").notes
        let s3 = try NoteSequence(path: out + "/s3/sample-1.mid").notes
        #expect(s1 == s2)
        #expect(s1 != s3)
        // A model folder without attributes.json is a clear error at load time.
        do {
            _ = try run("edit", ["model=\(Self.golden)", "attribute=note_density"], inputs: [ode])
            Issue.record("edit without attribute vectors ran")
        } catch let PipelineError.stageSetup(_, stage, reason) {
            #expect(stage == "attribute" && reason.contains("has no attributes.json"))
        }
    }
}
