import Foundation
import Hummingbird
import MultipartKit
import Pipeline

/// The explorer's HTTP API and page (routes, parameter checks, replies); the work itself is `ExplorerEngine`'s,
/// run on a `WorkPool`. Documented in the README ("The explorer").
public struct ExplorerAPI: Sendable {
    /// The engine that does the work.
    public let engine: ExplorerEngine
    let pool: WorkPool

    /// How far a slider goes either way.
    public static let amountRange: ClosedRange<Double> = -2...2
    /// Interpolation steps.
    public static let stepsRange: ClosedRange<Double> = 2...16
    /// Grid cells along a side.
    public static let gridRange: ClosedRange<Double> = 2...8
    /// Pieces one sample request draws.
    public static let countRange: ClosedRange<Double> = 1...16
    /// Sampling temperature.
    public static let temperatureRange: ClosedRange<Double> = 0...2
    /// The form fields of a grid request, corner by corner.
    public static let gridFields = ["top_left", "top_right", "bottom_left", "bottom_right"]

    /// The API over `engine`, with `engine.settings.workers` jobs at once.
    public init(engine: ExplorerEngine) {
        self.engine = engine
        pool = WorkPool(width: engine.settings.workers, timeLimit: engine.settings.timeLimit)
    }

    /// Every route on a new router.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorMiddleware())
        router.get("/") { _, _ in Self.asset(PackageResources.index_html, "text/html; charset=utf-8") }
        router.get("/explorer.js") { _, _ in Self.asset(PackageResources.explorer_js, "text/javascript; charset=utf-8") }
        router.get("/explorer.css") { _, _ in Self.asset(PackageResources.explorer_css, "text/css; charset=utf-8") }
        let api = router.group("api")
        api.get("health") { _, _ in
            JSONReply.response(Health(status: "ok", model: (engine.model as NSString).lastPathComponent, workers: pool.width))
        }
        api.get("attributes") { _, _ in
            JSONReply.response(AttributeList(
                attributes: (engine.attributes[.melody] ?? []).map { AttributeList.Item(name: $0, track: "melody") }
                    + (engine.attributes[.drums] ?? []).map { AttributeList.Item(name: $0, track: "drums") },
                min: Self.amountRange.lowerBound, max: Self.amountRange.upperBound))
        }
        api.get("examples") { _, _ in JSONReply.response(["examples": engine.settings.examples.keys.sorted()]) }
        api.get("examples/:name") { _, context in
            let name = context.parameters.get("name") ?? ""
            guard let bytes = engine.settings.examples[name] else { throw ExplorerError.notFound("example '\(name)'") }
            return Self.bytes(bytes, "audio/midi", filename: "\(name).mid")
        }
        api.post("edit") { request, _ in
            let recipe = try Self.recipe(request.uri.queryParameters)
            let midi = try await body(request)
            let edited = try await pool.run { try engine.edit(midi, recipe: recipe) }
            var response = Self.bytes(edited.midi, "audio/midi", filename: "edited.mid")
            response.headers[.init("X-Note-Count")!] = String(edited.notes)
            return response
        }
        api.post("pipeline") { request, _ in
            let recipe = try Self.recipe(request.uri.queryParameters)
            let yaml = try await pool.run { try engine.pipelineYAML(recipe) }
            return Self.bytes(Array(yaml.utf8), "application/yaml; charset=utf-8", filename: "edit.yaml")
        }
        api.post("render") { request, _ in
            let midi = try await body(request)
            let wav = try await pool.run { try engine.render(midi) }
            return Self.bytes(wav, "audio/wav", filename: "piece.wav")
        }
        api.post("pianoroll") { request, _ in
            let title = request.uri.queryParameters.get("title") ?? "piece"
            let midi = try await body(request)
            let svg = try await pool.run { try engine.pianoRoll(midi, title: title) }
            return Self.bytes(Array(svg.utf8), "image/svg+xml; charset=utf-8", filename: nil)
        }
        api.post("interpolate") { request, _ in
            let q = request.uri.queryParameters
            let steps = try Self.integer(q, "steps", default: 5, in: Self.stepsRange)
            let track = try Self.track(q, choices: ["all", "drums"], default: "all")
            let files = try await multipart(request, fields: ["a", "b"])
            let pieces = try await pool.run { try engine.interpolate(files[0], files[1], steps: steps, track: track) }
            return JSONReply.response(Pieces(pieces))
        }
        api.post("grid") { request, _ in
            let q = request.uri.queryParameters
            let steps = try Self.integer(q, "steps", default: 4, in: Self.gridRange)
            let track = try Self.track(q, choices: ["all", "drums"], default: "all")
            let files = try await multipart(request, fields: Self.gridFields)
            let pieces = try await pool.run { try engine.grid(files, steps: steps, track: track) }
            return JSONReply.response(Pieces(pieces))
        }
        api.post("sample") { request, _ in
            let q = request.uri.queryParameters
            let count = try Self.integer(q, "count", default: 4, in: Self.countRange)
            let temperature = try Self.number(q, "temperature", default: 0.5, in: Self.temperatureRange)
            let seed = try Self.integer(q, "seed", default: 0, in: 0...Double(Int32.max))
            let kind = try Self.track(q, name: "kind", choices: ["melody", "drums"], default: "melody")
            let pieces = try await pool.run { try engine.sample(count: count, temperature: temperature, seed: seed, drums: kind == "drums") }
            return JSONReply.response(Pieces(pieces))
        }
        return router
    }

    // MARK: - Bodies

    /// The request body, up to the upload limit.
    func body(_ request: Request) async throws -> [UInt8] {
        let limit = engine.settings.uploadLimit
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw ExplorerError.tooLarge(limit: limit) }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let e as any HTTPResponseError where e.status == .contentTooLarge {
            throw ExplorerError.tooLarge(limit: limit)
        }
    }

    /// The named file fields of a multipart/form-data body, in the order asked.
    func multipart(_ request: Request, fields: [String]) async throws -> [[UInt8]] {
        guard let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data"),
              let boundary = Self.boundary(type) else { throw ExplorerError.missingFields(fields) }
        let bytes = try await body(request)
        var parts: [String: [UInt8]] = [:]
        var name: String?
        var current: [UInt8] = []
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { field, value in
            if field.lowercased() == "content-disposition" { name = Self.dispositionName(value) }
        }
        parser.onBody = { buffer in current += buffer.readableBytesView }
        parser.onPartComplete = {
            if let name { parts[name] = current }
            name = nil
            current = []
        }
        do { try parser.execute(bytes) } catch { throw ExplorerError.missingFields(fields) }
        let missing = fields.filter { parts[$0] == nil }
        guard missing.isEmpty else { throw ExplorerError.missingFields(missing) }
        return fields.map { parts[$0]! }
    }

    /// The boundary of a multipart content type.
    static func boundary(_ contentType: String) -> String? {
        headerParameter("boundary", in: contentType).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The `name` of a Content-Disposition header ("form-data; name=\"a\"; filename=\"x.mid\"").
    static func dispositionName(_ value: String) -> String? { headerParameter("name", in: value) }

    /// The value of `key=value` (quotes removed) among a header value's `;`-separated parameters.
    static func headerParameter(_ key: String, in value: String) -> String? {
        for piece in value.split(separator: ";") {
            let kv = piece.trimmingCharacters(in: .whitespaces)
            if kv.lowercased().hasPrefix(key + "=") {
                return kv.dropFirst(key.count + 1).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    // MARK: - Parameters

    /// The sliders of a request: `attribute=NAME&amount=X` pairs, in order (a pair per moved slider), plus
    /// `track` and `keep_tune`.
    static func recipe(_ q: Parameters) throws -> EditRecipe {
        var shifts: [EditRecipe.Shift] = []
        var pendingName: String?
        for (key, value) in q {
            switch key {
            case "attribute":
                if let pendingName { throw ExplorerError.missing(parameter: "amount for \(pendingName)") }
                pendingName = String(value)
            case "amount":
                guard let name = pendingName else { throw ExplorerError.missing(parameter: "attribute before amount") }
                guard let x = Double(value), x.isFinite, amountRange.contains(x) else {
                    throw ExplorerError.outOfRange(parameter: "amount", value: String(value), range: amountRange)
                }
                shifts.append(.init(attribute: name, amount: x))
                pendingName = nil
            default: break
            }
        }
        if let pendingName { shifts.append(.init(attribute: pendingName, amount: 1)) }
        let keep = q.get("keep_tune") ?? "true"
        guard keep == "true" || keep == "false" else { throw ExplorerError.badChoice(parameter: "keep_tune", value: keep, choices: ["true", "false"]) }
        return EditRecipe(shifts: shifts, track: try track(q, choices: ["auto", "drums", "first", "all"], default: "auto"), keepTune: keep == "true")
    }

    static func number(_ q: Parameters, _ name: String, default value: Double, in range: ClosedRange<Double>) throws -> Double {
        guard let text = q.get(name) else { return value }
        guard let x = Double(text), x.isFinite, range.contains(x) else { throw ExplorerError.outOfRange(parameter: name, value: text, range: range) }
        return x
    }

    static func integer(_ q: Parameters, _ name: String, default value: Int, in range: ClosedRange<Double>) throws -> Int {
        guard let text = q.get(name) else { return value }
        guard let x = Int(text), range.contains(Double(x)) else { throw ExplorerError.outOfRange(parameter: name, value: text, range: range) }
        return x
    }

    static func track(_ q: Parameters, name: String = "track", choices: [String], default value: String) throws -> String {
        guard let text = q.get(name) else { return value }
        guard choices.contains(text) else { throw ExplorerError.badChoice(parameter: name, value: text, choices: choices) }
        return text
    }

    // MARK: - Replies

    static func asset(_ bytes: [UInt8], _ type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func bytes(_ bytes: [UInt8], _ type: String, filename: String?) -> Response {
        var headers: HTTPFields = [.contentType: type]
        if let filename { headers[.contentDisposition] = "inline; filename=\"\(filename)\"" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
