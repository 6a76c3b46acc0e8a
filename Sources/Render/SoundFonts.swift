import Foundation

/// Finds a General MIDI soundfont: an explicit path, then the session's choice (the command-line tool's
/// `$MUSICVAE_SOUNDFONT`), then `*.sf2` in the project's `SoundFonts/` folder, then the standard system folders.
/// The library reads no environment variables: the caller passes what it has.
public enum SoundFonts {
    /// The system folders searched last, in order.
    public static let systemFolders = ["/usr/share/sounds/sf2", "/usr/share/soundfonts", "/usr/share/sounds/sf3"]

    /// The soundfont to use. `explicit` (a `--soundfont` value) must exist when given; `session` is the soundfont
    /// chosen for the whole session (`$MUSICVAE_SOUNDFONT` for the command-line tool); `projectFolder` is the
    /// bundled `SoundFonts/` folder, if any.
    public static func locate(explicit: String? = nil, projectFolder: String? = nil, session: String? = nil) throws -> String {
        var searched: [String] = []
        if let explicit, !explicit.isEmpty {
            guard FileManager.default.fileExists(atPath: explicit) else { throw RenderError.noSoundFont(searched: [explicit + " (--soundfont: no such file)"]) }
            return explicit
        }
        if let session, !session.isEmpty {
            if FileManager.default.fileExists(atPath: session) { return session }
            searched.append("$MUSICVAE_SOUNDFONT=\(session) (no such file)")
        } else {
            searched.append("$MUSICVAE_SOUNDFONT (not set)")
        }
        for folder in (projectFolder.map { [$0] } ?? []) + systemFolders {
            searched.append(folder + "/*.sf2")
            if let found = firstSoundFont(in: folder) { return found }
        }
        throw RenderError.noSoundFont(searched: searched)
    }

    /// The first `.sf2`/`.sf3` file in `folder` by name, preferring the small TimGM6mb when several exist.
    static func firstSoundFont(in folder: String) -> String? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return nil }
        let fonts = names.filter { $0.lowercased().hasSuffix(".sf2") || $0.lowercased().hasSuffix(".sf3") }.sorted()
        let pick = fonts.first { $0.lowercased().contains("timgm6mb") } ?? fonts.first
        return pick.map { folder + "/" + $0 }
    }
}
