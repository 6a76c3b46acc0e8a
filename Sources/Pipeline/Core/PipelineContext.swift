import MusicVAE

/// What a run's stages may know of the installation, handed to the plan explicitly (the library reads no
/// environment variables): where the bundled `Models/` and `SoundFonts/` are, and the soundfont chosen for the
/// whole session.
public struct PipelineContext: Sendable, Equatable {
    /// The folder holding `Models/` and `SoundFonts/`, if known: the default model is `home/Models/mel_2bar_small`.
    public var home: String?
    /// The soundfont for render stages that name none (the command-line tool passes `$MUSICVAE_SOUNDFONT`).
    public var soundFont: String?
    /// The arithmetic of the model stages' encode and decode (the command-line tool's `--precision`).
    public var precision: InferencePrecision

    /// A context.
    public init(home: String? = nil, soundFont: String? = nil, precision: InferencePrecision = .float32) {
        self.home = home
        self.soundFont = soundFont
        self.precision = precision
    }

    /// The bundled `SoundFonts/` folder, if `home` is known.
    public var soundFontFolder: String? { home.map { $0 + "/SoundFonts" } }
}
