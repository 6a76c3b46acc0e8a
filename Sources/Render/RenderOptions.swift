/// How to render: sample rate, sample format, channels, gain, effects, tempo.
public struct RenderOptions: Sendable, Equatable {
    /// Sample formats of the written file.
    public enum SampleFormat: String, Sendable, CaseIterable {
        /// 16-bit integer PCM.
        case pcm16 = "16"
        /// 24-bit integer PCM.
        case pcm24 = "24"
        /// 32-bit float.
        case float = "float"
    }

    /// Samples per second (8000...192000).
    public var sampleRate: Double = 44_100
    /// Sample format of the file.
    public var format: SampleFormat = .pcm16
    /// FluidSynth's master gain (0...10); 0.2 is its default.
    public var gain: Double = 1.0
    /// FluidSynth's reverb.
    public var reverb: Bool = true
    /// FluidSynth's chorus.
    public var chorus: Bool = true
    /// One channel instead of two (the average of left and right).
    public var mono: Bool = false
    /// Play at this tempo (quarters per minute) instead of the score's tempo map; nil keeps the score's.
    public var tempo: Double?
    /// The longest release tail after the last note-off, in seconds.
    public var maxTail: Double = 2.0
    /// The longest score rendered, in seconds: renders are previews held in memory (an hour of stereo float audio
    /// is 1.3 GB), so a score that lasts longer, such as a file whose one note claims to sound for days, is refused
    /// (`RenderError.tooLong`) before anything is allocated for it.
    public var maxSeconds: Double = 3600
    /// The highest peak allowed in the output (a fraction of full scale); louder renders are scaled down.
    public var peakLimit: Float = 0.891  // -1 dBFS

    /// Default options.
    public init() {}

    /// Throws for settings out of range.
    public func validate() throws {
        guard (8000...192_000).contains(sampleRate) else { throw RenderError.badOption("sample rate \(sampleRate) is outside 8000...192000") }
        guard (0...10).contains(gain) else { throw RenderError.badOption("gain \(gain) is outside 0...10") }
        if let t = tempo, !(1...1000).contains(t) { throw RenderError.badOption("tempo \(t) is outside 1...1000 quarters per minute") }
    }
}

/// Rendered audio: interleaved float frames.
public struct AudioBuffer: Sendable, Equatable {
    /// Interleaved samples, `channels` per frame.
    public var samples: [Float]
    /// 1 or 2.
    public var channels: Int
    /// Frames per second.
    public var sampleRate: Double
    /// By how much the render was scaled down to stay under the peak limit (1 = not at all).
    public var scaledBy: Float = 1

    /// Creates a buffer.
    public init(samples: [Float], channels: Int, sampleRate: Double) {
        self.samples = samples
        self.channels = channels
        self.sampleRate = sampleRate
    }

    /// Frames in the buffer.
    public var frames: Int { samples.count / max(1, channels) }
    /// Length in seconds.
    public var duration: Double { Double(frames) / sampleRate }
    /// The largest absolute sample.
    public var peak: Float { samples.reduce(0) { max($0, abs($1)) } }
}
