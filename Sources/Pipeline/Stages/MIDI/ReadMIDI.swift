import Foundation
import MIDIFiles
import NoteSequences

/// `read-midi`: the MIDI files at a path (a file, or every .mid/.midi file below a folder) as note sequences.
/// A format-2 file gives one sequence per track.
enum ReadMIDI {
    static let definition = StageDefinition(
        name: "read-midi",
        summary: "read MIDI files (a file, or every .mid/.midi below a folder) into note sequences",
        parameters: [
            ParameterSpec("path", .path, doc: "a MIDI file, or a folder searched recursively for .mid/.midi files"),
        ],
        sources: { params in try listMIDIFiles(at: params.string("path")) },
        stage: { _ in Body() })
}

extension ReadMIDI {
    struct Body: Stage {
        func process(_ input: InputFile, drops: inout DropCounts) throws -> [NoteSequence] {
            NoteSequence.sequences(from: try MIDIFile(path: input.path), source: input.path)
        }
    }
}
