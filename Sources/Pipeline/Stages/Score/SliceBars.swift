import NoteSequences

/// `slice-bars`: windows of whole bars.
enum SliceBars {
    static let definition = StageDefinition(
        name: "slice-bars",
        summary: "cut a quantized sequence into windows of N bars every H bars (pick-up bars padded to full bars)",
        accepts: [QuantizedSequence.typeName], output: .fixed(BarWindow.typeName),
        parameters: [
            ParameterSpec("bars", .int, default: .int(2), range: 1...256, doc: "bars per window"),
            ParameterSpec("hop", .int, default: .int(1), range: 1...256, doc: "bars from one window's start to the next"),
            ParameterSpec("cover", .bool, default: .bool(false),
                          doc: "cover the whole piece (last window padded with silence) instead of only whole windows"),
            ParameterSpec("meters", .stringList, default: .list([]), doc: "time signatures to keep, e.g. [4/4]; empty keeps all"),
            ParameterSpec("pickup", .string, default: .string("auto"),
                          doc: "where bar 1 starts: auto (from velocity accents), none, or a number of steps"),
        ],
        make: { p in
            let pickupText = p.string("pickup")
            let pickup: PickupRule
            switch pickupText {
            case "auto": pickup = .auto
            case "none": pickup = .none
            default:
                guard let n = Int(pickupText), n >= 0 else {
                    throw ParameterProblem.illTyped(expected: "auto, none or a number of steps", got: pickupText)
                }
                pickup = .steps(n)
            }
            let settings = BarSlicing(bars: p.int("bars"), hop: p.int("hop"), cover: p.bool("cover"),
                                      meters: p.list("meters"), pickup: pickup)
            return StageNode(name: "slice-bars", Body(settings: settings))
        })

    struct Body: Stage {
        let settings: BarSlicing
        func process(_ input: QuantizedSequence, drops: inout DropCounts) throws -> [BarWindow] {
            input.barWindows(settings, drops: &drops)
        }
    }
}

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
        ],
        make: { p in
            StageNode(name: "extract-melody", Body(settings: MelodyExtraction(
                minPitch: p.int("min_pitch"), maxPitch: p.int("max_pitch"), minNotes: p.int("min_notes"))))
        })

    struct Body: Stage {
        let settings: MelodyExtraction
        func process(_ input: BarWindow, drops: inout DropCounts) throws -> [MelodyWindow] {
            input.melodies(settings, drops: &drops)
        }
    }
}

/// `join-bars`: melody windows of one input back into whole pieces.
enum JoinBars {
    static let definition = StageDefinition(
        name: "join-bars",
        summary: "join the melody windows of each piece back into one quantized sequence",
        accepts: [MelodyWindow.typeName], output: .fixed(QuantizedSequence.typeName),
        parameters: [
            ParameterSpec("keep_other_tracks", .bool, default: .bool(true), doc: "keep the tracks that had no melody windows"),
        ],
        make: { p in StageNode(name: "join-bars", group: Body(keepOtherTracks: p.bool("keep_other_tracks"))) })

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
