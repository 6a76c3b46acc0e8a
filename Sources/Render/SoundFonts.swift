import Foundation

/// Finds a General MIDI soundfont: an explicit path, then `$MUSICVAE_SOUNDFONT`, then `*.sf2` in the project's
/// `SoundFonts/` folder, then the standard system folders.
public enum SoundFonts {
    /// The system folders searched last, in order.
    public static let systemFolders = ["/usr/share/sounds/sf2", "/usr/share/soundfonts", "/usr/share/sounds/sf3"]

    /// The project's `SoundFonts/` folder: `$MUSICVAE_HOME/SoundFonts` when that variable is set.
    public static var projectFolder: String? {
        ProcessInfo.processInfo.environment["MUSICVAE_HOME"].map { $0 + "/SoundFonts" }
    }

    /// The soundfont to use. `explicit` (a `--soundfont` value) must exist when given; `projectFolder` is the
    /// bundled `SoundFonts/` folder, if any.
    public static func locate(explicit: String? = nil, projectFolder: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        var searched: [String] = []
        if let explicit, !explicit.isEmpty {
            guard FileManager.default.fileExists(atPath: explicit) else { throw RenderError.noSoundFont(searched: [explicit + " (--soundfont: no such file)"]) }
            return explicit
        }
        if let env = environment["MUSICVAE_SOUNDFONT"], !env.isEmpty {
            if FileManager.default.fileExists(atPath: env) { return env }
            searched.append("$MUSICVAE_SOUNDFONT=\(env) (no such file)")
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
