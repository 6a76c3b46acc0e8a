import NoteSequences

/// `extract-drums`: one 512-class drum pattern per drum track of a window.
enum ExtractDrums {
    static let definition = StageDefinition(
        name: "extract-drums",
        summary: "take the pattern of each drum track (channel 10) in a window as 512-class steps (9 drum classes struck per step)",
        parameters: [
            ParameterSpec("min_hits", .int, default: .int(1), range: 1...10_000, doc: "fewest hits a window must hold"),
        ],
        group: { p in Body(settings: DrumExtraction(minHits: p.int("min_hits"))) })

    /// All windows of one input at once: each piece's drum tracks are read once (see `PieceDrums`).
    struct Body: GroupStage {
        let settings: DrumExtraction
        func process(group: [BarWindow], drops: inout DropCounts) throws -> [MelodyWindow] {
            var out: [MelodyWindow] = []
            var current: (piece: QuantizedSequence, drums: PieceDrums)?
            for w in group {
                if current == nil || current!.piece != w.piece {
                    let drums = PieceDrums(w.piece, settings, drops: &drops)
                    current = (w.piece, drums)
                    if drums.trackIndices.isEmpty { drops.add("no drum track") } else { Self.countKeptTracks(of: w.piece, drums: drums.trackIndices, drops: &drops) }
                }
                out += current!.drums.patterns(in: w, drops: &drops)
            }
            return out
        }

        /// Says which drum tracks are read and names the tracks kept as they are.
        static func countKeptTracks(of piece: QuantizedSequence, drums: [Int], drops: inout DropCounts) {
            let name = piece.sequence.trackLabel
            let others = Set(piece.notes.map(\.track)).subtracting(drums).sorted()
            drops.add("drums: track\(drums.count == 1 ? "" : "s") " + drums.map(name).joined(separator: ", ")
                      + (others.isEmpty ? "" : "; kept as they are: track\(others.count == 1 ? "" : "s") " + others.map(name).joined(separator: ", ")))
        }
    }
}
