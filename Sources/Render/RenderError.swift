/// What can go wrong turning a score into audio.
public enum RenderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No soundfont was found; `searched` lists the places looked at, in order.
    case noSoundFont(searched: [String])
    /// A soundfont file that FluidSynth could not load.
    case badSoundFont(path: String)
    /// The synthesizer could not be created with these settings.
    case synthSetup(String)
    /// A setting out of range (sample rate, gain, tempo).
    case badOption(String)
    /// The audio file could not be written or read.
    case audioFile(path: String, reason: String)
    /// The score lasts longer than `RenderOptions.maxSeconds`.
    case tooLong(seconds: Double, limit: Double)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .noSoundFont(let searched):
            return "no soundfont found; looked at: " + searched.joined(separator: ", ")
                + " (install one with `apt-get install timgm6mb-soundfont`, or pass --soundfont FILE.sf2)"
        case .badSoundFont(let path):
            return "\(path): not a soundfont FluidSynth can load"
        case .synthSetup(let why):
            return "cannot set up the synthesizer: \(why)"
        case .badOption(let why):
            return "bad render option: \(why)"
        case .audioFile(let path, let reason):
            return "\(path): \(reason)"
        case .tooLong(let seconds, let limit):
            return "the score lasts \(Self.duration(seconds)), longer than the \(Self.duration(limit)) a render may take"
        }
    }
}

extension RenderError {
    /// "2 h 05 min", "4 min 10 s", "12.5 s": a duration for messages.
    static func duration(_ seconds: Double) -> String {
        if seconds >= 3600 { return String(format: "%.0f h %02.0f min", (seconds / 3600).rounded(.down), (seconds.truncatingRemainder(dividingBy: 3600) / 60).rounded(.down)) }
        if seconds >= 60 { return String(format: "%.0f min %02.0f s", (seconds / 60).rounded(.down), seconds.truncatingRemainder(dividingBy: 60).rounded(.down)) }
        return String(format: "%.1f s", seconds)
    }
}
