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
        }
    }
}
