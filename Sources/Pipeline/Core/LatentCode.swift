import MusicVAE
import NoteSequences

/// A point in a model's latent space, with the window it stands for (so decoding can put it back in place).
///
/// A code without `z` carries a window the model could not encode (another meter, another length); decoding gives
/// that window back unchanged, so edits of a whole piece keep what they cannot change.
public struct LatentCode: PipelineValue {
    /// The type name, "LatentCode".
    public static let typeName = "LatentCode"
    /// The code, or nil for a window passed through unencoded.
    public var z: [Float]?
    /// The window it came from, or a fresh window to decode into (for sampled and interpolated codes).
    public var window: MelodyWindow
    /// A short name for the code ("interpolation 3 of 5").
    public var label: String
    /// The folder of the model whose latent space `z` is in, when it is not the stage's own model (a window of
    /// another meter encoded by a member of the model's family); nil: the stage's model.
    public var model: String?
    /// The attribute edit that moved `z` here, for the decode stage to check (nil: decode `z` as it is). It holds
    /// only while `z` is its edited code: a stage that moves `z` again without extending it voids it.
    public var edit: CheckedEdit?
    /// The code the encoder gave `window` (nil for codes that did not come from encoding it: samples,
    /// interpolations, variations). A checked edit that starts there and finds no step length better than none gives
    /// the window back as it was; one that starts anywhere else, the decode of where it started.
    public var encoded: [Float]?

    /// Creates a code.
    public init(z: [Float]?, window: MelodyWindow, label: String = "", model: String? = nil) {
        self.z = z
        self.window = window
        self.label = label
        self.model = model
    }

    /// A fresh window of `steps` steps (4/4, 120 qpm) in a piece of its own called `name`, for codes that come
    /// from no input (samples, interpolations); drum windows are on channel 10.
    public static func freshWindow(steps: Int, name: String, encoding: LineEncoding = .melody) -> MelodyWindow {
        var score = NoteSequence(ticksPerQuarter: 4, tempos: [TempoChange(tick: 0, qpm: 120)],
                                 timeSignatures: [TimeSignature(numerator: 4, denominator: 4)], source: name, totalTicks: steps)
        score.tracks = [TrackInfo(name: name)]
        let piece = QuantizedSequence(steps: score, sourceTicksPerQuarter: 480)
        let window = BarWindow(piece: piece, start: 0, bars: max(1, steps / 16), stepsPerBar: 16, index: 0,
                               timeSignature: TimeSignature(numerator: 4, denominator: 4))
        var w = MelodyWindow(events: [Int](repeating: 0, count: steps), window: window, channel: encoding == .drums ? 9 : 0)
        w.encoding = encoding
        return w
    }

    /// `number` zero-padded to the digits of `count` (at least `minimumWidth`): the names of numbered steps and
    /// samples, which then sort in order ("01" ... "05", "007" of 120).
    public static func numberedName(_ number: Int, of count: Int, minimumWidth: Int = 2) -> String {
        let digits = String(number), width = max(minimumWidth, String(count).count)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
