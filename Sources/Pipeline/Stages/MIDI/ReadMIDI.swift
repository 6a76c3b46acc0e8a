import Foundation
import MIDIFiles
import NoteSequences

/// `read-midi`: the MIDI files at a path (a file, or every .mid/.midi file below a folder) as note sequences.
/// A format-2 file gives one sequence per track.
enum ReadMIDI {
    static let definition = StageDefinition(
        name: "read-midi",
        summary: "read MIDI files (a file, or every .mid/.midi below a folder) into note sequences",
        accepts: [InputFile.typeName],
        output: .fixed(NoteSequence.typeName),
        parameters: [
            ParameterSpec("path", .path, doc: "a MIDI file, or a folder searched recursively for .mid/.midi files"),
        ],
        sources: { params in try listMIDIFiles(at: params.string("path")) },
        make: { _ in
            StageNode(name: "read-midi", accepts: [InputFile.typeName], output: .fixed(NoteSequence.typeName)) { inputs, _ in
                var out: [any PipelineValue] = []
                for case let input as InputFile in inputs {
                    let midi = try MIDIFile(path: input.path)
                    out += NoteSequence.sequences(from: midi, source: input.path) as [any PipelineValue]
                }
                return out
            }
        })
}

/// The MIDI files at `path`: the file itself, or every `.mid`/`.midi`/`.smf` file below a folder, sorted by path.
public func listMIDIFiles(at path: String) throws -> [InputFile] {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        throw PipelineError.inputFailed(path: path, reason: "no such file or folder")
    }
    guard isDir.boolValue else { return [InputFile(path: path)] }
    guard let walker = FileManager.default.enumerator(atPath: path) else {
        throw PipelineError.inputFailed(path: path, reason: "cannot list folder")
    }
    var files: [String] = []
    let base = path.hasSuffix("/") ? path : path + "/"
    while let rel = walker.nextObject() as? String {
        let ext = (rel as NSString).pathExtension.lowercased()
        if ext == "mid" || ext == "midi" || ext == "smf" { files.append(base + rel) }
    }
    return files.sorted().map(InputFile.init(path:))
}
