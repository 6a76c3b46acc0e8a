import NoteSequences

/// `slice-bars`: windows of whole bars.
enum SliceBars {
    static let definition = StageDefinition(
        name: "slice-bars",
        summary: "cut a quantized sequence into windows of N bars every H bars (pick-up bars padded to full bars)",
        parameters: [
            ParameterSpec("bars", .int, default: .int(2), range: 1...256, doc: "bars per window"),
            ParameterSpec("hop", .int, default: .int(1), range: 1...256, doc: "bars from one window's start to the next"),
            ParameterSpec("cover", .bool, default: .bool(false),
                          doc: "cover the whole piece (last window padded with silence) instead of only whole windows"),
            ParameterSpec("meters", .stringList, default: .list([]), doc: "time signatures to keep, e.g. [4/4]; empty keeps all"),
            ParameterSpec("steps_per_bar", .intList, default: .ints([]), range: 0...1024,
                          doc: "bar lengths in steps to read bars in, first choice first: 16 reads 2/4 bars in pairs and a 4/2 bar as two; [16, 12] also 3/8 bars in pairs and 6/4 or 12/8 bars as two halves of 12; other meters, or empty (or 0), keep their own bars"),
            ParameterSpec("pickup", .string, default: .string("auto"),
                          doc: "where bar 1 starts: auto (from velocity accents), none, or a number of steps"),
        ],
        stage: { p in
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
            for meter in p.list("meters") where TimeSignature(meter) == nil {
                throw ParameterProblem.illTyped(expected: "time signatures like 4/4 or 6/8", got: meter)
            }
            let settings = BarSlicing(bars: p.int("bars"), hop: p.int("hop"), cover: p.bool("cover"),
                                      meters: p.list("meters"), pickup: pickup, barGrids: p.ints("steps_per_bar").filter { $0 > 0 })
            return Body(settings: settings)
        })

    struct Body: Stage {
        let settings: BarSlicing
        func process(_ input: QuantizedSequence, drops: inout DropCounts) throws -> [BarWindow] {
            input.barWindows(settings, drops: &drops)
        }
    }
}
