import Foundation
import NoteSequences

/// Piano-roll pictures as SVG: time on x with bar lines, pitch on y with octave labels, one colour per track,
/// velocity as opacity. Several scores stack vertically on one time scale (an interpolation reads top to bottom,
/// like the MusicVAE paper's figures).
public struct PianoRoll: Sendable {
    /// Pixels per quarter note (shrunk to fit `maxWidth`).
    public var pixelsPerQuarter: Double = 24
    /// Pixels per semitone.
    public var pixelsPerSemitone: Double = 6
    /// Widest picture, in pixels.
    public var maxWidth: Double = 1400
    /// Track colours, used in turn.
    public var palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]

    /// Default layout.
    public init() {}

    static let margin = (left: 38.0, right: 10.0, top: 20.0, gap: 14.0)

    /// An SVG document showing each `(title, score)` as a row.
    public func svg(_ rows: [(title: String, sequence: NoteSequence)]) -> String {
        let quarters = rows.map { Double($0.sequence.totalTicks) / Double(max(1, $0.sequence.ticksPerQuarter)) }.max() ?? 1
        let ppq = min(pixelsPerQuarter, (maxWidth - Self.margin.left - Self.margin.right) / max(1, quarters))
        let width = Self.margin.left + max(1, quarters) * ppq + Self.margin.right
        var body = ""
        var y = 0.0
        for row in rows {
            let (fragment, height) = rowSVG(row.title, row.sequence, top: y, pixelsPerQuarter: ppq, width: width)
            body += fragment
            y += height + Self.margin.gap
        }
        let height = max(1, y - Self.margin.gap)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" \
            font-family="sans-serif" font-size="10">
            <rect width="100%" height="100%" fill="#ffffff"/>
            \(body)</svg>

            """
    }

    /// One score's piano roll starting at `top`; returns the SVG and its height.
    func rowSVG(_ title: String, _ s: NoteSequence, top: Double, pixelsPerQuarter ppq: Double, width: Double) -> (String, Double) {
        let pitched = s.notes.filter { !$0.isDrum }
        var lo = (pitched.map(\.pitch).min() ?? 60) - 2
        var hi = (pitched.map(\.pitch).max() ?? 72) + 2
        if hi - lo < 14 { let mid = (hi + lo) / 2; lo = mid - 7; hi = mid + 7 }
        if !s.notes.filter(\.isDrum).isEmpty { lo = min(lo, 35); hi = max(hi, 51) }
        let rollTop = top + (title.isEmpty ? 4 : Self.margin.top)
        let rollHeight = Double(hi - lo + 1) * pixelsPerSemitone
        let tpq = Double(max(1, s.ticksPerQuarter))
        func x(_ tick: Int) -> Double { Self.margin.left + Double(tick) / tpq * ppq }
        func y(_ pitch: Int) -> Double { rollTop + Double(hi - pitch) * pixelsPerSemitone }
        var out = "<g>\n"
        if !title.isEmpty {
            out += "<text x=\"\(f(Self.margin.left))\" y=\"\(f(top + 13))\" font-size=\"12\" font-weight=\"bold\">\(escapeXML(title))</text>\n"
        }
        out += "<rect x=\"\(f(Self.margin.left))\" y=\"\(f(rollTop))\" width=\"\(f(width - Self.margin.left - Self.margin.right))\" height=\"\(f(rollHeight))\" fill=\"#f7f7f7\" stroke=\"#cccccc\"/>\n"
        // Octave lines and labels at every C.
        for p in lo...hi where p % 12 == 0 {
            out += "<line x1=\"\(f(Self.margin.left))\" x2=\"\(f(width - Self.margin.right))\" y1=\"\(f(y(p) + pixelsPerSemitone))\" y2=\"\(f(y(p) + pixelsPerSemitone))\" stroke=\"#dddddd\"/>"
            out += "<text x=\"\(f(Self.margin.left - 4))\" y=\"\(f(y(p) + pixelsPerSemitone))\" text-anchor=\"end\" fill=\"#555555\">C\(p / 12 - 1)</text>\n"
        }
        // Bar lines from the time signatures.
        for bar in barTicks(s) {
            out += "<line x1=\"\(f(x(bar)))\" x2=\"\(f(x(bar)))\" y1=\"\(f(rollTop))\" y2=\"\(f(rollTop + rollHeight))\" stroke=\"#999999\" stroke-width=\"0.6\"/>"
        }
        out += "\n"
        let tracks = Array(Set(s.notes.map(\.track))).sorted()
        for n in s.notes {
            let colour = n.isDrum ? "#444444" : palette[(tracks.firstIndex(of: n.track) ?? 0) % palette.count]
            let opacity = 0.3 + 0.7 * Double(max(0, min(127, n.velocity))) / 127
            let w = max(1, x(n.end) - x(n.start) - 0.5)
            out += "<rect x=\"\(f(x(n.start)))\" y=\"\(f(y(n.pitch)))\" width=\"\(f(w))\" height=\"\(f(pixelsPerSemitone - 0.5))\" fill=\"\(colour)\" fill-opacity=\"\(f(opacity))\"/>"
        }
        out += "\n</g>\n"
        return (out, rollTop - top + rollHeight)
    }

    /// Ticks of every bar line up to the end, following the time-signature changes.
    func barTicks(_ s: NoteSequence) -> [Int] {
        let signatures = s.timeSignatures.isEmpty ? [TimeSignature(numerator: 4, denominator: 4)] : s.timeSignatures
        var ticks: [Int] = []
        for (i, ts) in signatures.enumerated() {
            guard let bar = ts.barLength(ticksPerQuarter: s.ticksPerQuarter), bar > 0 else { continue }
            let end = i + 1 < signatures.count ? signatures[i + 1].tick : s.totalTicks
            var t = ts.tick
            while t <= end && ticks.count < 10_000 { ticks.append(t); t += bar }
        }
        return ticks
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}

/// Escapes text for XML and HTML.
public func escapeXML(_ s: String) -> String {
    var out = ""
    for c in s {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default: out.append(c)
        }
    }
    return out
}
