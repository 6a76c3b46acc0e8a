import Foundation
import Pipeline

/// Where the tool's bundled files (Pipelines/, Examples/, later Models/) are: `$MUSICVAE_HOME`, else the first
/// folder above the executable that holds `Pipelines/` (the repository when run from `.build/release`).
enum InstallPaths {
    static let home: String? = {
        if let env = ProcessInfo.processInfo.environment["MUSICVAE_HOME"], !env.isEmpty { return env }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        }
        for _ in 0..<8 {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Pipelines").path) { return dir.path }
            let up = dir.deletingLastPathComponent()
            if up.path == dir.path { break }
            dir = up
        }
        return nil
    }()

    /// What the pipelines' stages may know of this installation: its folder (for the default model and the
    /// bundled soundfonts) and the session's soundfont, `$MUSICVAE_SOUNDFONT`.
    static let context = PipelineContext(home: home, soundFont: ProcessInfo.processInfo.environment["MUSICVAE_SOUNDFONT"])

    /// The bundled pipeline called `name` (with or without .yaml), if there is one.
    static func bundledPipeline(_ name: String) -> String? {
        guard let home else { return nil }
        let file = name.hasSuffix(".yaml") ? name : name + ".yaml"
        let path = home + "/Pipelines/" + file
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// A pipeline argument: an existing file, else a bundled pipeline of that name.
    static func pipeline(_ argument: String) throws -> String {
        if FileManager.default.fileExists(atPath: argument) { return argument }
        if !argument.contains("/"), let bundled = bundledPipeline(argument) { return bundled }
        throw CLIError("\(argument): no such pipeline file" + (home == nil ? "" : " (and no bundled pipeline of that name in \(home!)/Pipelines)"))
    }
}

/// The tool's version.
enum MusicVAEVersion {
    static let string = "0.1.0"
}
