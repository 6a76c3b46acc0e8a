import Foundation

/// The record of a batch's finished inputs (`run --manifest FILE`): one input key per line, appended and flushed
/// to disk as each input finishes, so a job killed at any moment leaves every finished input listed (a last line
/// cut short, without its newline, is not counted).
final class Manifest: @unchecked Sendable {
    /// The keys listed when the run began.
    let finished: Set<String>
    /// The first error appending to the file (a full disk, say), if any: the inputs after it are not recorded.
    private(set) var writeError: String?
    private let handle: FileHandle

    /// Opens (or creates) the manifest at `path`.
    init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw CLIError("\(path): cannot create the manifest") }
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let handle = FileHandle(forWritingAtPath: path) else {
            throw CLIError("\(path): cannot read and append to the manifest")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last != nil { lines.removeLast() }   // after the last newline: empty, or a line cut short
        finished = Set(lines.filter { !$0.isEmpty })
        self.handle = handle
        // A line cut short is removed, so the input it named runs again and is recorded whole.
        let whole = text.utf8.lastIndex(of: UInt8(ascii: "\n")).map { text.utf8.distance(from: text.utf8.startIndex, to: $0) + 1 } ?? 0
        do {
            try handle.truncate(atOffset: UInt64(whole))
            try handle.seekToEnd()
        } catch {
            throw CLIError("\(path): cannot append to the manifest: \(error)")
        }
    }

    /// Records a finished input (callers serialize calls); after a failed write, records nothing more.
    func append(_ key: String) {
        guard writeError == nil else { return }
        do {
            try handle.write(contentsOf: Data((key + "\n").utf8))
            try handle.synchronize()
        } catch {
            writeError = "\(error)"
        }
    }
}
