import NoteSequences

/// `join-bars`: melody windows of one input back into whole pieces.
enum JoinBars {
    static let definition = StageDefinition(
        name: "join-bars",
        summary: "join the melody windows of each piece back into one quantized sequence",
        parameters: [
            ParameterSpec("keep_other_tracks", .bool, default: .bool(true), doc: "keep the tracks that had no melody windows"),
        ],
        group: { p in Body(keepOtherTracks: p.bool("keep_other_tracks")) })

    struct Body: GroupStage {
        let keepOtherTracks: Bool
        func process(group: [MelodyWindow], drops: inout DropCounts) throws -> [QuantizedSequence] {
            // Windows of one input may come from several pieces (a format-2 file, split parts): join each.
            var pieces: [(QuantizedSequence, [MelodyWindow])] = []
            for m in group {
                if let k = pieces.firstIndex(where: { $0.0 == m.window.piece }) {
                    pieces[k].1.append(m)
                } else {
                    pieces.append((m.window.piece, [m]))
                }
            }
            return pieces.map { $0.0.joining($0.1, keepOtherTracks: keepOtherTracks) }
        }
    }
}
