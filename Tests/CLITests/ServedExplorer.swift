import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport

/// A `musicvae serve` process on a free loopback port, for end-to-end tests of the explorer; stopped on `stop()`.
final class ServedExplorer: @unchecked Sendable {
    let process = Process()
    /// "http://127.0.0.1:PORT".
    let url: String

    /// Servers still running, stopped when the test process exits (a suite's shared server has no teardown).
    nonisolated(unsafe) private static var running: [Process] = []
    private static let lock = NSLock()
    private static let stopAtExit: Void = { atexit { ServedExplorer.stopAll() } }()

    static func stopAll() {
        lock.lock()
        let all = running
        running = []
        lock.unlock()
        for p in all where p.isRunning { p.terminate() }
    }

    /// Starts the server with `arguments` after `serve --port 0` and waits for its "listening on" line.
    init(_ arguments: [String] = []) throws {
        _ = Self.stopAtExit
        process.executableURL = URL(fileURLWithPath: CLI.executable)
        process.arguments = ["serve", "--port", "0"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        Self.lock.lock()
        Self.running.append(process)
        Self.lock.unlock()
        var text = ""
        let deadline = Date().addingTimeInterval(30)
        while !text.contains("\n"), Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first, line.hasPrefix("listening on ") else {
            process.terminate()
            throw ServeTestError("serve did not start: '\(text)'")
        }
        url = String(line.dropFirst("listening on ".count))
        // Keep draining standard output so the server never blocks on a full pipe.
        DispatchQueue.global().async { while !out.fileHandleForReading.availableData.isEmpty {} }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

struct ServeTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// One HTTP exchange.
struct HTTPReply {
    let status: Int
    let headers: [String: String]
    let body: Data
    var text: String { String(decoding: body, as: UTF8.self) }
    func json() throws -> [String: Any] {
        guard let o = try JSONSerialization.jsonObject(with: body) as? [String: Any] else { throw ServeTestError("not a JSON object: \(text)") }
        return o
    }
    func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
}

/// A small HTTP client over URLSession (no cache, no cookies), for the API and WebDriver.
enum HTTP {
    static let session: URLSession = {
        let c = URLSessionConfiguration.ephemeral
        c.timeoutIntervalForRequest = 120
        c.httpMaximumConnectionsPerHost = 16
        return URLSession(configuration: c)
    }()

    static func send(_ method: String, _ url: String, body: Data? = nil, contentType: String? = nil) async throws -> HTTPReply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields { headers["\(k)"] = "\(v)" }
        return HTTPReply(status: http.statusCode, headers: headers, body: data)
    }

    static func get(_ url: String) async throws -> HTTPReply { try await send("GET", url) }

    static func post(_ url: String, _ body: Data = Data(), contentType: String = "audio/midi") async throws -> HTTPReply {
        try await send("POST", url, body: body, contentType: contentType)
    }

    /// A multipart/form-data body of file fields.
    static func form(_ fields: [(name: String, data: Data)]) -> (body: Data, contentType: String) {
        let boundary = "musicvae-test-\(UUID().uuidString)"
        var body = Data()
        for f in fields {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(f.name)\"; filename=\"\(f.name).mid\"\r\nContent-Type: audio/midi\r\n\r\n".utf8)
            body += f.data
            body += Data("\r\n".utf8)
        }
        body += Data("--\(boundary)--\r\n".utf8)
        return (body, "multipart/form-data; boundary=\(boundary)")
    }
}
