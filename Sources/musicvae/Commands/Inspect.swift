import ArgumentParser
import Foundation
import MIDIFiles
import NoteSequences

/// `musicvae inspect FILE.mid [--json]`: what is in a MIDI file.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a MIDI file's format, division, tracks, tempos, meters, key, duration and bars.",
        discussion: "Exit status 1, with the file and the byte offset named, when the file is not valid MIDI.")

    @Argument(help: "MIDI file(s) to inspect (- for standard input).")
    var files: [String]

    @Flag(help: "Print JSON (one object per file; an array for several files).")
    var json = false

    func run() throws {
        var reports: [InspectReport] = []
        var failed = 0
        let streams = StandardStreams()
        for file in files {
            do {
                let midi = try MIDIFile(path: try streams.input(file))
                reports.append(InspectReport(path: file, midi: midi))
            } catch let error as MIDIFileError {
                printError("\(file): \(error)")
                failed += 1
            }
        }
        if json {
            if reports.count == 1 && files.count == 1 { print(try jsonString(reports[0])) } else if !reports.isEmpty { print(try jsonString(reports)) }
        } else {
            print(reports.map(\.text).joined(separator: "\n\n"))
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

/// Everything `inspect` shows about one file.
struct InspectReport: Encodable {
    struct Track: Encodable {
        let index: Int
        let name: String?
        let instrument: String?
        let programs: [Int]
        let channels: [Int]
        let notes: Int
        let drums: Bool
    }
    struct Tempo: Encodable { let tick: Int; let seconds: Double; let qpm: Double }
    struct Meter: Encodable { let tick: Int; let bar: Int; let time_signature: String }
    struct Key: Encodable { let tick: Int; let key: String; let sharps: Int; let minor: Bool }

    let path: String
    let format: Int
    let division: String
    let ticks_per_quarter: Int?
    let tracks: [Track]
    let tempos: [Tempo]
    let time_signatures: [Meter]
    let key_signatures: [Key]
    let notes: Int
    let duration_seconds: Double
    let bars: Int
    let sequences: Int

    init(path: String, midi: MIDIFile) {
        self.path = path
        format = midi.format
        switch midi.division {
        case .ticksPerQuarter(let t):
            division = "\(t) ticks per quarter"
            ticks_per_quarter = t
        case .smpte(let fps, let tpf):
            division = "SMPTE \(fps == 29 ? "29.97" : String(fps)) fps, \(tpf) ticks per frame"
            ticks_per_quarter = nil
        }
        let sequences = NoteSequence.sequences(from: midi, source: path)
        self.sequences = sequences.count
        let seq = sequences.first ?? NoteSequence(ticksPerQuarter: 480)
        var tracks: [Track] = []
        for (i, t) in midi.tracks.enumerated() {
            let trackNotes = midi.format == 2 ? (i < sequences.count ? sequences[i].notes : []) : seq.notes.filter { $0.track == i }
            var programs = Set<Int>(), channels = Set<Int>()
            for e in t.events {
                if case .programChange(let c, let p) = e.message { programs.insert(Int(p)); channels.insert(Int(c)) }
            }
            for n in trackNotes { channels.insert(n.channel); if !n.isDrum { programs.insert(n.program) } }
            tracks.append(Track(index: i, name: t.name, instrument: midi.format == 2 ? nil : seq.tracks[safe: i]?.instrumentName,
                                programs: programs.sorted(), channels: channels.sorted(), notes: trackNotes.count,
                                drums: trackNotes.contains { $0.isDrum }))
        }
        self.tracks = tracks
        tempos = seq.tempos.map { Tempo(tick: $0.tick, seconds: seq.seconds(atTick: $0.tick), qpm: ($0.qpm * 1000).rounded() / 1000) }
        time_signatures = seq.timeSignatures.map { ts in
            var copy = seq
            copy.totalTicks = ts.tick
            return Meter(tick: ts.tick, bar: copy.barCount + 1, time_signature: ts.description)
        }
        key_signatures = seq.keySignatures.map { Key(tick: $0.tick, key: $0.description, sharps: $0.sharps, minor: $0.isMinor) }
        notes = sequences.reduce(0) { $0 + $1.notes.count }
        duration_seconds = (sequences.map(\.totalTime).max() ?? 0).rounded(toPlaces: 3)
        bars = seq.barCount
    }

    var text: String {
        var lines = ["\(path)"]
        lines.append("  format \(format), \(division), \(tracks.count) track\(tracks.count == 1 ? "" : "s"), \(notes) notes")
        for t in tracks {
            var parts = ["  track \(t.index)"]
            if let n = t.name { parts.append("\"\(n)\"") }
            if let n = t.instrument { parts.append("(\(n))") }
            var info = ["\(t.notes) notes"]
            if !t.channels.isEmpty { info.append("channel " + t.channels.map { String($0 + 1) }.joined(separator: ",")) }
            if !t.programs.isEmpty { info.append("program " + t.programs.map(String.init).joined(separator: ",")) }
            if t.drums { info.append("drums") }
            lines.append(parts.joined(separator: " ") + ": " + info.joined(separator: ", "))
        }
        let tempoText = tempos.isEmpty ? "120 qpm (default)" : tempos.map { String(format: "%.2f qpm at %.2f s", $0.qpm, $0.seconds) }.joined(separator: "; ")
        lines.append("  tempo: " + tempoText)
        let meterText = time_signatures.isEmpty ? "4/4 (default)" : time_signatures.map { "\($0.time_signature) from bar \($0.bar)" }.joined(separator: "; ")
        lines.append("  time signature: " + meterText)
        lines.append("  key: " + (key_signatures.isEmpty ? "not given" : key_signatures.map(\.key).joined(separator: "; ")))
        let minutes = Int(duration_seconds) / 60
        lines.append(String(format: "  duration: %d:%06.3f (%.3f s), %d bars", minutes, duration_seconds - Double(minutes * 60), duration_seconds, bars))
        return lines.joined(separator: "\n")
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}

extension Double {
    func rounded(toPlaces n: Int) -> Double {
        let f = pow(10, Double(n))
        return (self * f).rounded() / f
    }
}
