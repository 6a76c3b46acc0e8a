/// Attributes of a drum pattern, each a plain number with an exact definition (the drum counterparts of
/// `MelodyAttributes`, for the drum model's attribute vectors).
///
/// A hit is one drum class struck on one step. With 4 steps per quarter, step `s` is on the 8th-note grid when `s`
/// is even.
public struct DrumAttributes: Sendable, Equatable {
    /// Hits per step: hits / steps (named as the melody attribute, so "more notes" reads the same on drums).
    public var noteDensity: Double
    /// Fraction of hits on off-beat 16ths (odd steps).
    public var syncopation: Double
    /// Fraction of hits on cymbals (closed and open hi-hat, crash, ride).
    public var cymbalShare: Double

    /// The attribute names, as used in files and on the command line, in a fixed order.
    public static let names = ["note_density", "syncopation", "cymbal_share"]

    /// The value of the attribute called `name`.
    public subscript(name: String) -> Double? {
        switch name {
        case "note_density": return noteDensity
        case "syncopation": return syncopation
        case "cymbal_share": return cymbalShare
        default: return nil
        }
    }

    /// The values in `names` order.
    public var values: [Double] { Self.names.map { self[$0]! } }

    /// Computes the attributes of a drum event sequence (512-class steps, 4 steps per quarter).
    public init(events: [Int]) {
        var hits = 0, offbeat = 0, cymbals = 0
        for (i, c) in events.enumerated() where c != 0 {
            let drums = DrumEncoding.drums(inClass: c)
            hits += drums.count
            if i % 2 == 1 { offbeat += drums.count }
            cymbals += drums.filter { DrumEncoding.cymbals.contains($0) }.count
        }
        noteDensity = Double(hits) / Double(max(1, events.count))
        syncopation = Double(offbeat) / Double(max(1, hits))
        cymbalShare = Double(cymbals) / Double(max(1, hits))
    }
}

extension LineEncoding {
    /// Every attribute name of every encoding, melody first, each once: the one list the stages and the
    /// command-line tool offer.
    public static let allAttributeNames: [String] = allCases.flatMap(\.attributeNames).reduce(into: []) { if !$0.contains($1) { $0.append($1) } }

    /// The attribute names of windows in this encoding (`MelodyAttributes.names` or `DrumAttributes.names`).
    public var attributeNames: [String] { self == .melody ? MelodyAttributes.names : DrumAttributes.names }

    /// The attribute values of `events`, in `attributeNames` order; `majorTonic` matters for melodies only.
    public func attributeValues(of events: [Int], majorTonic: Int = 0) -> [Double] {
        self == .melody ? MelodyAttributes(events: events, majorTonic: majorTonic).values : DrumAttributes(events: events).values
    }
}
