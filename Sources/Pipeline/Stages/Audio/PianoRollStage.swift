import Foundation
import MIDIFiles
import NoteSequences
import Render

/// `pianoroll`: an SVG piano roll per input; the scores of one input stack top to bottom on one time scale.
enum PianoRollStage {
    static let types = [NoteSequence.typeName, QuantizedSequence.typeName]
    static let definition = StageDefinition(
        name: "pianoroll",
        summary: "draw scores as an SVG piano roll (bar lines, octave labels, a colour per track, velocity as opacity)",
        accepts: types, output: .fixed(WrittenFile.typeName),
        parameters: [
            ParameterSpec("path", .path, doc: "output .svg; {stem} is the input's name"),
            ParameterSpec("pixels_per_quarter", .double, default: .double(24), range: 1...400, doc: "horizontal scale (shrunk to fit the width)"),
            ParameterSpec("max_width", .double, default: .double(1400), range: 100...20_000, doc: "widest picture in pixels"),
        ],
        make: { p in
            var roll = PianoRoll()
            roll.pixelsPerQuarter = p.double("pixels_per_quarter")
            roll.maxWidth = p.double("max_width")
            let template = p.string("path")
            let layout = roll
            return StageNode(name: "pianoroll", accepts: types, output: .fixed(WrittenFile.typeName), mode: .group) { inputs, _ in
                let sequences: [NoteSequence] = inputs.compactMap {
                    ($0 as? NoteSequence) ?? ($0 as? QuantizedSequence)?.unquantized()
                }
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
        })
}
