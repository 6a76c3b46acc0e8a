/// The training settings a stage of one model's training may change (the KL terms, the decoder's inputs, the
/// learning rate), leaving the architecture and the weights' layout alone. A campaign trains with the preset, then
/// continues the same weights with, say, a heavier KL weight and teacher forcing: `train --init-from MODEL
/// --max-beta 0.5 --free-bits 32 --sampling-schedule constant --sampling-rate 0`. Unset fields keep the model's
/// value.
public struct TrainingStage: Sendable, Equatable {
    /// Free bits (see `MusicVAEConfig.freeBits`).
    public var freeBits: Double?
    /// Final KL weight (see `MusicVAEConfig.maxBeta`).
    public var maxBeta: Double?
    /// Scheduled sampling (see `MusicVAEConfig.samplingSchedule`).
    public var samplingSchedule: MusicVAEConfig.SamplingSchedule?
    /// The schedule's probability or rate (see `MusicVAEConfig.samplingRate`).
    public var samplingRate: Double?
    /// Initial learning rate: the schedule goes on from the run's global step (see `MusicVAEConfig.learningRate`).
    public var learningRate: Double?

    /// Changes to make; nil leaves a setting as the model has it.
    public init(freeBits: Double? = nil, maxBeta: Double? = nil, samplingSchedule: MusicVAEConfig.SamplingSchedule? = nil,
                samplingRate: Double? = nil, learningRate: Double? = nil) {
        self.freeBits = freeBits
        self.maxBeta = maxBeta
        self.samplingSchedule = samplingSchedule
        self.samplingRate = samplingRate
        self.learningRate = learningRate
    }

    /// True when the stage changes nothing.
    public var isEmpty: Bool { self == TrainingStage() }

    /// `config` with this stage's settings.
    public func applied(to config: MusicVAEConfig) -> MusicVAEConfig {
        var c = config
        if let freeBits { c.freeBits = freeBits }
        if let maxBeta { c.maxBeta = maxBeta }
        if let samplingSchedule { c.samplingSchedule = samplingSchedule }
        if let samplingRate { c.samplingRate = samplingRate }
        if let learningRate { c.learningRate = learningRate }
        return c
    }

    /// The changes in words, as config.json names them ("freeBits 32, maxBeta 0.5, samplingSchedule constant").
    public var summary: String {
        var parts: [String] = []
        if let freeBits { parts.append("freeBits \(freeBits.formatted)") }
        if let maxBeta { parts.append("maxBeta \(maxBeta.formatted)") }
        if let samplingSchedule { parts.append("samplingSchedule \(samplingSchedule.rawValue)") }
        if let samplingRate { parts.append("samplingRate \(samplingRate.formatted)") }
        if let learningRate { parts.append("learningRate \(learningRate.formatted)") }
        return parts.joined(separator: ", ")
    }
}

// MARK: - Models

extension MusicVAEModel {
    /// The same weights with `stage`'s training settings.
    public func with(_ stage: TrainingStage) -> MusicVAEModel {
        var m = self
        m.config = stage.applied(to: config)
        return m
    }
}

private extension Double {
    /// 32 rather than 32.0; 0.5 and 1e-05 as Swift prints them.
    var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
