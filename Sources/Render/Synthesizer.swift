import CFluidSynth
import Foundation
import NoteSequences

/// A FluidSynth instance with one soundfont loaded, rendering scores offline: events go straight into the synth
/// (no temporary MIDI file), audio comes out in 64-frame blocks, and the release tail runs until the synth is
/// silent or `maxTail` seconds have passed after the last note-off.
///
/// Not thread-safe: use one per thread (loading is the expensive part, rendering is cheap).
public final class Synthesizer {
    /// The soundfont in use.
    public let soundFont: String
    /// The options this synth was built with.
    public let options: RenderOptions
    private let settings: OpaquePointer
    private let synth: OpaquePointer

    /// FluidSynth applies events on 64-frame blocks.
    static let blockFrames = 64

    /// Loads `soundFont` into a new synth. Throws for a missing or broken soundfont or bad options.
    public init(soundFont: String, options: RenderOptions = RenderOptions()) throws {
        try options.validate()
        Self.silenceLogging
        // Check the RIFF 'sfbk' header first: handing FluidSynth's loaders a random file makes them print noise.
        guard let head = FileManager.default.contents(atPath: soundFont)?.prefix(12), head.count == 12,
              Array(head[0..<4]) == Array("RIFF".utf8), Array(head[8..<12]) == Array("sfbk".utf8) else {
            throw RenderError.badSoundFont(path: soundFont)
        }
        guard let settings = new_fluid_settings() else { throw RenderError.synthSetup("new_fluid_settings failed") }
        fluid_settings_setnum(settings, "synth.sample-rate", options.sampleRate)
        fluid_settings_setnum(settings, "synth.gain", options.gain)
        fluid_settings_setint(settings, "synth.reverb.active", options.reverb ? 1 : 0)
        fluid_settings_setint(settings, "synth.chorus.active", options.chorus ? 1 : 0)
        fluid_settings_setint(settings, "synth.lock-memory", 0)
        fluid_settings_setint(settings, "synth.threadsafe-api", 0)
        fluid_settings_setstr(settings, "player.timing-source", "sample")
        guard let synth = new_fluid_synth(settings) else {
            delete_fluid_settings(settings)
            throw RenderError.synthSetup("new_fluid_synth failed")
        }
        if fluid_synth_sfload(synth, soundFont, 1) == FLUID_FAILED {
            delete_fluid_synth(synth)
            delete_fluid_settings(settings)
            throw RenderError.badSoundFont(path: soundFont)
        }
        self.soundFont = soundFont
        self.options = options
        self.settings = settings
        self.synth = synth
    }

    deinit {
        delete_fluid_synth(synth)
        delete_fluid_settings(settings)
    }

    /// FluidSynth's own messages (warnings about missing presets and the like) are not for our users.
    private static let silenceLogging: Void = {
        for level in [FLUID_PANIC, FLUID_ERR, FLUID_WARN, FLUID_INFO, FLUID_DBG] {
            fluid_set_log_function(Int32(level.rawValue), nil, nil)
        }
    }()

    /// One scheduled synth event.
    struct Event {
        var frame: Int
        var order: Int  // program changes, then note-offs, then note-ons at the same frame
        var channel: Int32
        var kind: Kind
        enum Kind { case program(Int32), noteOn(Int32, Int32), noteOff(Int32) }
    }

    /// The events of `sequence` in frames: each note on its channel (drums on channel 10), programs as needed.
    func schedule(_ sequence: NoteSequence) -> [Event] {
        let rate = options.sampleRate
        let secondsPerTick = options.tempo.map { 60 / $0 / Double(sequence.ticksPerQuarter) }
        func frame(_ tick: Int) -> Int {
            let seconds = secondsPerTick.map { Double(tick) * $0 } ?? sequence.seconds(atTick: tick)
            return Int((seconds * rate).rounded())
        }
        var events: [Event] = []
        events.reserveCapacity(sequence.notes.count * 2 + 16)
        var program = [Int](repeating: -1, count: 16)
        for note in sequence.notes {
            let channel = note.isDrum ? 9 : max(0, min(15, note.channel == 9 ? 8 : note.channel))
            let start = frame(note.start)
            let end = max(start + 1, frame(note.end))
            if channel != 9 && program[channel] != note.program {
                program[channel] = note.program
                events.append(Event(frame: start, order: 0, channel: Int32(channel), kind: .program(Int32(max(0, min(127, note.program))))))
            }
            let velocity = Int32(max(1, min(127, note.velocity)))
            events.append(Event(frame: start, order: 2, channel: Int32(channel), kind: .noteOn(Int32(max(0, min(127, note.pitch))), velocity)))
            events.append(Event(frame: end, order: 1, channel: Int32(channel), kind: .noteOff(Int32(max(0, min(127, note.pitch))))))
        }
        events.sort { ($0.frame, $0.order) < ($1.frame, $1.order) }
        return events
    }

    /// Renders the score to float audio (stereo, or mono when asked), scaled down if it would pass the peak limit.
    /// Throws `RenderError.tooLong` for a score longer than `options.maxSeconds`.
    public func render(_ sequence: NoteSequence) throws -> AudioBuffer {
        let events = schedule(sequence)
        let lastFrame = events.last?.frame ?? 0
        let seconds = Double(lastFrame) / options.sampleRate
        guard seconds <= options.maxSeconds else { throw RenderError.tooLong(seconds: seconds, limit: options.maxSeconds) }
        fluid_synth_system_reset(synth)
        let block = Self.blockFrames
        let maxFrames = lastFrame + Int(options.maxTail * options.sampleRate) + block
        var left = [Float](repeating: 0, count: block)
        var right = [Float](repeating: 0, count: block)
        let channels = options.mono ? 1 : 2
        var samples: [Float] = []
        samples.reserveCapacity((lastFrame + Int(options.sampleRate)) * channels)
        var frame = 0
        var next = 0
        while true {
            while next < events.count && events[next].frame <= frame {
                let e = events[next]
                switch e.kind {
                case .program(let p): fluid_synth_program_change(synth, e.channel, p)
                case .noteOn(let key, let velocity): fluid_synth_noteon(synth, e.channel, key, velocity)
                case .noteOff(let key): fluid_synth_noteoff(synth, e.channel, key)
                }
                next += 1
            }
            if next == events.count && frame >= lastFrame {
                if fluid_synth_get_active_voice_count(synth) == 0 || frame >= maxFrames { break }
            }
            left.withUnsafeMutableBufferPointer { l in
                right.withUnsafeMutableBufferPointer { r in
                    _ = fluid_synth_write_float(synth, Int32(block), l.baseAddress, 0, 1, r.baseAddress, 0, 1)
                }
            }
            if channels == 2 {
                for i in 0..<block {
                    samples.append(left[i])
                    samples.append(right[i])
                }
            } else {
                for i in 0..<block { samples.append(0.5 * (left[i] + right[i])) }
            }
            frame += block
        }
        var audio = AudioBuffer(samples: samples, channels: channels, sampleRate: options.sampleRate)
        let peak = audio.peak
        if peak > options.peakLimit {
            let scale = options.peakLimit / peak
            for i in audio.samples.indices { audio.samples[i] *= scale }
            audio.scaledBy = scale
        }
        return audio
    }
}
