import Foundation
import Hummingbird

/// What can go wrong with a request to the explorer, with the data for a clear message. Every case is answered as
/// JSON `{"error": "..."}`: 4xx for the client's mistakes, 5xx only for the server's own.
public enum ExplorerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body is not a Standard MIDI File.
    case notMIDI(field: String, reason: String)
    /// The body is over the upload limit.
    case tooLarge(limit: Int)
    /// The model has no such attribute.
    case unknownAttribute(String, known: [String])
    /// A number parameter is missing, not a number or outside its range.
    case outOfRange(parameter: String, value: String, range: ClosedRange<Double>)
    /// A parameter that must be given is missing.
    case missing(parameter: String)
    /// A parameter has a value outside its closed set.
    case badChoice(parameter: String, value: String, choices: [String])
    /// A multipart body without the named fields.
    case missingFields([String])
    /// The piece cannot be worked on: nothing the model can take (no 4/4 melody window, say), or too long to render.
    case nothingToEdit(String)
    /// The request took longer than the server allows.
    case timedOut(seconds: Double)
    /// Too many requests wait already.
    case busy(waiting: Int)
    /// No such example or route.
    case notFound(String)
    /// A failure of the server's own (rendering, the model): a bug or a broken installation.
    case server(String)

    /// The HTTP status: 4xx for the client's mistakes, 5xx for the server's.
    public var status: HTTPResponse.Status {
        switch self {
        case .notMIDI, .unknownAttribute, .outOfRange, .missing, .badChoice, .missingFields: return .badRequest
        case .nothingToEdit: return .unprocessableContent
        case .tooLarge: return .contentTooLarge
        case .notFound: return .notFound
        case .timedOut, .busy: return .serviceUnavailable
        case .server: return .internalServerError
        }
    }

    /// The message for the `error` field.
    public var description: String {
        switch self {
        case .notMIDI(let field, let reason): return "\(field) is not a MIDI file: \(reason)"
        case .tooLarge(let limit): return "upload is over the limit of \(limit) bytes"
        case .unknownAttribute(let name, let known): return "unknown attribute '\(name)'; the model has: " + known.joined(separator: ", ")
        case .outOfRange(let p, let v, let r): return "\(p) must be a number from \(format(r.lowerBound)) to \(format(r.upperBound)), not '\(v)'"
        case .missing(let p): return "missing parameter '\(p)'"
        case .badChoice(let p, let v, let choices): return "\(p) must be one of " + choices.joined(separator: ", ") + ", not '\(v)'"
        case .missingFields(let names): return "expected multipart/form-data with the file fields " + names.joined(separator: ", ")
        case .nothingToEdit(let why): return why
        case .timedOut(let s): return String(format: "the request took longer than %.0f s and was stopped", s)
        case .busy(let n): return "the server is busy (\(n) requests wait); try again"
        case .notFound(let what): return "not found: \(what)"
        case .server(let why): return "server error: \(why)"
        }
    }

    private func format(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
}
