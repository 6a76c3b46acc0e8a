import Foundation

/// A one-line progress display on a terminal (files done, files/s, ETA); silent when stderr is not a terminal.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let label: String
    private let started = Date()
    private var lastDraw = Date.distantPast
    private let enabled: Bool

    init(_ label: String, enabled: Bool = FileHandleOutput.isTerminal(2)) {
        self.label = label
        self.enabled = enabled
    }

    /// Reports `done` of `total`; redraws at most ten times a second.
    func update(_ done: Int, _ total: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
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
        guard enabled else { return }
        FileHandleOutput.write("\r\u{1B}[K", fd: 2)
    }
}

/// Pretty, key-sorted JSON of an encodable value.
func jsonString<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
