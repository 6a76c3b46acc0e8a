import Foundation
import MIDIFiles
import NoteSequences
import Render

/// `pianoroll`: an SVG piano roll per input; the scores of one input stack top to bottom on one time scale.
enum PianoRollStage {
    static let definition = StageDefinition(
        name: "pianoroll",
        summary: "draw scores as an SVG piano roll (bar lines, octave labels, a colour per track, velocity as opacity)",
        parameters: [
            ParameterSpec("path", .path, doc: "output .svg; {stem} is the input's name"),
            ParameterSpec("pixels_per_quarter", .double, default: .double(24), range: 1...400, doc: "horizontal scale (shrunk to fit the width)"),
            ParameterSpec("max_width", .double, default: .double(1400), range: 100...20_000, doc: "widest picture in pixels"),
        ],
        scores: { p in
            var roll = PianoRoll()
            roll.pixelsPerQuarter = p.double("pixels_per_quarter")
            roll.maxWidth = p.double("max_width")
            return Body(layout: roll, template: p.string("path"))
        })

    struct Body: GroupStage {
        let layout: PianoRoll
        let template: String
        func process(group sequences: [NoteSequence], drops: inout DropCounts) throws -> [WrittenFile] {
                guard let first = sequences.first else { return [] }
                let path = WriteMIDI.outputPaths(template, sources: [first.source])[0]
                try WriteMIDI.checkNotInput(path, source: first.source)
                let rows = sequences.enumerated().map { i, s in
                    (title: ((s.source ?? "score") as NSString).lastPathComponent + (sequences.count > 1 ? " (\(i + 1))" : ""), sequence: s)
                }
                do {
                    try writeFileAtomically(Array(layout.svg(rows).utf8), to: path)
                } catch let e as MIDIFileError {
                    throw PipelineError.inputFailed(path: path, reason: e.description)
                }
                return [WrittenFile(path: path, note: "\(sequences.count) row\(sequences.count == 1 ? "" : "s")")]
        }
    }
}
