import TestSupport
import Foundation
import Testing
@testable import NoteSequences
@testable import Render

let soundFont = "/usr/share/sounds/sf2/TimGM6mb.sf2"

/// One note per entry `(pitch, start, end)` in seconds at 120 qpm (480 ticks per quarter = 960 ticks per second).
func score(_ notes: [(Int, Double, Double)], program: Int = 73, channel: Int = 0) -> NoteSequence {
    NoteSequence(ticksPerQuarter: 480, notes: notes.map {
        Note(pitch: $0.0, velocity: 100, start: Int($0.1 * 960), end: Int($0.2 * 960), program: program, channel: channel)
    }, tempos: [TempoChange(tick: 0, qpm: 120)])
}

/// The frequency of the strongest bin of a mono signal (radix-2 FFT, Hann window, parabolic interpolation).
func dominantFrequency(_ x: [Float], sampleRate: Double) -> Double {
    var n = 1
    while n * 2 <= x.count { n *= 2 }
    var re = (0..<n).map { i in Double(x[i]) * (0.5 - 0.5 * cos(2 * .pi * Double(i) / Double(n - 1))) }
    var im = [Double](repeating: 0, count: n)
    var j = 0
    for i in 1..<n {
        var bit = n >> 1
        while j & bit != 0 { j ^= bit; bit >>= 1 }
        j |= bit
        if i < j { re.swapAt(i, j); im.swapAt(i, j) }
    }
    var len = 2
    while len <= n {
        let ang = -2 * Double.pi / Double(len)
        for start in stride(from: 0, to: n, by: len) {
            for k in 0..<(len / 2) {
                let (wr, wi) = (cos(ang * Double(k)), sin(ang * Double(k)))
                let (a, b) = (start + k, start + k + len / 2)
                let tr = re[b] * wr - im[b] * wi, ti = re[b] * wi + im[b] * wr
                re[b] = re[a] - tr; im[b] = im[a] - ti
                re[a] += tr; im[a] += ti
            }
        }
        len *= 2
    }
    let mags = (0..<(n / 2)).map { re[$0] * re[$0] + im[$0] * im[$0] }
    let k = (1..<(n / 2 - 1)).max { mags[$0] < mags[$1] }!
    let (a, b, c) = (log(mags[k - 1]), log(mags[k]), log(mags[k + 1]))
    let offset = 0.5 * (a - c) / (a - 2 * b + c)
    return (Double(k) + offset) * sampleRate / Double(n)
}

func scratchPath(_ name: String) throws -> String {
    let dir = NSTemporaryDirectory() + "musicvae-render-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir + "/" + name
}

@Suite(.serialized) struct RenderTests {
    @Test func knownNoteReadsBackWithTheRightPitch() throws {
        var options = RenderOptions()
        options.reverb = false
        options.chorus = false
        let synth = try Synthesizer(soundFont: soundFont, options: options)
        let audio = try synth.render(score([(69, 0, 2.0)]))   // A4 = 440 Hz, flute, 2 s
        let path = try scratchPath("a4.wav")
        try AudioFile.writeWAV(audio, to: path, format: .pcm16)
        let (back, info) = try AudioFile.read(path)
        #expect(info.isWAV && info.sampleFormat == .pcm16)
        #expect(info.sampleRate == 44_100 && info.channels == 2)
        #expect(back.duration >= 2.0 && back.duration <= 2.0 + options.maxTail + 0.01)
        #expect(back.peak > 0.05)                       // not silent
        #expect(back.samples.allSatisfy { abs($0) < 0.999 })  // nothing at full scale
        let left = stride(from: 0, to: back.samples.count, by: 2).map { back.samples[$0] }
        let f = dominantFrequency(Array(left[22_050..<(22_050 + 32_768)]), sampleRate: 44_100)
        #expect(abs(f - 440) / 440 < 0.01, "measured \(f) Hz")
    }

    @Test(arguments: [(RenderOptions.SampleFormat.pcm24, 22_050.0, true), (.float, 48_000.0, false)])
    func formatsRatesAndChannels(format: RenderOptions.SampleFormat, rate: Double, mono: Bool) throws {
        var options = RenderOptions()
        options.sampleRate = rate
        options.mono = mono
        let audio = try Synthesizer(soundFont: soundFont, options: options).render(score([(60, 0, 0.5), (64, 0.5, 1.0)]))
        let path = try scratchPath("x.wav")
        try AudioFile.writeWAV(audio, to: path, format: format)
        let (back, info) = try AudioFile.read(path)
        #expect(info.sampleFormat == format)
        #expect(info.sampleRate == Int(rate) && info.channels == (mono ? 1 : 2))
        #expect(abs(back.duration - audio.duration) < 1e-9)
        #expect(back.peak > 0.01)
        // The file is exactly the bytes encoded in memory (what the explorer sends), whatever second each was
        // encoded in (float files carry no time-stamped PEAK chunk): the in-memory encoding comes a second later.
        if format == .float { Thread.sleep(forTimeInterval: 1.05) }
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == (try AudioFile.wavBytes(audio, format: format)))
    }

    /// A score longer than `maxSeconds` (here one note that claims to sound for 55 hours) is refused with its
    /// length, before any audio is allocated; the limit is an option.
    @Test func scoresLongerThanTheLimitAreRefused() throws {
        let synth = try Synthesizer(soundFont: soundFont)
        #expect(throws: RenderError.tooLong(seconds: 200_000, limit: 3600)) { try synth.render(score([(60, 0, 200_000)])) }
        #expect(RenderError.tooLong(seconds: 200_000, limit: 3600).description == "the score lasts 55 h 33 min, longer than the 1 h 00 min a render may take")
        var options = RenderOptions()
        options.maxSeconds = 1
        #expect(throws: RenderError.self) { try Synthesizer(soundFont: soundFont, options: options).render(score([(60, 0, 1.5)])) }
        #expect(try Synthesizer(soundFont: soundFont, options: options).render(score([(60, 0, 0.5)])).duration > 0.5)
    }

    @Test func drumsOnChannelTenSound() throws {
        let synth = try Synthesizer(soundFont: soundFont)
        var drums = score([(36, 0, 0.2), (38, 0.5, 0.7)], program: 0, channel: 9)
        #expect(drums.notes.allSatisfy { $0.isDrum })
        let audio = try synth.render(drums)
        #expect(audio.peak > 0.01)
        drums.notes = []
        #expect(try synth.render(drums).peak == 0)   // and a reset synth renders silence for an empty score
    }

    @Test func loudScoresAreScaledBelowFullScale() throws {
        var options = RenderOptions()
        options.gain = 10
        let chord = (48...84).map { ($0, 0.0, 1.0) }
        let audio = try Synthesizer(soundFont: soundFont, options: options).render(score(chord, program: 0))
        #expect(audio.scaledBy < 1)
        #expect(audio.peak <= options.peakLimit + 1e-6)
    }

    @Test func tailIsBoundedAndTempoOverrides() throws {
        var options = RenderOptions()
        let piano = score([(60, 0, 1.0)], program: 0)
        let audio = try Synthesizer(soundFont: soundFont, options: options).render(piano)
        #expect(audio.duration >= 1.0 && audio.duration <= 1.0 + 2.0 + 64 / 44_100.0)
        options.tempo = 240   // twice as fast: the note lasts 0.5 s
        options.reverb = false
        let fast = try Synthesizer(soundFont: soundFont, options: options).render(piano)
        #expect(fast.duration < audio.duration)
        #expect(fast.duration >= 0.5)
    }

    /// Every bundled example and a few corpus files (monophonic folk, four-voice chorales) render to sound.
    @Test func examplesAndCorpusFilesRender() throws {
        let examples = SharedData.packageRoot.appendingPathComponent("Examples/melodies").path
        let files = SharedData.files(in: examples) + SharedData.files(in: SharedData.folk + "/essenFolksong", 3)
            + SharedData.files(in: SharedData.chorales, 3)
        #expect(files.count >= 10)
        var options = RenderOptions()
        options.sampleRate = 22_050
        let synth = try Synthesizer(soundFont: soundFont, options: options)
        for path in files {
            let s = try NoteSequence(path: path)
            let audio = try synth.render(s)
            #expect(audio.duration >= s.totalTime - 0.01 && audio.duration <= s.totalTime + 2.01, "\(path)")
            #expect(audio.peak > 0.01 && audio.peak <= options.peakLimit, "\(path)")
        }
    }

    @Test func badSoundFontsAreClearErrors() throws {
        let garbage = try scratchPath("broken.sf2")
        try Data("RIFF nonsense".utf8).write(to: URL(fileURLWithPath: garbage))
        #expect(throws: RenderError.badSoundFont(path: garbage)) { try Synthesizer(soundFont: garbage) }
        #expect(throws: RenderError.self) { try SoundFonts.locate(explicit: "/nonexistent.sf2") }
        let found = try SoundFonts.locate(session: "/nope.sf2")
        #expect(found.hasSuffix(".sf2"))   // falls through to the system folders
        do {
            _ = try SoundFonts.locate(projectFolder: "/nonexistent", session: "/nope.sf2")
        } catch let RenderError.noSoundFont(searched) {
            #expect(searched.first == "$MUSICVAE_SOUNDFONT=/nope.sf2 (no such file)")
        }
        var options = RenderOptions()
        options.sampleRate = 1
        #expect(throws: RenderError.self) { try Synthesizer(soundFont: soundFont, options: options) }
    }
}
