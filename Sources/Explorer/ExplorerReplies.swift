import Foundation
import Hummingbird
import Pipeline

// The JSON replies of the API, and the middleware that turns every error into one.

/// JSON bodies for replies.
enum JSONReply {
    /// `value` encoded as JSON with `status`.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":"server error: cannot encode the reply"}"#.utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// `GET /api/health`.
struct Health: Encodable {
    let status: String
    let model: String
    let workers: Int
}

/// `GET /api/attributes`.
struct AttributeList: Encodable {
    struct Item: Encodable {
        let name: String
        let track: String
    }
    let attributes: [Item]
    let min: Double
    let max: Double
}

/// Several pieces as JSON: each one's name ("01" ...) and MIDI bytes in base64.
struct Pieces: Encodable {
    struct Piece: Encodable {
        let name: String
        let midi: String
    }
    let pieces: [Piece]
    init(_ midis: [[UInt8]]) {
        pieces = midis.enumerated().map { i, m in
            Piece(name: LatentCode.numberedName(i + 1, of: midis.count), midi: Data(m).base64EncodedString())
        }
    }
}

/// Turns every error into JSON: ours with their status, anything else (a bug) as a 500 with its text.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as ExplorerError {
            return JSONReply.response(["error": e.description], status: e.status)
        } catch let e as any HTTPResponseError {
            let message = e.status == .notFound ? "not found: \(request.uri.path)" : "\(e.status.reasonPhrase.lowercased())"
            return JSONReply.response(["error": message], status: e.status)
        } catch {
            return JSONReply.response(["error": "server error: \(error)"], status: .internalServerError)
        }
    }
}
