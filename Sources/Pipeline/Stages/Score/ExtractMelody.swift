import NoteSequences

/// `extract-melody`: one 90-class melody per non-drum track of a window.
enum ExtractMelody {
    static let definition = StageDefinition(
        name: "extract-melody",
        summary: "take the monophonic line (highest note) of each non-drum track in a window, as 90-class steps",
        accepts: [BarWindow.typeName], output: .fixed(MelodyWindow.typeName),
        parameters: [
            ParameterSpec("min_pitch", .int, default: .int(21), range: 21...108, doc: "lowest pitch kept; windows reaching below are dropped"),
            ParameterSpec("max_pitch", .int, default: .int(108), range: 21...108, doc: "highest pitch kept; windows reaching above are dropped"),
            ParameterSpec("min_notes", .int, default: .int(1), range: 0...1000, doc: "fewest note onsets a window must hold"),
            ParameterSpec("tracks", .string, default: .string("all"),
                          doc: "which tracks give melodies: all (non-drum), first (the first with notes; the rest stay as they are), or indices like 1,3"),
        ],
        make: { p in
            let spec = p.string("tracks").trimmingCharacters(in: .whitespaces)
            var indices: Set<Int>?
            if spec != "all" && spec != "first" {
                let parts = spec.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? -1) >= 0 }) else {
                    throw ParameterProblem.illTyped(expected: "all, first or track indices like 1,3", got: spec)
                }
                indices = Set(parts.map { $0! })
            }
            return StageNode(name: "extract-melody", Body(settings: MelodyExtraction(
                minPitch: p.int("min_pitch"), maxPitch: p.int("max_pitch"), minNotes: p.int("min_notes"),
                tracks: indices, firstTrackOnly: spec == "first")))
        })

    struct Body: Stage {
        let settings: MelodyExtraction
        func process(_ input: BarWindow, drops: inout DropCounts) throws -> [MelodyWindow] {
            input.melodies(settings, drops: &drops)
        }
    }
}
