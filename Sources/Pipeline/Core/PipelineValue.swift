import MIDIFiles
import NoteSequences

/// A value that flows between stages. Its type name is what pipeline files and type checks talk about.
public protocol PipelineValue: Sendable {
    /// The name of the type in pipeline files, `musicvae stages` and error messages ("NoteSequence").
    static var typeName: String { get }
}

/// A file to read: what a source stage produces for each input of a batch.
public struct InputFile: PipelineValue, Equatable {
    /// The type name, "InputFile".
    public static let typeName = "InputFile"
    /// The file's path as given or found.
    public var path: String
    /// Creates an input.
    public init(path: String) { self.path = path }
}

/// A file a stage wrote: what sink stages return.
public struct WrittenFile: PipelineValue, Equatable {
    /// The type name, "WrittenFile".
    public static let typeName = "WrittenFile"
    /// Where it was written.
    public var path: String
    /// Something worth saying about it ("2.50 s, peak -1.0 dBFS"), or nil.
    public var note: String?
    /// Creates a record of a written file.
    public init(path: String, note: String? = nil) {
        self.path = path
        self.note = note
    }
}

extension NoteSequence: PipelineValue {
    /// The type name, "NoteSequence".
    public static let typeName = "NoteSequence"
}

extension QuantizedSequence: PipelineValue {
    /// The type name, "QuantizedSequence".
    public static let typeName = "QuantizedSequence"
}

extension BarWindow: PipelineValue {
    /// The type name, "BarWindow".
    public static let typeName = "BarWindow"
}

extension MelodyWindow: PipelineValue {
    /// The type name, "MelodyWindow".
    public static let typeName = "MelodyWindow"
}

extension PipelineValue {
    /// The type name of this value's dynamic type.
    public var pipelineTypeName: String { Self.typeName }
}
