import Foundation
import NoteSequences

/// `extract-melody`: one 90-class melody per non-drum track of a window.
enum ExtractMelody {
    static let definition = StageDefinition(
        name: "extract-melody",
        summary: "take the monophonic line (highest note) of each chosen non-drum track in a window, as 90-class steps",
        parameters: [
            ParameterSpec("min_pitch", .int, default: .int(21), range: 21...108, doc: "lowest pitch kept; windows reaching below are dropped"),
            ParameterSpec("max_pitch", .int, default: .int(108), range: 21...108, doc: "highest pitch kept; windows reaching above are dropped"),
            ParameterSpec("min_notes", .int, default: .int(1), range: 0...1000, doc: "fewest note onsets a window must hold"),
            ParameterSpec("tracks", .string, default: .string("all"),
                          doc: "which tracks give melodies: drums (the drum tracks instead, as extract-drums gives them), all (non-drum), auto (the melody, found by name, monophony, register and density; the rest stay as they are), first (the first with notes), a track name, or 0-based indices like 1,3 as `musicvae inspect` shows"),
        ],
        group: { p in
            let spec = p.string("tracks").trimmingCharacters(in: .whitespaces)
            if spec == "drums" { return Body(what: .drums(ExtractDrums.Body(settings: DrumExtraction()))) }
            var indices: Set<Int>?
            var name: String?
            if !["all", "first", "auto"].contains(spec) {
                let parts = spec.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                if !parts.isEmpty, parts.allSatisfy({ $0 != nil }) {
                    guard parts.allSatisfy({ $0! >= 0 }) else {
                        throw ParameterProblem.illTyped(expected: "drums, all, auto, first, a track name or 0-based track indices like 1,3", got: spec)
                    }
                    indices = Set(parts.map { $0! })
                } else {
                    guard !spec.isEmpty else {
                        throw ParameterProblem.illTyped(expected: "drums, all, auto, first, a track name or 0-based track indices like 1,3", got: spec)
                    }
                    name = spec
                }
            }
            return Body(what: .melodies(MelodyExtraction(
                minPitch: p.int("min_pitch"), maxPitch: p.int("max_pitch"), minNotes: p.int("min_notes"),
                tracks: indices, firstTrackOnly: spec == "first", autoTrack: spec == "auto", trackName: name)))
        })

    /// All windows of one input at once: each piece's lines are made once (see `PieceLines`).
    struct Body: GroupStage {
        /// What to extract: melodies, or (`tracks: drums`) drum patterns.
        enum What { case melodies(MelodyExtraction), drums(ExtractDrums.Body) }
        let what: What
        func process(group: [BarWindow], drops: inout DropCounts) throws -> [MelodyWindow] {
            let settings: MelodyExtraction
            switch what {
            case .melodies(let s): settings = s
            case .drums(let drums): return try drums.process(group: group, drops: &drops)
            }
            var out: [MelodyWindow] = []
            var current: (piece: QuantizedSequence, lines: PieceLines)?
            for w in group {
                if current == nil || current!.piece != w.piece {
                    let lines = PieceLines(w.piece, settings, drops: &drops)
                    current = (w.piece, lines)
                    if let choice = lines.choice, choice.candidates > 1 || !choice.isMelody {
                        Self.countKeptTracks(of: w.piece, choice: choice, drops: &drops)
                    }
                }
                out += current!.lines.melodies(in: w, drops: &drops)
            }
            return out
        }

        /// Says which track the finder chose and why, and names the melodic tracks it keeps as they are.
        static func countKeptTracks(of piece: QuantizedSequence, choice: MelodyTrackChoice, drops: inout DropCounts) {
            let melodic = Set(piece.notes.lazy.filter { !$0.isDrum }.map(\.track)).subtracting([choice.track]).sorted()
            let names = melodic.map(piece.sequence.trackLabel)
            guard choice.isMelody else {
                drops.add("no melody: the likeliest is \(choice), score \(String(format: "%.1f", choice.score)); every track kept as it is")
                return
            }
            drops.add("melody: \(choice)" + (names.isEmpty ? "" : "; kept as they are: track\(names.count == 1 ? "" : "s") " + names.joined(separator: ", ")))
        }
    }
}
