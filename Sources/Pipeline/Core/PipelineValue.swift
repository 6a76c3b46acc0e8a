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
    /// The path relative to the folder, list or pattern it was found through (for stable sharding).
    public var key: String
    /// Creates an input.
    public init(path: String, key: String? = nil) {
        self.path = path
        self.key = key ?? path
    }

    /// The shard (0..<count) this input belongs to: FNV-1a of its key, so the split is deterministic and stays the
    /// same when files are added elsewhere in the corpus.
    public func shard(of count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Int(hash % UInt64(max(1, count)))
    }
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

/// A value that is a whole score: stages that read scores (writers, renderers) take every such type.
public protocol ScoreValue: PipelineValue {
    /// The score at MIDI resolution.
    var score: NoteSequence { get }
}

extension NoteSequence: ScoreValue {
    /// The sequence itself.
    public var score: NoteSequence { self }
}

extension QuantizedSequence: ScoreValue {
    /// The sequence back at MIDI resolution (`unquantized()`).
    public var score: NoteSequence { unquantized() }
}

/// The score types, for type checks and `musicvae stages`.
public enum ScoreTypes {
    /// "NoteSequence", "QuantizedSequence".
    public static let names = [NoteSequence.typeName, QuantizedSequence.typeName]
}

extension PipelineValue {
    /// The type name of this value's dynamic type.
    public var pipelineTypeName: String { Self.typeName }
}
