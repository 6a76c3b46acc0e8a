import Foundation
import NoteSequences

/// Synthesizers for concurrent renders: each render borrows one, so the soundfont is loaded at most once per
/// thread that renders at the same time, and no synthesizer is used by two threads at once.
public final class SynthesizerPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [Synthesizer] = []
    /// The soundfont every synthesizer loads.
    public let soundFont: String
    /// The options every synthesizer renders with.
    public let options: RenderOptions

    /// A pool; synthesizers are made on first need.
    public init(soundFont: String, options: RenderOptions) {
        self.soundFont = soundFont
        self.options = options
    }

    /// Renders `sequence` with a free synthesizer (a new one when all are busy).
    public func render(_ sequence: NoteSequence) throws -> AudioBuffer {
        lock.lock()
        let synth = free.popLast()
        lock.unlock()
        let s = try synth ?? Synthesizer(soundFont: soundFont, options: options)
        defer {
            lock.lock()
            free.append(s)
            lock.unlock()
        }
        return try s.render(sequence)
    }
}
