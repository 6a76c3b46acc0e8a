import Foundation
import MIDIFiles
import NoteSequences

/// `write-midi`: writes each sequence of an input to a MIDI file, atomically, never over the input itself.
enum WriteMIDI {
    static let definition = StageDefinition(
        name: "write-midi",
        summary: "write note sequences to MIDI files (atomically; never over an input)",
        parameters: [
            ParameterSpec("path", .path, doc: "output file; {stem} is the input's name without extension, {dir} its folder's name, {index} counts outputs of one input from 1"),
        ],
        scores: { p in Body(template: p.string("path")) })

    struct Body: GroupStage {
        let template: String
        func process(group sequences: [NoteSequence], drops: inout DropCounts) throws -> [WrittenFile] {
            try WriteMIDI.writeEach(sequences, template: template) { sequence, path in
                do {
                    try sequence.write(to: path)
                } catch let error as MIDIFileError {
                    throw PipelineError.inputFailed(path: path, reason: error.description)
                }
                return nil
            }
        }
    }

    /// The writer stages' common part: each of an input's scores written by `write` to its path from `template`
    /// (see `outputPaths`), after `checkNotInput`; `write` returns a note about the file, or nil.
    static func writeEach(_ sequences: [NoteSequence], template: String,
                          _ write: (NoteSequence, String) throws -> String?) throws -> [WrittenFile] {
        var written: [WrittenFile] = []
        for (sequence, path) in zip(sequences, outputPaths(template, sources: sequences.map(\.source))) {
            try checkNotInput(path, source: sequence.source)
            written.append(WrittenFile(path: path, note: try write(sequence, path)))
        }
        return written
    }

    /// The output path of each of an input's values: `{stem}` is the value's source name without extension,
    /// `{index}` its position (from 1); when several values would still share a path, "-N" goes before the
    /// extension of each.
    static func outputPaths(_ template: String, sources: [String?]) -> [String] {
        let paths = sources.enumerated().map { i, source in OutputName.expand(template, source: source, index: i + 1) }
        guard Set(paths).count < paths.count else { return paths }
        return paths.enumerated().map { i, path in
            let ext = (path as NSString).pathExtension
            return (path as NSString).deletingPathExtension + "-\(i + 1)" + (ext.isEmpty ? "" : "." + ext)
        }
    }

    /// Refuses an output path that is the value's own source or an input of a run in progress, and makes the
    /// output's folder.
    static func checkNotInput(_ path: String, source: String?) throws {
        if let source, PipelinePlan.canonical(source) == PipelinePlan.canonical(path) {
            throw PipelineError.inputFailed(path: path, reason: "refusing to overwrite the input file")
        }
        if ProtectedInputs.contains(path) {
            throw PipelineError.inputFailed(path: path, reason: "refusing to overwrite an input of this run")
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
    }
}
