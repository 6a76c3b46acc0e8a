import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MIDIFiles
import NoteSequences
import Testing
import TestSupport

/// `musicvae serve` over real HTTP on loopback: every endpoint, every kind of client error, concurrent clients,
/// and a bounded load loop whose figures are printed (not asserted: timings belong to benchmarks).
@Suite(.serialized) struct ServeTests {
    static let server: ServedExplorer = try! ServedExplorer()
    static let root = SharedData.packageRoot.path
    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: root + "/" + path)) }
    static let ode = try! bytes("Examples/melodies/ode-to-joy.mid")
    static func notes(_ midi: Data) throws -> [Note] { try NoteSequence(midi: MIDIFile(bytes: Array(midi))).notes }
    var u: String { Self.server.url }

    @Test func pageAndAssetsAreServedFromTheBinary() async throws {
        let page = try await HTTP.get(u + "/")
        #expect(page.status == 200)
        #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(page.text.contains("MusicVAE explorer") && page.text.contains("/explorer.js"))
        for (asset, type) in [("/explorer.js", "text/javascript"), ("/explorer.css", "text/css")] {
            let r = try await HTTP.get(u + asset)
            #expect(r.status == 200 && r.header("Content-Type")?.hasPrefix(type) == true && r.body.count > 500, "\(asset)")
        }
    }

    @Test func otherInterfacesNeedAllowRemote() throws {
        let r = try CLI.run(["serve", "--host", "0.0.0.0", "--port", "0"])
        #expect(r.status == 64 && r.stderr.contains("--allow-remote"), "\(r.stderr)")
        let bad = try CLI.run(["serve", "--port", "70000"])
        #expect(bad.status == 64 && bad.stderr.contains("--port"))
    }

    @Test func healthAttributesAndExamples() async throws {
        let health = try await HTTP.get(u + "/api/health").json()
        #expect(health["status"] as? String == "ok")
        #expect(health["model"] as? String == "mel_2bar_small")
        let attributes = try await HTTP.get(u + "/api/attributes").json()
        let items = try #require(attributes["attributes"] as? [[String: String]])
        let melody = items.filter { $0["track"] == "melody" }.compactMap { $0["name"] }
        #expect(melody.contains("note_density") && melody.contains("pitch_range"))
        #expect(items.contains { $0["track"] == "drums" && $0["name"] == "note_density" })
        #expect(attributes["min"] as? Double == -2 && attributes["max"] as? Double == 2)
        let examples = try #require(try await HTTP.get(u + "/api/examples").json()["examples"] as? [String])
        #expect(examples.contains("ode-to-joy") && examples.contains("when-the-saints"))
        let example = try await HTTP.get(u + "/api/examples/ode-to-joy")
        #expect(example.status == 200 && example.body == Self.ode)
        let missing = try await HTTP.get(u + "/api/examples/..%2F..%2FPackage.swift")
        let missingError = try missing.json()["error"] as? String
        #expect(missing.status == 404 && missingError?.contains("not found") == true)
    }

    @Test func editAddsAndRemovesNotesAndLeavesOtherTracksAlone() async throws {
        let before = try Self.notes(Self.ode).count
        let more = try await HTTP.post(u + "/api/edit?attribute=note_density&amount=1", Self.ode)
        #expect(more.status == 200 && more.header("Content-Type") == "audio/midi")
        let after = try Self.notes(more.body).count
        #expect(Double(after) >= 1.25 * Double(before), "\(before) -> \(after)")
        #expect(more.header("X-Note-Count") == String(after))
        let fewer = try Self.notes(try await HTTP.post(u + "/api/edit?attribute=note_density&amount=-1", Self.ode).body).count
        #expect(Double(fewer) <= 0.85 * Double(before), "\(before) -> \(fewer)")

        // A song: the melody is edited, every other track comes back note for note.
        let song = try Self.bytes("Examples/songs/when-the-saints.mid")
        let edited = try await HTTP.post(u + "/api/edit?attribute=note_density&amount=1", song)
        #expect(edited.status == 200)
        let original = try NoteSequence(midi: MIDIFile(bytes: Array(song)))
        let a = original.notes, b = try Self.notes(edited.body)
        let melody = try #require(original.tracks.firstIndex { $0.name == "Melody" })
        #expect(a.filter { $0.track == melody } != b.filter { $0.track == melody }, "the melody track was not edited")
        for t in Set(a.map(\.track)).union(b.map(\.track)).subtracting([melody]) {
            #expect(a.filter { $0.track == t } == b.filter { $0.track == t }, "track \(t)")
        }
    }

    @Test func clientMistakesGetJSONErrorsWith4xx() async throws {
        let cases: [(String, String, Data, String?, Int, String)] = [
            ("POST", "/api/edit?attribute=note_density&amount=1", Data("hello, not MIDI".utf8), nil, 400, "not a MIDI file"),
            ("POST", "/api/edit?attribute=note_density&amount=1", Data(), nil, 400, "not a MIDI file"),
            ("POST", "/api/edit?attribute=loudness&amount=1", Self.ode, nil, 400, "unknown attribute 'loudness'"),
            ("POST", "/api/edit?attribute=note_density&amount=5", Self.ode, nil, 400, "amount must be a number from -2 to 2"),
            ("POST", "/api/edit?attribute=note_density&amount=lots", Self.ode, nil, 400, "amount must be a number"),
            ("POST", "/api/edit?attribute=note_density&amount=1&track=bass", Self.ode, nil, 400, "track must be one of"),
            ("POST", "/api/edit?attribute=note_density&amount=1", Data(count: 5 << 20), nil, 413, "over the limit"),
            ("POST", "/api/render", Data("MThd".utf8), nil, 400, "not a MIDI file"),
            ("POST", "/api/interpolate?steps=5", Self.ode, nil, 400, "multipart/form-data"),
            ("POST", "/api/interpolate?steps=99", Self.ode, nil, 400, "steps must be a number from 2 to 16"),
            ("POST", "/api/sample?temperature=9", Data(), nil, 400, "temperature must be a number from 0 to 2"),
            ("POST", "/api/sample?kind=jazz", Data(), nil, 400, "kind must be one of melody, drums"),
            ("GET", "/api/nothing-here", Data(), nil, 404, "not found"),
            ("GET", "/api/edit", Data(), nil, 404, "not found"),
        ]
        for (method, path, body, type, status, message) in cases {
            let r = try await HTTP.send(method, u + path, body: method == "GET" ? nil : body, contentType: type ?? "audio/midi")
            #expect(r.status == status, "\(method) \(path): \(r.status) \(r.text)")
            #expect(r.header("Content-Type")?.hasPrefix("application/json") == true, "\(path)")
            let error = (try? r.json())?["error"] as? String ?? ""
            #expect(error.contains(message), "\(path): \(error)")
        }
        // A form without field b.
        let form = HTTP.form([("a", Self.ode)])
        let r = try await HTTP.post(u + "/api/interpolate", form.body, contentType: form.contentType)
        let formError = try r.json()["error"] as? String
        #expect(r.status == 400 && formError?.contains("b") == true)
    }

    @Test func renderGivesAWAVAsLongAsThePiece() async throws {
        let r = try await HTTP.post(u + "/api/render", Self.ode)
        #expect(r.status == 200 && r.header("Content-Type") == "audio/wav")
        let wav = WAVHeader(r.body)
        let piece = try NoteSequence(midi: MIDIFile(bytes: Array(Self.ode)))
        let seconds = piece.seconds(atTick: piece.notes.map(\.end).max() ?? 0)
        #expect(wav.isWAV && wav.sampleRate == 44_100 && wav.channels == 2)
        #expect(wav.seconds >= seconds && wav.seconds <= seconds + 2.5, "piece \(seconds) s, WAV \(wav.seconds) s")
        // The same piece again comes from the cache: byte-identical.
        #expect(try await HTTP.post(u + "/api/render", Self.ode).body == r.body)
    }

    @Test func pianoRollDrawsEveryNote() async throws {
        let r = try await HTTP.post(u + "/api/pianoroll?title=Ode", Self.ode)
        #expect(r.status == 200 && r.header("Content-Type")?.hasPrefix("image/svg+xml") == true)
        #expect(r.text.components(separatedBy: "fill-opacity=").count - 1 == (try Self.notes(Self.ode)).count)
    }

    @Test func interpolateGridAndSample() async throws {
        let twinkle = try Self.bytes("Examples/melodies/twinkle.mid")
        let form = HTTP.form([("a", twinkle), ("b", Self.ode)])
        let interp = try await HTTP.post(u + "/api/interpolate?steps=5", form.body, contentType: form.contentType)
        #expect(interp.status == 200, "\(interp.text)")
        let steps = try #require(try interp.json()["pieces"] as? [[String: String]])
        #expect(steps.map { $0["name"] } == ["01", "02", "03", "04", "05"])
        let midis = try steps.map { try Self.notes(try #require(Data(base64Encoded: $0["midi"] ?? ""))) }
        #expect(midis.allSatisfy { !$0.isEmpty } && midis[0].map(\.pitch) != midis[4].map(\.pitch))

        let corners = try ["Examples/melodies/twinkle.mid", "Examples/melodies/ode-to-joy.mid",
                           "Examples/melodies/frere-jacques.mid", "Examples/songs/oh-susanna.mid"].map(Self.bytes)
        let gridForm = HTTP.form(zip(["top_left", "top_right", "bottom_left", "bottom_right"], corners).map { ($0, $1) })
        let grid = try await HTTP.post(u + "/api/grid?steps=3", gridForm.body, contentType: gridForm.contentType)
        #expect(grid.status == 200, "\(grid.text)")
        #expect((try grid.json()["pieces"] as? [[String: String]])?.count == 9)

        for kind in ["melody", "drums"] {
            let sample = try await HTTP.post(u + "/api/sample?count=3&temperature=0.5&seed=4&kind=\(kind)")
            #expect(sample.status == 200, "\(sample.text)")
            let pieces = try #require(try sample.json()["pieces"] as? [[String: String]])
            let notes = try pieces.map { try Self.notes(try #require(Data(base64Encoded: $0["midi"] ?? ""))) }
            #expect(notes.count == 3 && notes.allSatisfy { $0.allSatisfy { $0.isDrum == (kind == "drums") } })
        }
    }

    @Test func savedPipelineReproducesTheEditWithRun() async throws {
        let query = "attribute=note_density&amount=1&attribute=pitch_range&amount=-0.5"
        let edited = try await HTTP.post(u + "/api/edit?" + query, Self.ode)
        let yaml = try await HTTP.post(u + "/api/pipeline?" + query, Data())
        #expect(yaml.status == 200 && yaml.text.contains("name: pitch_range"))
        let dir = try scratchFolder()
        try yaml.body.write(to: URL(fileURLWithPath: dir + "/edit.yaml"))
        let run = try CLI.run(["run", dir + "/edit.yaml", Self.root + "/Examples/melodies/ode-to-joy.mid", "--set", "output=\(dir)/out.mid"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/out.mid")) == edited.body)
    }

    @Test func concurrentClientsGetTheSameAnswersAsOneClient() async throws {
        let twinkle = try Self.bytes("Examples/melodies/twinkle.mid")
        let queries = ["attribute=note_density&amount=1", "attribute=note_density&amount=-1", "attribute=pitch_range&amount=0.5"]
        var expected: [String: Data] = [:]
        for q in queries {
            for (name, piece) in [("ode", Self.ode), ("twinkle", twinkle)] {
                expected[q + name] = try await HTTP.post(u + "/api/edit?" + q, piece).body
            }
        }
        try await withThrowingTaskGroup(of: (String, Data).self) { group in
            for k in 0..<24 {
                let q = queries[k % 3], (name, piece) = k % 2 == 0 ? ("ode", Self.ode) : ("twinkle", twinkle)
                let url = u + "/api/edit?" + q
                group.addTask { (q + name, try await HTTP.post(url, piece).body) }
            }
            for try await (key, body) in group { #expect(body == expected[key], "\(key)") }
        }
    }

    @Test func survivesBadInputOfEveryKind() async throws {
        var rng = SplitMix(seed: 11)
        var bodies: [Data] = [Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) })]
        bodies.append(Self.ode.prefix(30))                                            // cut inside the first track
        var huge = Self.ode
        huge.replaceSubrange(18..<22, with: [0x7f, 0xff, 0xff, 0xff])                  // a track claiming 2 GB
        bodies.append(huge)
        bodies.append(Data("MThd\u{0}\u{0}\u{0}\u{6}\u{0}\u{1}\u{0}\u{9}\u{1}\u{e0}".utf8))  // 9 tracks announced, none there
        for k in 0..<40 {                                                              // flipped bytes
            var b = Self.ode
            for _ in 0...k % 7 { b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            bodies.append(b)
        }
        for (k, body) in bodies.enumerated() {
            for path in ["/api/edit?attribute=note_density&amount=2", "/api/render", "/api/pianoroll"] {
                let r = try await HTTP.post(u + path, body)
                #expect(r.status == 200 || (400..<500).contains(r.status), "body \(k) \(path): \(r.status) \(r.text)")
            }
        }
        #expect(try await HTTP.get(u + "/api/health").status == 200)
    }

    /// 8 clients, 25 edits each, of a 16-bar tune, twice: as the page does it (one piece, the slider at different
    /// amounts: the piece's codes are kept, each request decodes), and with a new piece every request (Ode to Joy
    /// with one velocity changed, so its bytes differ: each request encodes and decodes). Requests/s and latency
    /// percentiles are printed; no errors allowed.
    @Test func loadOfEightClientsOnA16BarTune() async throws {
        let clients = 8, each = 25
        let amounts = ["1", "0.5", "-0.5", "1.5", "-1", "0.75"]
        // The first note-on's velocity byte of Ode to Joy, varied to make a new file per request.
        let velocityAt = try #require((0..<(Self.ode.count - 2)).first { Self.ode[$0] & 0xF0 == 0x90 && Self.ode[$0 + 2] > 0 }) + 2
        for fresh in [false, true] {
            for a in amounts { _ = try await HTTP.post(u + "/api/edit?attribute=note_density&amount=\(a)", Self.ode) }   // plans warm
            let started = Date()
            let results = try await withThrowingTaskGroup(of: [(Double, Int)].self) { group in
                for client in 0..<clients {
                    group.addTask {
                        var out: [(Double, Int)] = []
                        for k in 0..<each {
                            var body = Self.ode
                            if fresh { body[velocityAt] = UInt8(1 + (client * each + k) % 126) }
                            let url = self.u + "/api/edit?attribute=note_density&amount=\(amounts[(client + k) % amounts.count])"
                            let t0 = Date()
                            let r = try await HTTP.post(url, body)
                            out.append((Date().timeIntervalSince(t0), r.status))
                        }
                        return out
                    }
                }
                var all: [(Double, Int)] = []
                for try await part in group { all += part }
                return all
            }
            let wall = Date().timeIntervalSince(started)
            let latencies = results.map(\.0).sorted()
            let p = { (q: Double) in latencies[min(latencies.count - 1, Int(q * Double(latencies.count)))] * 1000 }
            let errors = results.filter { $0.1 != 200 }.count
            print(String(format: "serve load (%@): %d clients x %d /api/edit (Ode to Joy, 16 bars): %.1f requests/s, p50 %.0f ms, p95 %.0f ms, max %.0f ms, %d errors",
                         fresh ? "a new piece every request" : "one piece, the slider moving", clients, each,
                         Double(results.count) / wall, p(0.5), p(0.95), latencies.last! * 1000, errors))
            #expect(errors == 0)
            #expect(results.count == clients * each)
        }
    }
}

/// The few fields of a WAV header the tests check.
struct WAVHeader {
    var isWAV = false, sampleRate = 0, channels = 0, bitsPerSample = 0, dataBytes = 0
    init(_ d: Data) {
        let b = [UInt8](d)
        func u32(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 | Int(b[i + 3]) << 24 }
        func u16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
        guard b.count > 44, b[0..<4] == [0x52, 0x49, 0x46, 0x46], b[8..<12] == [0x57, 0x41, 0x56, 0x45] else { return }
        var i = 12
        while i + 8 <= b.count {
            let id = String(decoding: b[i..<(i + 4)], as: UTF8.self), size = u32(i + 4)
            if id == "fmt " { channels = u16(i + 10); sampleRate = u32(i + 12); bitsPerSample = u16(i + 22) }
            if id == "data" { dataBytes = size; break }
            i += 8 + size + (size & 1)
        }
        isWAV = sampleRate > 0 && dataBytes > 0
    }
    var seconds: Double { Double(dataBytes) / Double(max(1, sampleRate * channels * bitsPerSample / 8)) }
}
