import Foundation
import MIDIFiles
import NoteSequences

/// `write-midi`: writes each sequence of an input to a MIDI file, atomically, never over the input itself.
enum WriteMIDI {
    static let definition = StageDefinition(
        name: "write-midi",
        summary: "write note sequences to MIDI files (atomically; never over an input)",
        accepts: [NoteSequence.typeName, QuantizedSequence.typeName],
        output: .fixed(WrittenFile.typeName),
        parameters: [
            ParameterSpec("path", .path, doc: "output file; {stem} is the input's name without extension, {index} counts outputs of one input from 1"),
        ],
        make: { params in
            let template = params.string("path")
            return StageNode(name: "write-midi", accepts: [NoteSequence.typeName, QuantizedSequence.typeName],
                             output: .fixed(WrittenFile.typeName), mode: .group) { inputs, _ in
                var written: [any PipelineValue] = []
                for (i, value) in inputs.enumerated() {
                    let sequence: NoteSequence
                    switch value {
                    case let s as NoteSequence: sequence = s
                    case let q as QuantizedSequence: sequence = q.unquantized()
                    default: continue
                    }
                    let path = outputPath(template, source: sequence.source, index: i + 1, count: inputs.count)
                    try writeChecked(sequence, to: path)
                    written.append(WrittenFile(path: path))
                }
                return written
            }
        })

    /// Fills `{stem}` and `{index}`; when several outputs share one name, "-N" goes before the extension.
    static func outputPath(_ template: String, source: String?, index: Int, count: Int) -> String {
        let stem = source.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension } ?? "output"
        var path = template.replacingOccurrences(of: "{stem}", with: stem)
        if path.contains("{index}") {
            path = path.replacingOccurrences(of: "{index}", with: String(index))
        } else if count > 1 {
            let ext = (path as NSString).pathExtension
            let base = (path as NSString).deletingPathExtension
            path = base + "-\(index)" + (ext.isEmpty ? "" : "." + ext)
        }
        return path
    }

    /// Refuses an output path that is the input file itself, and makes the output's folder.
    static func checkNotInput(_ path: String, source: String?) throws {
        if let source,
           URL(fileURLWithPath: source).resolvingSymlinksInPath().path == URL(fileURLWithPath: path).resolvingSymlinksInPath().path {
            throw PipelineError.inputFailed(path: path, reason: "refusing to overwrite the input file")
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
    }

    static func writeChecked(_ sequence: NoteSequence, to path: String) throws {
        try checkNotInput(path, source: sequence.source)
        do {
            try sequence.write(to: path)
        } catch let error as MIDIFileError {
            throw PipelineError.inputFailed(path: path, reason: error.description)
        }
    }
}
