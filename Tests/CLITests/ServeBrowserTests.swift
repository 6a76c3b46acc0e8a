import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MIDIFiles
import NoteSequences
import Testing
import TestSupport

/// The explorer page in a real browser: headless Chromium driven over WebDriver (chromedriver) opens an example,
/// moves the note-density slider with the keyboard, and checks the drawn piano roll and the audio; then uploads a
/// text file and reads the error on the page. Skipped, saying so, where Chromium or chromedriver is not installed
/// (`make setup` installs both; CI runs it).
@Suite(.serialized) struct ServeBrowserTests {
    static let chromium = Browser.find(["chromium", "chromium-browser", "google-chrome"])
    static let chromedriver = Browser.find(["chromedriver"])
    static let curl = Browser.find(["curl"])

    @Test(.enabled(if: chromium != nil && chromedriver != nil && curl != nil, "Chromium, chromedriver or curl is not installed (apt-get install chromium chromium-driver curl)"))
    func pageEditsPlaysAndShowsErrors() async throws {
        let server = try ServedExplorer()
        defer { server.stop() }
        let browser = try await Browser(chromium: Self.chromium!, driver: Self.chromedriver!)
        defer { browser.quit() }
        try await browser.open(server.url)

        // Open Ode to Joy from the examples.
        try await browser.waitFor("document.querySelectorAll('#example option').length > 1")
        try await browser.click("#example option[value='ode-to-joy']")
        try await browser.waitFor("document.getElementById('edited-roll').dataset.notes !== undefined")
        let original = try await browser.int("Number(document.getElementById('original-roll').dataset.notes)")
        #expect(original == (try NoteSequence(path: ServeTests.root + "/Examples/melodies/ode-to-joy.mid")).notes.count)

        // Drag "more notes" with the keyboard: four steps of 0.25 to +1.
        try await browser.click("#slider-note_density")
        try await browser.keys("#slider-note_density", String(repeating: "\u{E014}", count: 4))
        #expect(try await browser.string("document.getElementById('slider-note_density').value") == "1")
        try await browser.waitFor("Number(document.getElementById('edited-roll').dataset.notes) > \(original)")
        let edited = try await browser.int("Number(document.getElementById('edited-roll').dataset.notes)")
        #expect(Double(edited) >= 1.25 * Double(original), "\(original) -> \(edited) notes drawn")
        try browser.saveScreenshot(try await browser.screenshot(), "explorer-edit.png")

        // Play: the audio element gets the server's WAV of the edited piece, as long as the piece (plus the tail).
        try await browser.click("#play")
        try await browser.waitFor("isFinite(document.getElementById('player').duration) && document.getElementById('player').duration > 0")
        let duration = try await browser.double("document.getElementById('player').duration")
        let current = Data(try await browser.bytes("Array.from(state.current)"))
        let piece = try NoteSequence(midi: MIDIFile(bytes: Array(current)))
        #expect(piece.notes.count == edited)
        let wav = WAVHeader(try await HTTP.post(server.url + "/api/render", current).body)
        let seconds = piece.seconds(atTick: piece.notes.map(\.end).max() ?? 0)
        #expect(abs(duration - wav.seconds) < 0.05, "audio element \(duration) s, WAV \(wav.seconds) s")
        #expect(duration >= seconds && duration <= seconds + 2.5, "piece \(seconds) s, audio \(duration) s")
        #expect(try await browser.string("document.getElementById('download-midi').getAttribute('href') || ''").hasPrefix("blob:"))

        // Interpolation and the grid draw their results.
        try await browser.click("#interpolate")
        try await browser.waitFor("document.getElementById('interp-roll').dataset.notes > 0")
        try await browser.click("#grid")
        try await browser.waitFor("document.querySelectorAll('#grid-cells button').length === 16")
        try await browser.click("#grid-cells button:nth-child(6)")
        try await browser.waitFor("document.getElementById('grid-roll').dataset.notes > 0")
        try await browser.execute("window.scrollTo(0, document.getElementById('interpolate-section').offsetTop - 8)")
        try browser.saveScreenshot(try await browser.screenshot(), "explorer-blend.png")

        // A text file: a readable error on the page, and the open piece stays.
        let text = NSTemporaryDirectory() + "not-midi-\(UUID().uuidString).txt"
        try "these are words, not notes".write(toFile: text, atomically: true, encoding: .utf8)
        try await browser.keys("#file", text)
        try await browser.waitFor("!document.getElementById('error').hidden")
        let message = try await browser.string("document.getElementById('error').textContent")
        #expect(message.contains("not a MIDI file") && message.contains(".txt"), "\(message)")
        #expect(try await browser.string("document.getElementById('piece-name').textContent") == "ode-to-joy")
    }
}

/// A headless Chromium session over WebDriver (chromedriver's HTTP API).
final class Browser: @unchecked Sendable {
    let driver = Process()
    let base: String
    var session = ""
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    /// The first of `names` on the PATH.
    static func find(_ names: [String]) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in names {
            for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        return nil
    }

    init(chromium: String, driver path: String) async throws {
        let port = Int.random(in: 30_000...60_000)
        base = "http://127.0.0.1:\(port)"
        driver.executableURL = URL(fileURLWithPath: path)
        driver.arguments = ["--port=\(port)"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        for _ in 0..<100 where (try? await command("GET", "/status", raw: true)) == nil { try await Task.sleep(nanoseconds: 100_000_000) }
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": [
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1400",
                     "--autoplay-policy=no-user-gesture-required", "--mute-audio"]]]]]
        let reply = try await command("POST", "/session", capabilities, raw: true)
        guard let value = reply["value"] as? [String: Any], let id = value["sessionId"] as? String else {
            throw ServeTestError("no WebDriver session: \(reply)")
        }
        session = id
    }

    func quit() {
        let done = DispatchSemaphore(value: 0)
        Task { _ = try? await self.command("DELETE", "", raw: false); done.signal() }
        _ = done.wait(timeout: .now() + 10)
        driver.terminate()
    }

    /// One WebDriver command. Sent with curl: chromedriver writes headers without a space after the colon, which
    /// URLSession on Linux refuses ("Failed writing header").
    @discardableResult
    func command(_ method: String, _ path: String, _ body: [String: Any]? = nil, raw: Bool = false) async throws -> [String: Any] {
        let url = base + (raw ? path : "/session/\(session)" + path)
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: Self.find(["curl"]) ?? "/usr/bin/curl")
        curl.arguments = ["-s", "-X", method, "-H", "Content-Type: application/json", "--data-binary", "@-", "-w", "\n%{http_code}", url]
        let input = Pipe(), output = Pipe()
        curl.standardInput = input
        curl.standardOutput = output
        try curl.run()
        input.fileHandleForWriting.write(data)
        try input.fileHandleForWriting.close()
        let reply = output.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        let text = String(decoding: reply, as: UTF8.self)
        guard let split = text.lastIndex(of: "\n"), let status = Int(text[text.index(after: split)...]) else {
            throw ServeTestError("WebDriver \(method) \(path): no reply")
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(text[..<split].utf8))) as? [String: Any] ?? [:]
        if status != 200 { throw ServeTestError("WebDriver \(method) \(path): \(status) \(json["value"] ?? text)") }
        return json
    }

    func open(_ url: String) async throws { try await command("POST", "/url", ["url": url]) }

    func element(_ css: String) async throws -> String {
        let value = try await command("POST", "/element", ["using": "css selector", "value": css])["value"] as? [String: Any]
        guard let id = value?[Self.elementKey] as? String else { throw ServeTestError("no element \(css)") }
        return id
    }

    func click(_ css: String) async throws { try await command("POST", "/element/\(try await element(css))/click", [:]) }

    func keys(_ css: String, _ text: String) async throws {
        try await command("POST", "/element/\(try await element(css))/value", ["text": text])
    }

    @discardableResult
    func execute(_ expression: String) async throws -> Any? {
        try await command("POST", "/execute/sync", ["script": "return (\(expression));", "args": []])["value"]
    }

    func string(_ e: String) async throws -> String { "\(try await execute(e) ?? "")" }
    func double(_ e: String) async throws -> Double { (try await execute(e) as? NSNumber)?.doubleValue ?? .nan }
    func int(_ e: String) async throws -> Int { (try await execute(e) as? NSNumber)?.intValue ?? -1 }
    func bytes(_ e: String) async throws -> [UInt8] { ((try await execute(e) as? [NSNumber]) ?? []).map { $0.uint8Value } }

    /// Waits until `condition` (a JavaScript expression) is true; fails with the page's error box after 30 s.
    func waitFor(_ condition: String, seconds: Double = 30) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try await execute("Boolean(\(condition))") as? Bool) == true { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        let error = (try? await string("document.getElementById('error').textContent")) ?? ""
        throw ServeTestError("timed out waiting for \(condition); page error: '\(error)'")
    }

    func screenshot() async throws -> Data {
        guard let text = try await command("GET", "/screenshot")["value"] as? String, let png = Data(base64Encoded: text) else {
            throw ServeTestError("no screenshot")
        }
        return png
    }

    /// Writes a screenshot to the temporary folder, or to `$EXPLORER_SCREENSHOTS` when set (for the README).
    func saveScreenshot(_ png: Data, _ name: String) throws {
        let folder = ProcessInfo.processInfo.environment["EXPLORER_SCREENSHOTS"] ?? NSTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try png.write(to: URL(fileURLWithPath: folder + "/" + name))
    }
}
