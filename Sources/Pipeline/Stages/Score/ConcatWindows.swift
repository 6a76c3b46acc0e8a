import NoteSequences

/// `concat-windows`: every melody window of one input laid end to end in one piece (an interpolation as one file).
enum ConcatWindows {
    static let definition = StageDefinition(
        name: "concat-windows",
        summary: "lay all melody windows of one input end to end in one piece (in the order they come)",
        parameters: [ParameterSpec("name", .string, default: .string("concatenated"), doc: "the piece's name (its {stem} when written)")],
        group: { p in Body(name: p.string("name")) })

    struct Body: GroupStage {
        let name: String
        func process(group windows: [MelodyWindow], drops: inout DropCounts) throws -> [QuantizedSequence] {
                guard let first = windows.first else { return [] }
                var piece = first.window.piece
                piece.sequence.notes = []
                piece.sequence.source = name
                var at = 0
                var laid: [MelodyWindow] = []
                for var w in windows {
                    w.window.piece = piece
                    w.window.start = at
                    w.track = 0
                    at += w.events.count
                    laid.append(w)
                }
                piece.sequence.totalTicks = at
                return [piece.joining(laid.map { var m = $0; m.window.piece = piece; return m })]
        }
    }
}
