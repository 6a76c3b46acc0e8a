import NoteSequences

/// `transpose`: moves pitched notes up or down.
enum Transpose {
    static let definition = StageDefinition(
        name: "transpose",
        summary: "shift pitched notes by N semitones (drums stay); out-of-range results are dropped",
        parameters: [
            ParameterSpec("semitones", .int, default: .int(0), range: -48...48, doc: "semitones up (positive) or down (negative)"),
        ],
        sameType: [
            .of(NoteSequence.self) { s, p, drops in s.transposed(by: p.int("semitones"), drops: &drops) },
            .of(QuantizedSequence.self) { q, p, drops in
                var q = q
                q.sequence = q.sequence.transposed(by: p.int("semitones"), drops: &drops)
                return q
            },
            .of(MelodyWindow.self) { m, p, drops in
                guard let moved = m.transposed(by: p.int("semitones")) else { drops.add("transposed out of melody range"); return nil }
                return moved
            },
        ])
}
