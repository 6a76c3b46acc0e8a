// render-bench: our FluidSynth render against the `fluidsynth` command line, same files, soundfont, rate and
// effects, in the same run. The ratio compares like with like: a `musicvae render` process per file against a
// `fluidsynth -ni` process per file (both from process start: soundfont load, MIDI parse, render, WAV write).
// The in-process rows (one synth for a whole run, as a pipeline batch renders) are printed for what they are,
// with no ratio against the command line. Ratio: theirs / ours (>= 1: we are at least as fast).
//   swift run -c release --package-path Benchmarks render-bench [SOUNDFONT] [MIDI files...]
// Run from the repository root after `swift build -c release` (it starts .build/release/musicvae).
import Foundation
import NoteSequences
import Render

let args = Array(CommandLine.arguments.dropFirst())
let soundFont = args.first ?? "/usr/share/sounds/sf2/TimGM6mb.sf2"
var files = Array(args.dropFirst())
if files.isEmpty {
    let folk = "../shared/corpus/folk/ryansMammoth"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folk))?.filter { $0.hasSuffix(".mid") }.sorted() ?? []
    files = names.prefix(12).map { folk + "/" + $0 }
}
let out = NSTemporaryDirectory() + "render-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: out) }

let sequences = try files.map { try NoteSequence(path: $0) }
let musicSeconds = sequences.reduce(0) { $0 + $1.totalTime }
print("render-bench: \(files.count) files, \(String(format: "%.1f", musicSeconds)) s of music, soundfont \(soundFont), 44100 Hz, reverb and chorus on")

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

// Ours, one synth for every file (what a pipeline run does), written as 16-bit WAV.
var options = RenderOptions()
options.gain = 0.2   // FluidSynth's default, as the command line uses
var best = Double.infinity
for _ in 0..<3 {
    let t = now()
    let synth = try Synthesizer(soundFont: soundFont, options: options)
    for (i, s) in sequences.enumerated() {
        try AudioFile.writeWAV(try synth.render(s), to: "\(out)/ours-\(i).wav", format: .pcm16)
    }
    best = min(best, now() - t)
}
let ours = best

// Ours, a new synth per file (as one `musicvae render` command per file would).
best = .infinity
for _ in 0..<3 {
    let t = now()
    for (i, s) in sequences.enumerated() {
        let synth = try Synthesizer(soundFont: soundFont, options: options)
        try AudioFile.writeWAV(try synth.render(s), to: "\(out)/fresh-\(i).wav", format: .pcm16)
    }
    best = min(best, now() - t)
}
let oursFresh = best

// The fluidsynth command line, one process per file.
best = .infinity
for _ in 0..<3 {
    let t = now()
    for (i, f) in files.enumerated() {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/fluidsynth")
        p.arguments = ["-ni", "-q", "-r", "44100", "-F", "\(out)/cli-\(i).wav", soundFont, f]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
    }
    best = min(best, now() - t)
}
let cli = best

// Ours as a whole process per file: `musicvae render`, at FluidSynth's default gain as the command line uses.
let tool = FileManager.default.currentDirectoryPath + "/.build/release/musicvae"
best = .infinity
for _ in 0..<3 {
    let t = now()
    for (i, f) in files.enumerated() {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["render", f, "-o", "\(out)/proc-\(i).wav", "--soundfont", soundFont, "--gain", "0.2"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { fatalError("\(tool) render \(f) failed (\(p.terminationStatus)); build it first") }
    }
    best = min(best, now() - t)
}
let oursProcess = best

func line(_ name: String, _ t: Double) -> String {
    String(format: "%-34@ %7.3f s  %6.1fx real time", name as NSString, t, musicSeconds / t)
}
print("whole process per file (like with like):")
print(line("  musicvae render, a process per file", oursProcess))
print(line("  fluidsynth -ni -F, a process per file", cli))
print(String(format: "ratio fluidsynth / musicvae, whole process vs whole process: %.2f", cli / oursProcess))
print("in process, MIDI parsed before timing (no command-line counterpart; not compared with the rows above):")
print(line("  ours, one synth per run", ours))
print(line("  ours, a synth per file", oursFresh))
