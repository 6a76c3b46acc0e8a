import Foundation

/// Progress on long work: a redrawn bar on a terminal (files done, files/s, ETA); on a pipe or log file, a plain
/// line at every tenth of a batch of at least `plainMinimum` inputs.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let label: String
    private let started = Date()
    private var lastDraw = Date.distantPast
    private var lastTenth = 0
    private let terminal: Bool
    /// Smallest batch that gets plain progress lines.
    static let plainMinimum = 200

    init(_ label: String, terminal: Bool = FileHandleOutput.isTerminal(2)) {
        self.label = label
        self.terminal = terminal
    }

    /// Reports `done` of `total`; redraws at most ten times a second.
    func update(_ done: Int, _ total: Int) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        if !terminal {
            let tenth = total > 0 ? 10 * done / total : 10
            guard total >= Self.plainMinimum, tenth > lastTenth else { return }
            lastTenth = tenth
            let rate = Double(done) / max(1e-6, now.timeIntervalSince(started))
            FileHandleOutput.write(String(format: "%@: %d/%d inputs (%d%%), %.0f files/s, ETA %.0fs\n", label, done, total,
                                          100 * done / max(1, total), rate, rate > 0 ? Double(total - done) / rate : 0), fd: 2)
            return
        }
        guard done == total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        let elapsed = max(1e-6, now.timeIntervalSince(started))
        let rate = Double(done) / elapsed
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let width = 24
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        FileHandleOutput.write(String(format: "\r%@ [%@] %d/%d  %.0f files/s  ETA %.0fs ", label, bar, done, total, rate, eta), fd: 2)
    }

    /// Clears the line.
    func finish() {
        guard terminal else { return }
        FileHandleOutput.write("\r\u{1B}[K", fd: 2)
    }
}

/// Pretty, key-sorted JSON of an encodable value.
func jsonString<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
