import Foundation
import NoteSequences

/// A static HTML page to listen to and look at a run's results: for each input, a row of entries, each with its
/// piano roll (inline SVG), an audio player and its key numbers. No scripts, no network: it opens from disk.
public struct ListeningReport: Sendable {
    /// One thing to show: a score with its picture, sound and numbers.
    public struct Entry: Sendable {
        /// Caption ("input", "01.mid").
        public var title: String
        /// Inline SVG of the piano roll.
        public var svg: String
        /// Path of the audio file relative to the page, if any.
        public var audio: String?
        /// Key numbers, in display order.
        public var numbers: [(String, String)]

        /// Creates an entry.
        public init(title: String, svg: String, audio: String?, numbers: [(String, String)]) {
            self.title = title
            self.svg = svg
            self.audio = audio
            self.numbers = numbers
        }
    }

    /// The entries of one input, shown side by side (or as a grid when there are many).
    public struct Section: Sendable {
        /// Heading (the input file).
        public var title: String
        /// Entries in order.
        public var entries: [Entry]
        /// Creates a section.
        public init(title: String, entries: [Entry]) {
            self.title = title
            self.entries = entries
        }
    }

    /// Page title.
    public var title: String
    /// A line under the title (the command or pipeline that made it).
    public var subtitle: String
    /// Sections in order.
    public var sections: [Section]

    /// Creates a report.
    public init(title: String, subtitle: String, sections: [Section]) {
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
    }

    /// The key numbers of a score: notes, bars, duration, pitch range, and the melody attributes of its first
    /// melodic track over the whole piece.
    public static func numbers(of s: NoteSequence) -> [(String, String)] {
        let pitches = s.notes.filter { !$0.isDrum }.map(\.pitch)
        var out = [("notes", "\(s.notes.count)"), ("bars", "\(s.barCount)"), ("duration", String(format: "%.1f s", s.totalTime))]
        if let lo = pitches.min(), let hi = pitches.max() { out.append(("pitch range", "\(lo)–\(hi)")) }
        if let q = try? s.quantized(), q.totalSteps > 0 {
            var drops = DropCounts()
            let whole = BarWindow(piece: q, start: 0, bars: 1, stepsPerBar: q.totalSteps, index: 0,
                                  timeSignature: q.sequence.initialTimeSignature)
            if let melody = whole.melodies(MelodyExtraction(minNotes: 0, firstTrackOnly: true), drops: &drops).first {
                let a = melody.attributes
                out.append(("note density", String(format: "%.3f per step", a.noteDensity)))
                out.append(("mean interval", String(format: "%.2f semitones", a.averageInterval)))
                out.append(("syncopation 8th / 16th", String(format: "%.3f / %.3f", a.syncopation8th, a.syncopation16th)))
                out.append(("diatonic", String(format: "%.2f", a.diatonic)))
            }
        }
        return out
    }

    /// The page.
    public func html() -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escapeXML(title))</title>
            <style>
            body { font-family: sans-serif; margin: 24px; color: #222; }
            h1 { font-size: 20px; margin-bottom: 2px; } .sub { color: #666; margin-bottom: 18px; font-family: monospace; }
            h2 { font-size: 15px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
            .row { display: flex; flex-wrap: wrap; gap: 16px; }
            .entry { border: 1px solid #e3e3e3; border-radius: 6px; padding: 8px; background: #fcfcfc; }
            .entry svg { display: block; max-width: 100%; height: auto; }
            .entry audio { width: 100%; margin-top: 6px; }
            table { border-collapse: collapse; font-size: 12px; margin-top: 4px; } td { padding: 1px 8px 1px 0; }
            td.k { color: #777; }
            </style></head><body>
            <h1>\(escapeXML(title))</h1><div class="sub">\(escapeXML(subtitle))</div>

            """
        for section in sections {
            out += "<h2>\(escapeXML(section.title))</h2>\n<div class=\"row\">\n"
            for e in section.entries {
                out += "<div class=\"entry\"><b>\(escapeXML(e.title))</b>\n\(e.svg)"
                if let audio = e.audio {
                    out += "<audio controls preload=\"metadata\" src=\"\(escapeXML(audio))\"></audio>\n"
                }
                out += "<table>" + e.numbers.map { "<tr><td class=\"k\">\(escapeXML($0.0))</td><td>\(escapeXML($0.1))</td></tr>" }.joined() + "</table></div>\n"
            }
            out += "</div>\n"
        }
        return out + "</body></html>\n"
    }
}
