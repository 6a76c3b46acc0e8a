// MARK: - Split at tempo and time-signature changes

extension NoteSequence {
    /// The ticks where the tempo or the time signature really changes: a repeat of the value in force is no change,
    /// and tick 0 is never a split point.
    public var timeChangeTicks: [Int] {
        var points = Set<Int>()
        var us = tempos.first(where: { $0.tick == 0 })?.microsecondsPerQuarter ?? Self.defaultMicrosecondsPerQuarter
        for t in tempos where t.tick > 0 {
            if t.microsecondsPerQuarter != us { points.insert(t.tick) }
            us = t.microsecondsPerQuarter
        }
        var meter = timeSignatures.first(where: { $0.tick == 0 }).map { ($0.numerator, $0.denominator) } ?? (4, 4)
        for ts in timeSignatures where ts.tick > 0 {
            if (ts.numerator, ts.denominator) != meter { points.insert(ts.tick) }
            meter = (ts.numerator, ts.denominator)
        }
        return points.filter { $0 < totalTicks }.sorted()
    }

    /// Splits the score where tempo or time signature changes, so each part has one tempo and one meter.
    /// Each part starts at tick 0 with the tempo, meter and key in force there. A note sounding across a split
    /// is cut in two (counted as "notes cut at a time change"); parts without notes are dropped ("empty part").
    public func splitAtTimeChanges(drops: inout DropCounts) -> [NoteSequence] {
        let points = timeChangeTicks
        guard !points.isEmpty else { return [self] }
        let bounds = [0] + points + [totalTicks]
        var parts: [NoteSequence] = []
        for k in 0..<(bounds.count - 1) {
            let (lo, hi) = (bounds[k], bounds[k + 1])
            guard hi > lo else { continue }
            var part = self
            part.notes = []
            for var n in notes where n.start < hi && n.end > lo {
                if n.start < lo || n.end > hi {
                    if n.start >= lo { drops.add("notes cut at a time change") }
                    n.start = max(n.start, lo)
                    n.end = min(n.end, hi)
                }
                n.start -= lo
                n.end -= lo
                part.notes.append(n)
            }
            part.tempos = Self.window(tempos, from: lo, to: hi)
            part.timeSignatures = Self.window(timeSignatures, from: lo, to: hi)
            part.keySignatures = Self.window(keySignatures, from: lo, to: hi)
            part.totalTicks = hi - lo
            if part.notes.isEmpty { drops.add("empty part"); continue }
            parts.append(part)
        }
        return parts
    }

    /// The events of `items` that matter in [lo, hi): the one in force at lo (moved to 0) and those inside, shifted.
    static func window<T: TickStamped>(_ items: [T], from lo: Int, to hi: Int) -> [T] {
        var out: [T] = []
        if var current = items.last(where: { $0.tick <= lo }) {
            current.tick = 0
            out.append(current)
        }
        for var item in items where item.tick > lo && item.tick < hi {
            item.tick -= lo
            out.append(item)
        }
        return out
    }
}
