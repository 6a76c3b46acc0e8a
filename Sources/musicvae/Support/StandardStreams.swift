import Foundation

/// `-` for standard input or output, wherever a command reads or writes one file: the bytes go through a file in
/// a private temporary folder (removed when the command ends), so the pipelines see paths as always and an output
/// reaches standard output only once it is complete.
final class StandardStreams {
    /// The argument that means standard input or output.
    static let dash = "-"
    private var folder: String?

    /// The streams of one command.
    init() {}

    deinit {
        if let folder { try? FileManager.default.removeItem(atPath: folder) }
    }

    /// The private folder, made on first use.
    private func scratch() throws -> String {
        if let folder { return folder }
        let f = NSTemporaryDirectory() + "musicvae-stdio-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: f, withIntermediateDirectories: true)
        folder = f
        return f
    }

    /// The path to read `argument` from: itself, or for `-` a file holding all of standard input (named
    /// `stdin.EXT`, so outputs named after their input say where they came from).
    func input(_ argument: String, ext: String = "mid") throws -> String {
        guard argument == Self.dash else { return argument }
        let path = try scratch() + "/stdin." + ext
        let data = FileHandle.standardInput.readDataToEndOfFile()
        guard !data.isEmpty else { throw CLIError("-: standard input is empty (pipe a .\(ext) file in, or give a path)") }
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The path to write `argument` to: itself, or for `-` a file in the private folder that `finish` copies to
    /// standard output.
    func output(_ argument: String, ext: String) throws -> String {
        argument == Self.dash ? try scratch() + "/stdout." + ext : argument
    }

    /// Sends the file written for `-` to standard output (nothing for a path).
    func finish(_ argument: String, written path: String) throws {
        guard argument == Self.dash else { return }
        FileHandle.standardOutput.write(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// True when `argument` sends the result to standard output (status lines then go to standard error).
    static func isStandardOutput(_ argument: String) -> Bool { argument == dash }
}
