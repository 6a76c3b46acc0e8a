import Foundation
import MIDIFiles
import NoteSequences
import Pipeline
import Render
import MusicVAE

/// Writes `DIR/index.html` for a finished run: for each input, its own piano roll and audio, then every MIDI,
/// WAV or SVG file the pipeline wrote for it. MIDI files are rendered to `DIR/audio/` with one loaded soundfont,
/// as linked files (never inlined), mono at 22.05 kHz (a preview: a quarter of CD-quality size), until the audio
/// reaches `audioBudget` bytes; later entries say that their audio was left out and why.
enum ReportWriter {
    /// The most audio one report writes (a report over a large batch would otherwise fill a disk: 185 tunes wrote
    /// 2.5 GB before this cap).
    static let audioBudget = 256 * 1024 * 1024

    /// `modelFolders` are the models the run used (`PipelinePlan.modelFolders`, the run's own model first): the
    /// latent distance of each output to its input is measured on the input's first window that one of them
    /// takes, in that model's space, the output's window cut the same way; without one there is none.
    static func write(_ report: RunReport, to dir: String, title: String, subtitle: String, modelFolders: [String],
                      soundFont: String? = nil) throws {
        let audioDir = dir + "/audio"
        try FileManager.default.createDirectory(atPath: audioDir, withIntermediateDirectories: true)
        var preview = RenderOptions()
        preview.sampleRate = 22_050
        preview.mono = true
        let synth = try Synthesizer(soundFont: try SoundFonts.locate(explicit: soundFont, projectFolder: InstallPaths.context.soundFontFolder,
                                                                       session: InstallPaths.context.soundFont),
                                    options: preview)
        var audioBytes = 0, audioLeftOut = 0
        let roll = PianoRoll()
        // The latent distance of each output to its input, in the space of the model that takes the input's first
        // window (loaded on first use).
        var models: [Int: MusicVAEModel?] = [:]   // nil: the folder did not load (tried once)
        func model(_ index: Int) -> MusicVAEModel? {
            if let cached = models[index] { return cached }
            let m = try? MusicVAEModel.load(from: URL(fileURLWithPath: modelFolders[index]))
            models[index] = .some(m)
            return m
        }
        /// The code of the piece's first window that the model `index` takes.
        func firstCode(_ q: QuantizedSequence, model index: Int) -> [Float]? {
            guard let model = model(index) else { return nil }
            var drops = DropCounts()
            let c = model.config
            let windows = q.barWindows(BarSlicing(bars: c.bars, hop: 1, meters: c.meters, barGrids: [c.stepsPerBar]), drops: &drops)
            // The piece's drum tracks or melody lines, read once; each window is cut from them.
            let drums = c.lineEncoding == .drums ? PieceDrums(q, drops: &drops) : nil
            let melodies = drums == nil ? PieceLines(q, MelodyExtraction(autoTrack: true), drops: &drops) : nil
            let lines: (BarWindow) -> [MelodyWindow] = { w in
                drums?.patterns(in: w, drops: &drops) ?? melodies!.melodies(in: w, drops: &drops)
            }
            guard let m = windows.lazy.flatMap(lines).first(where: { $0.events.count == c.numSteps }) else { return nil }
            return try? model.encode(windows: [m.events]).mu[0]
        }
        /// The input's first code and the model it came from: the run's own model first, then its family.
        func inputCode(_ path: String) -> (code: [Float], model: Int)? {
            guard !modelFolders.isEmpty, let q = try? NoteSequence(path: path).quantized() else { return nil }
            for index in modelFolders.indices { if let c = firstCode(q, model: index) { return (c, index) } }
            return nil
        }
        var counter = 0
        func audioName(_ stem: String) -> String {
            counter += 1
            return String(format: "%03d-", counter) + stem.replacingOccurrences(of: "/", with: "_") + ".wav"
        }
        func entry(title: String, midi path: String) -> ListeningReport.Entry? {
            guard let s = try? NoteSequence(path: path) else { return nil }
            var numbers = ListeningReport.numbers(of: s)
            var audio: String?
            if audioBytes < audioBudget {
                let name = audioName(((path as NSString).lastPathComponent as NSString).deletingPathExtension)
                do {
                    let buffer = try synth.render(s)
                    if (try? AudioFile.writeWAV(buffer, to: audioDir + "/" + name, format: .pcm16)) != nil {
                        audio = "audio/" + name
                        audioBytes += 2 * buffer.samples.count + 44
                    }
                } catch {
                    numbers.append(("audio", "left out: \(error)"))
                }
            } else {
                audioLeftOut += 1
                numbers.append(("audio", "left out: the report's audio reached its \(audioBudget / 1024 / 1024) MB cap"))
            }
            return ListeningReport.Entry(title: title, svg: roll.svg([("", s)]), audio: audio, numbers: numbers)
        }
        var sections: [ListeningReport.Section] = []
        for (input, values) in report.outputsByInput {
            var entries: [ListeningReport.Entry] = []
            if let e = entry(title: "input: " + (input.path as NSString).lastPathComponent, midi: input.path) { entries.append(e) }
            let inputCode = inputCode(input.path)
            for case let w as WrittenFile in values {
                let name = (w.path as NSString).lastPathComponent
                switch (w.path as NSString).pathExtension.lowercased() {
                case "mid", "midi":
                    if var e = entry(title: name, midi: w.path) {
                        if let (a, index) = inputCode, let q = try? NoteSequence(path: w.path).quantized(), let b = firstCode(q, model: index) {
                            let name = (modelFolders[index] as NSString).lastPathComponent
                            let distance = String(format: "%.2f", Latent.distance(a, b)), norm = String(format: "%.1f", Latent.norm(a))
                            e.numbers.append(("latent distance to input", "\(distance) (first window, \(name), |z| \(norm))"))
                        }
                        entries.append(e)
                    }
                case "wav":
                    // The run's own WAV is linked where it is (relative to the report when it can be), not copied.
                    let link = URL(fileURLWithPath: w.path).standardizedFileURL.path
                    entries.append(.init(title: name, svg: "", audio: "file://" + link, numbers: w.note.map { [("audio", $0)] } ?? []))
                case "svg":
                    let svg = (try? String(contentsOfFile: w.path, encoding: .utf8)) ?? ""
                    entries.append(.init(title: name, svg: svg, audio: nil, numbers: []))
                default:
                    entries.append(.init(title: name, svg: "", audio: nil, numbers: [("file", w.path)]))
                }
            }
            sections.append(.init(title: input.path, entries: entries))
        }
        let capNote = audioLeftOut > 0 ? " (audio of \(audioLeftOut) entries left out: the \(audioBudget / 1024 / 1024) MB cap)" : ""
        let page = ListeningReport(title: title, subtitle: subtitle + capNote, sections: sections).html()
        try writeFileAtomically(Array(page.utf8), to: dir + "/index.html")
    }
}
