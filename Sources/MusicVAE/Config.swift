import Foundation
import NoteSequences

/// Errors raised by the MusicVAE module (configuration, checkpoints, inputs).
public enum MusicVAEError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The configuration is inconsistent (message says what).
    case invalidConfig(String)
    /// A checkpoint file is missing, malformed or inconsistent (file, message).
    case badCheckpoint(String)
    /// A checkpoint lacks a variable the model needs.
    case missingWeight(String)
    /// A checkpoint holds a variable with the wrong shape (name, expected, found).
    case weightShape(String, expected: [Int], found: [Int])
    /// A checkpoint holds a dtype or quantization this reader does not support.
    case unsupportedDType(String)
    /// An input window has the wrong length or a class index out of range.
    case invalidInput(String)

    /// A one-line human-readable description.
    public var description: String {
        switch self {
        case let .invalidConfig(s): return "invalid MusicVAE config: \(s)"
        case let .badCheckpoint(s): return "bad checkpoint: \(s)"
        case let .missingWeight(n): return "checkpoint lacks weight '\(n)'"
        case let .weightShape(n, e, f): return "weight '\(n)' has shape \(f), expected \(e)"
        case let .unsupportedDType(s): return "unsupported dtype: \(s)"
        case let .invalidInput(s): return "invalid input: \(s)"
        }
    }
}

/// A configuration entry written as one of a few words: decoding another word fails with a message that names the
/// word and the choices ("'linear' is not one of constant, inverse_sigmoid") instead of Swift's default text.
public protocol ConfigChoice: RawRepresentable, CaseIterable, Codable, Sendable where RawValue == String {}

extension ConfigChoice {
    /// Decodes the word, or throws `dataCorrupted` naming it and the choices.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let word = try container.decode(String.self)
        guard let value = Self(rawValue: word) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(word)' is not one of "
                                                   + Self.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = value
    }
}

/// A MusicVAE architecture and its training hyper-parameters (names follow Magenta's HParams).
public struct MusicVAEConfig: Codable, Sendable, Equatable {
    /// The encoder: stacked bidirectional LSTM, or a hierarchy of bidirectional LSTMs.
    public struct Encoder: Codable, Sendable, Equatable {
        /// Which encoder.
        public enum Kind: String, ConfigChoice {
            /// Stacked bidirectional LSTM layers over all steps (Magenta's BidirectionalLstmEncoder).
            case bidirectional
            /// One bidirectional LSTM per level over segments (Magenta's HierarchicalLstmEncoder).
            case hierarchical
        }
        /// Which encoder.
        public var kind: Kind
        /// Units per direction: one entry per stacked layer (bidirectional) or per level (hierarchical).
        public var layerSizes: [Int]
        /// Hierarchical only: sequence length at each level, innermost (steps per segment) first;
        /// their product is `numSteps`.
        public var levelLengths: [Int]

        /// An encoder description.
        public init(kind: Kind, layerSizes: [Int], levelLengths: [Int] = []) {
            self.kind = kind; self.layerSizes = layerSizes; self.levelLengths = levelLengths
        }
    }

    /// The decoder: a flat multi-layer LSTM, or a conductor LSTM feeding a bar-level LSTM decoder.
    public struct Decoder: Codable, Sendable, Equatable {
        /// Which decoder.
        public enum Kind: String, ConfigChoice {
            /// One multi-layer LSTM over all steps (Magenta's CategoricalLstmDecoder).
            case flat
            /// A conductor LSTM over bars feeding a bar-level LSTM decoder (HierarchicalLstmDecoder).
            case hierarchical
        }
        /// Which decoder.
        public var kind: Kind
        /// Units of each layer of the (core / bar) decoder LSTM.
        public var layerSizes: [Int]
        /// Hierarchical only: units of each conductor layer.
        public var conductorSizes: [Int]
        /// Hierarchical only: number of bars (conductor steps).
        public var numBars: Int
        /// Hierarchical only: steps per bar; numBars · stepsPerBar = numSteps.
        public var stepsPerBar: Int

        /// A decoder description.
        public init(kind: Kind, layerSizes: [Int], conductorSizes: [Int] = [], numBars: Int = 0, stepsPerBar: Int = 0) {
            self.kind = kind; self.layerSizes = layerSizes; self.conductorSizes = conductorSizes
            self.numBars = numBars; self.stepsPerBar = stepsPerBar
        }
    }

    /// A short name (e.g. "mel_2bar_small").
    public var name: String
    /// One-hot depth of inputs and outputs (90 for Magenta's MelodyConverter, pitches 21…108).
    public var depth: Int
    /// Lowest MIDI pitch of the melody encoding (class 2 plays this pitch).
    public var minPitch: Int
    /// Highest MIDI pitch of the melody encoding.
    public var maxPitch: Int
    /// Steps per window (16 per 4/4 bar).
    public var numSteps: Int
    /// Latent size.
    public var zSize: Int
    /// Encoder architecture.
    public var encoder: Encoder
    /// Decoder architecture.
    public var decoder: Decoder
    /// Free bits of KL before the KL term counts (free nats = freeBits · ln 2).
    public var freeBits: Double
    /// Final KL weight β.
    public var maxBeta: Double
    /// β at step s is (1 − betaRate^s) · maxBeta.
    public var betaRate: Double
    /// Forget-gate bias added at run time (LSTMBlockCell's forget_bias).
    public var forgetBias: Float
    /// Training batch size.
    public var batchSize: Int
    /// Initial learning rate.
    public var learningRate: Double
    /// Learning-rate decay per step.
    public var decayRate: Double
    /// Learning-rate floor.
    public var minLearningRate: Double
    /// Global-norm clip threshold.
    public var gradClip: Double
    /// Gradients with a global norm at or above this are zeroed (Magenta's grad_norm_clip_to_zero).
    public var gradNormClipToZero: Double
    /// How often the decoder is fed its own draw instead of the true previous step during training (a hierarchical
    /// decoder within each bar).
    public enum SamplingSchedule: String, ConfigChoice {
        /// The probability `samplingRate` at every step (0: teacher forcing).
        case constant
        /// Magenta's inverse sigmoid of rate k = `samplingRate`: 1 − k / (k + e^(step / k)).
        case inverseSigmoid = "inverse_sigmoid"
    }

    /// Scheduled sampling (written as "constant" or "inverse_sigmoid").
    public var samplingSchedule: SamplingSchedule
    /// Constant sampling probability, or the k of the inverse-sigmoid schedule.
    public var samplingRate: Double
    /// Steps in one bar of the model's windows: 16 (4/4, 2/2, and 2/4 bars in pairs) or 12 (3/4, 6/8, and 3/8
    /// bars in pairs). Absent in configs written before triple meters: 16.
    public var barSteps: Int?
    /// What the classes are: melody (90 classes) or drums (512). Absent in configs written before drum models:
    /// melody.
    public var encoding: LineEncoding?

    /// A configuration; unspecified training values take Magenta's defaults.
    public init(name: String, depth: Int = 90, minPitch: Int = 21, maxPitch: Int = 108, numSteps: Int, zSize: Int,
                encoder: Encoder, decoder: Decoder, freeBits: Double = 0, maxBeta: Double = 1, betaRate: Double = 0,
                forgetBias: Float = 1, batchSize: Int = 512, learningRate: Double = 1e-3, decayRate: Double = 0.9999,
                minLearningRate: Double = 1e-5, gradClip: Double = 1, gradNormClipToZero: Double = 10_000,
                samplingSchedule: SamplingSchedule = .constant, samplingRate: Double = 0, barSteps: Int? = nil,
                encoding: LineEncoding? = nil) {
        self.name = name; self.depth = depth; self.minPitch = minPitch; self.maxPitch = maxPitch
        self.numSteps = numSteps; self.zSize = zSize; self.encoder = encoder; self.decoder = decoder
        self.freeBits = freeBits; self.maxBeta = maxBeta; self.betaRate = betaRate; self.forgetBias = forgetBias
        self.batchSize = batchSize; self.learningRate = learningRate; self.decayRate = decayRate
        self.minLearningRate = minLearningRate; self.gradClip = gradClip; self.gradNormClipToZero = gradNormClipToZero
        self.samplingSchedule = samplingSchedule; self.samplingRate = samplingRate
        self.barSteps = barSteps
        self.encoding = encoding
    }

    /// What the classes are (see `encoding`).
    public var lineEncoding: LineEncoding { encoding ?? .melody }

    /// Decodes and validates a configuration from JSON; throws `invalidConfig` naming the entry that is wrong
    /// ("samplingSchedule: 'linear' is not one of constant, inverse_sigmoid", see `ConfigChoice`) rather than the
    /// decoder's debug text.
    public static func decode(json data: Data) throws -> MusicVAEConfig {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        let config: MusicVAEConfig
        do {
            config = try JSONDecoder().decode(MusicVAEConfig.self, from: data)
        } catch DecodingError.keyNotFound(let key, let context) {
            let at = path(context)
            throw MusicVAEError.invalidConfig("no '\(at.isEmpty ? "" : at + ".")\(key.stringValue)' entry")
        } catch DecodingError.typeMismatch(let type, let context), DecodingError.valueNotFound(let type, let context) {
            throw MusicVAEError.invalidConfig("'\(path(context))' is not a \(type == Int.self ? "whole number" : type == String.self ? "string" : "\(type)")")
        } catch DecodingError.dataCorrupted(let context) {
            throw MusicVAEError.invalidConfig(context.codingPath.isEmpty ? "malformed JSON" : "\(path(context)): \(context.debugDescription)")
        }
        try config.validate()
        return config
    }

    /// Steps per bar (see `barSteps`).
    public var stepsPerBar: Int { barSteps ?? 16 }

    /// Bars per window.
    public var bars: Int { max(1, numSteps / stepsPerBar) }

    /// The time signatures whose bars the model is trained and evaluated on. Pipelines also give it the bars of
    /// meters that split into these (a 4/2 bar as two 2/2 bars, a 6/4 or 12/8 bar as two 3/4 or 6/8 bars:
    /// `BarSlicing.barGrids`); training leaves those out, so that the held-out split stays the one the
    /// models' cards were measured on (4/2 tunes, mostly half notes on a sixteenth grid, would raise its accuracy
    /// without the model learning more).
    public var meters: [String] { stepsPerBar == 12 ? ["3/4", "6/8", "3/8"] : ["4/4", "2/2", "2/4"] }

    /// Magenta's `cat-mel_2bar_small` architecture: 2-bar melodies, bidirectional [512] encoder, z 256, LSTM [256, 256]
    /// decoder, scheduled sampling. Trained here at batch 64 rather than 512, so the schedules move per step: β reaches
    /// its 0.2 within about 20,000 steps (rate 0.9999, not Magenta's 0.99999, under which β stays below 0.03 for a whole
    /// two-core run and the posterior drifts far from the prior: KL 188 nats, samples unlike the data), 64 free bits
    /// keep the information a 2-bar melody needs (about 44 nats) free of the KL cost, and the learning rate decays
    /// by 0.99995 a step (a floor of 1e-5 after about 90,000 steps, not 46,000).
    public static let mel2barSmall = MusicVAEConfig(
        name: "mel_2bar_small", numSteps: 32, zSize: 256,
        encoder: Encoder(kind: .bidirectional, layerSizes: [512]),
        decoder: Decoder(kind: .flat, layerSizes: [256, 256]),
        freeBits: 64, maxBeta: 0.2, betaRate: 0.9999, batchSize: 512, decayRate: 0.99995,
        samplingSchedule: .inverseSigmoid, samplingRate: 1000)

    /// A small `hierdec-mel_16bar` (16 bars × 16 steps) sized to train on 2 CPU cores in about an hour:
    /// 2-layer bidirectional [128, 128] encoder, z 128, conductor [128, 128], bar decoder [128, 128].
    public static let mel16barHier = MusicVAEConfig(
        name: "mel_16bar_hier", numSteps: 256, zSize: 128,
        encoder: Encoder(kind: .bidirectional, layerSizes: [128, 128]),
        decoder: Decoder(kind: .hierarchical, layerSizes: [128, 128], conductorSizes: [128, 128], numBars: 16, stepsPerBar: 16),
        freeBits: 256, maxBeta: 0.2, betaRate: 0.99999, batchSize: 64)

    /// `mel_2bar_small` for triple meters: two bars of 12 sixteenth steps (3/4, 6/8, or two 3/8 bars each), 24 steps.
    public static let mel2barTriple: MusicVAEConfig = {
        var c = mel2barSmall
        c.name = "mel_2bar_triple"
        c.numSteps = 24
        c.barSteps = 12
        return c
    }()

    /// Magenta's `cat-drums_2bar_small` architecture: 2-bar drum patterns in 512 classes, the sizes of
    /// `mel_2bar_small` and its batch-64 schedules, trained as the shipped drum model was finished.
    ///
    /// Two settings differ from Magenta's, each measured on the groove families training never sees (the
    /// model card has the tables): teacher forcing instead of the inverse-sigmoid scheduled sampling, which
    /// from step 10,000 on feeds the decoder only its own draws and held those families near 0.89 accuracy
    /// (teacher forcing: 0.98 teacher-forced, 0.96 sampling in a reference run of 1.26 M examples); and
    /// 160 free bits instead of 48, which let the KL rise from 35 to about 100 nats: unseen grooves need
    /// more of z than the 48 bits hold (prior samples as close to the grooves as with 48; teacher forcing
    /// made them a little busier).
    public static let drums2barSmall: MusicVAEConfig = {
        var c = mel2barSmall
        c.name = "drums_2bar_small"
        c.depth = DrumEncoding.classCount
        c.freeBits = 160
        c.samplingSchedule = .constant
        c.samplingRate = 0
        c.encoding = .drums
        return c
    }()

    /// The presets by name.
    public static let presets: [String: MusicVAEConfig] = ["mel_2bar_small": mel2barSmall, "mel_16bar_hier": mel16barHier,
                                                           "mel_2bar_triple": mel2barTriple, "drums_2bar_small": drums2barSmall]

    /// Throws `invalidConfig` when sizes do not fit together.
    public func validate() throws {
        func fail(_ s: String) throws -> Never { throw MusicVAEError.invalidConfig(s) }
        if depth < 2 { try fail("depth \(depth) < 2") }
        if numSteps < 1 || zSize < 1 { try fail("numSteps and zSize must be positive") }
        if encoder.layerSizes.isEmpty || encoder.layerSizes.contains(where: { $0 < 1 }) { try fail("encoder layer sizes \(encoder.layerSizes)") }
        if decoder.layerSizes.isEmpty || decoder.layerSizes.contains(where: { $0 < 1 }) { try fail("decoder layer sizes \(decoder.layerSizes)") }
        if encoder.kind == .hierarchical {
            if encoder.levelLengths.count != encoder.layerSizes.count { try fail("one encoder level length per level size") }
            if encoder.levelLengths.reduce(1, *) != numSteps { try fail("encoder level lengths \(encoder.levelLengths) do not multiply to \(numSteps)") }
        }
        if decoder.kind == .hierarchical {
            if decoder.conductorSizes.isEmpty || decoder.conductorSizes.contains(where: { $0 < 1 }) { try fail("conductor sizes \(decoder.conductorSizes)") }
            if decoder.numBars * decoder.stepsPerBar != numSteps { try fail("numBars · stepsPerBar != numSteps") }
        }
        if encoding == .drums && depth != DrumEncoding.classCount { try fail("a drum model has depth \(DrumEncoding.classCount), not \(depth)") }
        if let b = barSteps {
            if ![12, 16].contains(b) { try fail("bar steps \(b): 16 or 12") }
            if numSteps % b != 0 { try fail("numSteps \(numSteps) is not whole bars of \(b) steps") }
        }
    }

    /// β at a training step: (1 − betaRate^step) · maxBeta.
    public func beta(atStep step: Int) -> Double { (1 - Foundation.pow(betaRate, Double(step))) * maxBeta }

    /// Free nats: freeBits · ln 2.
    public var freeNats: Double { freeBits * M_LN2 }

    /// Scheduled-sampling probability at a step.
    public func samplingProbability(atStep step: Int) -> Double {
        switch samplingSchedule {
        case .inverseSigmoid:
            let k = samplingRate
            return 1 - k / (k + Foundation.exp(Double(step) / k))
        case .constant:
            return samplingRate
        }
    }
}
