import Foundation

/// The type of a stage parameter, as pipeline files write it.
public enum ParameterType: Sendable, Equatable, CustomStringConvertible {
    /// A whole number.
    case int
    /// A number.
    case double
    /// true or false.
    case bool
    /// Free text.
    case string
    /// A file or folder path; relative paths resolve against the working directory.
    case path
    /// One of a few words.
    case choice([String])
    /// A list of strings (YAML sequence, or one comma-separated string).
    case stringList
    /// A list of whole numbers, each within the parameter's range (YAML sequence, or one number).
    case intList

    /// "int", "one of: a, b".
    public var description: String {
        switch self {
        case .int: return "int"
        case .double: return "number"
        case .bool: return "bool"
        case .string: return "string"
        case .path: return "path"
        case .choice(let c): return "one of: " + c.joined(separator: ", ")
        case .stringList: return "list of strings"
        case .intList: return "list of ints"
        }
    }
}

/// A checked parameter value.
public enum ParameterValue: Sendable, Equatable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case list([String])
    /// A list of whole numbers (an `intList` parameter's value).
    case ints([Int])

    /// The value as a pipeline file would write it.
    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .bool(let v): return String(v)
        case .string(let v): return v
        case .list(let v): return "[" + v.joined(separator: ", ") + "]"
        case .ints(let v): return "[" + v.map(String.init).joined(separator: ", ") + "]"
        }
    }
}

// MARK: - Literals

extension ParameterValue: ExpressibleByStringInterpolation {
    /// A string value written as a literal (`"\(out)/{stem}.mid"`).
    public init(stringLiteral value: String) { self = .string(value) }
}

extension ParameterSpec {
    /// A number as messages and `musicvae stages` write it: whole numbers without a decimal point (1e15 is
    /// "1000000000000000"), others as Swift prints them.
    public static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 9e18 ? String(Int(x)) : String(x)
    }
}

/// What a stage declares about one parameter: name, type, default, allowed range and a one-line doc.
public struct ParameterSpec: Sendable, Equatable {
    /// Name as written in pipeline files (snake_case).
    public var name: String
    /// Type.
    public var type: ParameterType
    /// Default; nil means the parameter is required.
    public var defaultValue: ParameterValue?
    /// Allowed numeric range (ints and numbers).
    public var range: ClosedRange<Double>?
    /// One line saying what it does.
    public var doc: String

    /// Declares a parameter.
    public init(_ name: String, _ type: ParameterType, default defaultValue: ParameterValue? = nil,
                range: ClosedRange<Double>? = nil, doc: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.range = range
        self.doc = doc
    }

    /// Converts the text of a scalar to a value of this parameter's type, or says what is wrong.
    public func parse(_ text: String) -> Result<ParameterValue, ParameterProblem> {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch type {
        case .int:
            guard let v = Int(t) else { return .failure(.illTyped(expected: "an int", got: text)) }
            return checkRange(Double(v)).map { .int(v) }
        case .double:
            guard let v = Double(t), v.isFinite else { return .failure(.illTyped(expected: "a number", got: text)) }
            return checkRange(v).map { .double(v) }
        case .bool:
            switch t.lowercased() {
            case "true", "yes", "on": return .success(.bool(true))
            case "false", "no", "off": return .success(.bool(false))
            default: return .failure(.illTyped(expected: "true or false", got: text))
            }
        case .string, .path:
            return .success(.string(text))
        case .choice(let options):
            guard options.contains(t) else { return .failure(.illTyped(expected: "one of " + options.joined(separator: ", "), got: text)) }
            return .success(.string(t))
        case .stringList:
            let items = t.isEmpty ? [] : t.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return .success(.list(items))
        case .intList:
            var items: [Int] = []
            for item in t.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let v = Int(item) else { return .failure(.illTyped(expected: "a list of ints", got: item)) }
                if case .failure(let problem) = checkRange(Double(v)) { return .failure(problem) }
                items.append(v)
            }
            return .success(.ints(items))
        }
    }

    private func checkRange(_ v: Double) -> Result<Void, ParameterProblem> {
        if let r = range, !r.contains(v) { return .failure(.outOfRange(value: v, range: r)) }
        return .success(())
    }
}

/// Why a parameter value was refused.
public enum ParameterProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is not of the declared type.
    case illTyped(expected: String, got: String)
    /// The number lies outside the declared range.
    case outOfRange(value: Double, range: ClosedRange<Double>)

    /// A phrase for messages.
    public var description: String {
        switch self {
        case .illTyped(let expected, let got): return "expected \(expected), got '\(got)'"
        case .outOfRange(let v, let r):
            let f = ParameterSpec.format
            return "\(f(v)) is out of range \(f(r.lowerBound))...\(f(r.upperBound))"
        }
    }
}

/// The checked parameters a stage is built from (declared defaults filled in).
public struct StageParameters: Sendable {
    /// Values by name.
    public var values: [String: ParameterValue]
    /// What the stage may know of the installation (see `PipelineContext`).
    public var context: PipelineContext

    /// Wraps values.
    public init(_ values: [String: ParameterValue], context: PipelineContext = PipelineContext()) {
        self.values = values
        self.context = context
    }

    /// An int parameter.
    public func int(_ name: String) -> Int {
        switch value(name) { case .int(let v): return v; case .double(let v): return Int(v); default: return 0 }
    }
    /// A number parameter.
    public func double(_ name: String) -> Double {
        switch value(name) { case .double(let v): return v; case .int(let v): return Double(v); default: return 0 }
    }
    /// A bool parameter.
    public func bool(_ name: String) -> Bool {
        if case .bool(let v) = value(name) { return v }
        return false
    }
    /// A string, path or choice parameter.
    public func string(_ name: String) -> String {
        if case .string(let v) = value(name) { return v }
        return value(name).description
    }
    /// An int-list parameter (its items were checked when parsed).
    public func ints(_ name: String) -> [Int] {
        if case .ints(let v) = value(name) { return v }
        return []
    }
    /// A list parameter.
    public func list(_ name: String) -> [String] {
        if case .list(let v) = value(name) { return v }
        if case .string(let v) = value(name) { return v.isEmpty ? [] : [v] }
        return []
    }

    /// The value of a declared parameter: the plan fills in every declared one (given or default), so a name that
    /// is absent is one the stage's code reads without declaring it, a mistake that must not read as 0 or "".
    private func value(_ name: String) -> ParameterValue {
        guard let v = values[name] else { preconditionFailure("stage parameter '\(name)' is read but not declared by its stage") }
        return v
    }
}
