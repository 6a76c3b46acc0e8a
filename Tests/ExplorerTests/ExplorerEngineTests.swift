import Foundation
import MIDIFiles
import NoteSequences
import Pipeline
import Testing
import TestSupport
@testable import Explorer

/// The explorer's engine on real pieces: what the API answers with, without HTTP.
@Suite struct ExplorerEngineTests {
    static let root = SharedData.packageRoot.path
    static let engine: ExplorerEngine = {
        let settings = ExplorerSettings(model: nil, pipelines: root + "/Pipelines", context: PipelineContext(home: root))
        return try! ExplorerEngine(settings: settings)
    }()
    static func example(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: root + "/Examples/" + path))) }

    @Test func moreNotesGivesMoreNotes() throws {
        let ode = try Self.example("melodies/ode-to-joy.mid")
        let edited = try Self.engine.edit(ode, recipe: EditRecipe(shifts: [.init(attribute: "note_density", amount: 1)]))
        let before = try NoteSequence(midi: MIDIFile(bytes: ode)).notes.count, after = try NoteSequence(midi: MIDIFile(bytes: edited.midi)).notes.count
        #expect(edited.notes == after)
        #expect(after > before + before / 4, "\(before) -> \(after)")
    }
}

extension ExplorerEngineTests {
    /// A piece's codes are kept: edits after the first decode from them, and give what an engine that never saw
    /// the piece gives.
    @Test func keptCodesGiveTheSameEdits() throws {
        let ode = try Self.example("melodies/ode-to-joy.mid")
        let recipes = [EditRecipe(shifts: [.init(attribute: "note_density", amount: 1)]),
                       EditRecipe(shifts: [.init(attribute: "pitch_range", amount: -1)], keepTune: false),
                       EditRecipe(shifts: [])]
        let warm = try ExplorerEngine(settings: Self.engine.settings)
        let first = try warm.edit(ode, recipe: recipes[0]).midi
        for recipe in recipes {
            let fresh = try ExplorerEngine(settings: Self.engine.settings)
            #expect(try warm.edit(ode, recipe: recipe).midi == (try fresh.edit(ode, recipe: recipe).midi))
        }
        #expect(try warm.edit(ode, recipe: recipes[0]).midi == first)
    }

    @Test func severalSlidersBecomeOneAttributeStageEach() throws {
        let base = try PipelineFile(path: Self.root + "/Pipelines/edit.yaml")
        let recipe = EditRecipe(shifts: [.init(attribute: "note_density", amount: 1), .init(attribute: "diatonic", amount: 0),
                                         .init(attribute: "pitch_range", amount: -0.5)], track: "first", keepTune: false)
        let file = try recipe.pipeline(from: base, model: nil)
        let shifts = file.stages.filter { $0.kind == "attribute" }.map { s in s.parameters.filter { ["name", "amount"].contains($0.name) }.map(\.text) }
        #expect(shifts == [["note_density", "1"], ["pitch_range", "-0.5"]])   // the slider at 0 is left out
        #expect(file.variables["track"]?.value == "first" && file.variables["keep_tune"]?.value == "false")
        #expect(file.variables["attribute"] == nil && file.variables["amount"] == nil)
        #expect(file.stages.count == base.stages.count + 1)
        // No slider moved: a reconstruction, no attribute stage.
        #expect(try EditRecipe(shifts: []).pipeline(from: base, model: nil).stages.allSatisfy { $0.kind != "attribute" })
    }

    @Test func unknownAttributesAndBrokenFilesAreTheClientsMistake() throws {
        let ode = try Self.example("melodies/ode-to-joy.mid")
        #expect(throws: ExplorerError.unknownAttribute("cymbal_share", known: Self.engine.attributes[.melody]!)) {
            try Self.engine.edit(ode, recipe: EditRecipe(shifts: [.init(attribute: "cymbal_share", amount: 1)]))
        }
        #expect(throws: ExplorerError.self) { try Self.engine.edit(Array(ode.prefix(40)), recipe: EditRecipe(shifts: [])) }
        #expect((try? Self.engine.render(Array("RIFF".utf8))) == nil)
        // One note held for 2^28 quarters: refused as the piece's problem (422), neither edited nor rendered.
        let track: [UInt8] = [0x00, 0x90, 0x3C, 0x40, 0xFF, 0xFF, 0xFF, 0x7F, 0x80, 0x3C, 0x40, 0x00, 0xFF, 0x2F, 0x00]
        let forever = Array("MThd".utf8) + [0, 0, 0, 6, 0, 0, 0, 1, 0, 1] + Array("MTrk".utf8) + [0, 0, 0, UInt8(track.count)] + track
        for attempt in [{ _ = try Self.engine.edit(forever, recipe: EditRecipe(shifts: [.init(attribute: "note_density", amount: 1)])) },
                        { _ = try Self.engine.render(forever) }] {
            do { try attempt(); Issue.record("a note that lasts 2^28 quarters was accepted") } catch let e as ExplorerError {
                #expect(e.status == .unprocessableContent && e.description.contains("long"), "\(e)")
            }
        }
        #expect(ExplorerError.notMIDI(field: "a", reason: "x").status == .badRequest && ExplorerError.tooLarge(limit: 1).status == .contentTooLarge)
    }

    @Test func drumEditOnASongChangesOnlyTheDrums() throws {
        let song = try Self.example("songs/yankee-doodle.mid")
        let edited = try Self.engine.edit(song, recipe: EditRecipe(shifts: [.init(attribute: "note_density", amount: 1)], track: "drums"))
        let a = try NoteSequence(midi: MIDIFile(bytes: song)).notes, b = try NoteSequence(midi: MIDIFile(bytes: edited.midi)).notes
        #expect(a.filter { !$0.isDrum } == b.filter { !$0.isDrum })
        let before = a.filter(\.isDrum).count, after = b.filter(\.isDrum).count
        #expect(Double(after) >= 1.25 * Double(before), "\(before) -> \(after) hits")
    }
}
