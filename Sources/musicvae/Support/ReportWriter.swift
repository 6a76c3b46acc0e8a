import Foundation
import MIDIFiles
import NoteSequences
import Pipeline
import Render

/// Writes `DIR/index.html` for a finished run: for each input, its own piano roll and audio, then every MIDI,
/// WAV or SVG file the pipeline wrote for it. MIDI files are rendered to `DIR/audio/` with one loaded soundfont.
enum ReportWriter {
    static func write(_ report: RunReport, to dir: String, title: String, subtitle: String, soundFont: String? = nil) throws {
        let audioDir = dir + "/audio"
        try FileManager.default.createDirectory(atPath: audioDir, withIntermediateDirectories: true)
        let synth = try Synthesizer(soundFont: try SoundFonts.locate(explicit: soundFont, projectFolder: SoundFonts.projectFolder))
        let roll = PianoRoll()
        var counter = 0
        func audioName(_ stem: String) -> String {
            counter += 1
            return String(format: "%03d-", counter) + stem.replacingOccurrences(of: "/", with: "_") + ".wav"
        }
        func entry(title: String, midi path: String) -> ListeningReport.Entry? {
            guard let s = try? NoteSequence(path: path) else { return nil }
            let name = audioName(((path as NSString).lastPathComponent as NSString).deletingPathExtension)
            let audio = (try? AudioFile.writeWAV(synth.render(s), to: audioDir + "/" + name, format: .pcm16)).map { "audio/" + name }
            return ListeningReport.Entry(title: title, svg: roll.svg([("", s)]), audio: audio, numbers: ListeningReport.numbers(of: s))
        }
        var sections: [ListeningReport.Section] = []
        for (input, values) in report.outputsByInput {
            var entries: [ListeningReport.Entry] = []
            if let e = entry(title: "input: " + (input.path as NSString).lastPathComponent, midi: input.path) { entries.append(e) }
            for case let w as WrittenFile in values {
                let name = (w.path as NSString).lastPathComponent
                switch (w.path as NSString).pathExtension.lowercased() {
                case "mid", "midi":
                    if let e = entry(title: name, midi: w.path) { entries.append(e) }
                case "wav":
                    let copy = audioName((name as NSString).deletingPathExtension)
                    try? FileManager.default.copyItem(atPath: w.path, toPath: audioDir + "/" + copy)
                    entries.append(.init(title: name, svg: "", audio: "audio/" + copy, numbers: w.note.map { [("audio", $0)] } ?? []))
                case "svg":
                    let svg = (try? String(contentsOfFile: w.path, encoding: .utf8)) ?? ""
                    entries.append(.init(title: name, svg: svg, audio: nil, numbers: []))
                default:
                    entries.append(.init(title: name, svg: "", audio: nil, numbers: [("file", w.path)]))
                }
            }
            sections.append(.init(title: input.path, entries: entries))
        }
        let page = ListeningReport(title: title, subtitle: subtitle, sections: sections).html()
        try writeFileAtomically(Array(page.utf8), to: dir + "/index.html")
    }
}
