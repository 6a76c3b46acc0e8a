import Foundation
import MIDIFiles
import NoteSequences

/// Counters of one stage over a run: values in, values out, and what it dropped by reason.
public struct StageStats: Sendable, Equatable, Codable {
    /// Stage name.
    public var stage: String
    /// Values it received (a group stage's, one group per input, counted by their values: join-bars takes 28
    /// windows, not 3 groups).
    public var received: Int
    /// Values it produced.
    public var produced: Int
    /// What it left out, by reason.
    public var dropped: [String: Int]

    /// Empty counters for a stage.
    public init(stage: String) {
        self.stage = stage
        self.received = 0
        self.produced = 0
        self.dropped = [:]
    }

    mutating func merge(_ other: StageStats) {
        received += other.received
        produced += other.produced
        for (k, v) in other.dropped { dropped[k, default: 0] += v }
    }
}

/// One input that could not be processed, and why.
public struct InputFailure: Error, Sendable, Equatable {
    /// The input file.
    public var path: String
    /// Short reason for counting ("truncated track chunk").
    public var reason: String
    /// The full message.
    public var message: String
}

/// What a run did.
public struct RunReport: Sendable {
    /// Inputs processed (including failed ones).
    public var inputs: Int
    /// Inputs that failed, in input order.
    public var failures: [InputFailure]
    /// Per-stage counters, in pipeline order.
    public var stages: [StageStats]
    /// The final values, in input order (only when the run was asked to collect them).
    public var outputs: [any PipelineValue] { outputsByInput.flatMap(\.values) }
    /// The final values of each input that produced any, in input order (only when collected).
    public var outputsByInput: [(input: InputFile, values: [any PipelineValue])]
    /// How many final values there were.
    public var outputCount: Int
    /// Wall time in seconds.
    public var seconds: Double
    /// Inputs not run, by reason ("done in an earlier run (manifest)", "same bytes as an earlier input").
    public var skipped: [String: Int] = [:]
    /// Inputs never started because `shouldStop` said so (a signal): the run was cut short there.
    public var notStarted = 0

    /// Failures counted by reason.
    public var failuresByReason: [String: Int] {
        failures.reduce(into: [:]) { $0[$1.reason, default: 0] += 1 }
    }
}

/// An error that can say what kind of problem it is in a few words, for counting failures by reason.
public protocol ReasonedError: Error {
    /// A short reason without specifics ("not a MIDI file").
    var reason: String { get }
}

extension MIDIFileError: ReasonedError {}

extension PipelineError: ReasonedError {
    /// A short reason for counting.
    public var reason: String {
        if case .inputFailed(_, let reason) = self { return reason }
        return "pipeline error"
    }
}

/// Runs a checked pipeline over its inputs, in parallel across inputs, each input through every stage.
public struct PipelineRunner: Sendable {
    /// The checked pipeline.
    public var plan: PipelinePlan
    /// Worker threads (default: the number of cores).
    public var threads: Int
    /// Process only this deterministic part of the inputs (for job arrays), or all of them.
    public var shard: Shard?
    /// Per-input limits: an input over them fails with the limit as its reason and the batch goes on.
    public var limits = InputLimits()
    /// Inputs finished in an earlier run (by key, as a manifest lists them): skipped and counted, so a killed job
    /// resumes where it stopped.
    public var finished: Set<String> = []
    /// Called with each input that went through without failing (from worker threads, one at a time): what a
    /// manifest records.
    public var onFinished: (@Sendable (InputFile) -> Void)?
    /// Skip an input whose bytes equal an earlier input's (counted; the first one runs).
    public var skipDuplicates = false
    /// Skip an input whose outputs are all there already (counted): every writer's path, with the input's
    /// `{stem}`, names an existing file. Writers write atomically, so a file that is there is complete. Needs
    /// `existingOutputsCheckable` (every writer's path names `{stem}` and not `{index}`).
    public var skipExisting = false
    /// Asked before each input; once it says true, no new input starts (those running finish), so a batch stopped
    /// by a scheduler's SIGTERM ends with complete outputs and counters for what it did.
    public var shouldStop: (@Sendable () -> Bool)?
    /// Inputs a worker claims at a time.
    static let chunk = 8
    /// The skip reason of an input a manifest lists as done.
    public static let doneEarlier = "done in an earlier run (manifest)"

    /// Creates a runner.
    public init(plan: PipelinePlan, threads: Int = ProcessInfo.processInfo.activeProcessorCount, shard: Shard? = nil) {
        self.plan = plan
        self.threads = max(1, threads)
        self.shard = shard
        steps = plan.stages.map { Step(node: $0.node, inputs: $0.inputs, label: $0.label) }
        firstSource = plan.sourceStages.first ?? -1
    }

    /// What `runOne` needs of each stage, without the rest of `PlannedStage` (cheaper to read per input).
    struct Step: Sendable {
        let node: StageNode
        let inputs: [Int]
        let label: String
    }
    let steps: [Step]
    let firstSource: Int

    /// Runs every input. `progress` is called after each input with (done, total), from worker threads.
    public func run(collectOutputs: Bool = false, progress: (@Sendable (Int, Int) -> Void)? = nil) -> RunReport {
        let started = Date()
        let all = plan.sources
        // Units keep their position in the full list, so paired sources stay paired within a shard.
        let units = shard.map { sh in all.indices.filter { all[$0].shard(of: sh.count) == sh.index } } ?? Array(all.indices)
        let inputs = units.map { all[$0] }
        let protected = plan.stages.flatMap(\.sourceFiles).map(\.path)
        ProtectedInputs.protect(protected)
        defer { ProtectedInputs.release(protected) }
        let state = RunState(stages: plan.stages.map { StageStats(stage: $0.label) })
        let workers = min(threads, max(1, inputs.count))
        // Duplicates are found over the whole input list in its order, before the run, so the first of equal files
        // is the one that runs, in every shard alike. Only files that share their size with another are read.
        let duplicates: Set<Int> = {
            guard skipDuplicates else { return [] }
            var bySize: [Int: [Int]] = [:]
            for (k, input) in all.enumerated() {
                if let size = (try? FileManager.default.attributesOfItem(atPath: input.path))?[.size] as? Int { bySize[size, default: []].append(k) }
            }
            var later = Set<Int>()   // positions in `all`
            for group in bySize.values where group.count > 1 {
                var seen = Set<UInt64>()
                for k in group.sorted() {
                    guard let bytes = try? readFileBytes(path: all[k].path) else { continue }
                    if !seen.insert(Self.contentHash(bytes)).inserted { later.insert(k) }
                }
            }
            return Set(units.indices.filter { later.contains(units[$0]) })
        }()
        let existing = skipExisting ? writerTemplates : nil
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var local = plan.stages.map { StageStats(stage: $0.label) }
            // Inputs are claimed a few at a time: one lock per chunk, not two per input.
            claiming: while let chunk = state.nextChunk(below: inputs.count, size: Self.chunk) {
                for i in chunk {
                    if shouldStop?() == true {
                        state.notStarted(chunk.upperBound - i)
                        continue claiming
                    }
                    if finished.contains(inputs[i].key) {
                        progress?(state.skip(Self.doneEarlier), inputs.count)
                        continue
                    }
                    if let existing, Self.outputsExist(inputs[i], templates: existing) {
                        progress?(state.skip("outputs already there (--skip-existing)"), inputs.count)
                        continue
                    }
                    if duplicates.contains(i) {
                        progress?(state.skip("same bytes as an earlier input"), inputs.count)
                        continue
                    }
                    let result = runOne(inputs[i], unit: units[i], stats: &local)
                    if case .success = result { state.finish(inputs[i], onFinished) }
                    let done = state.record(i, result, collect: collectOutputs)
                    progress?(done, inputs.count)
                }
            }
            state.merge(local)
        }
        return RunReport(inputs: inputs.count - state.stopped,
                         failures: state.failures.sorted { $0.0 < $1.0 }.map(\.1),
                         stages: state.totals,
                         outputsByInput: state.outputs.sorted { $0.0 < $1.0 }.map { (inputs[$0.0], $0.1) },
                         outputCount: state.outputCount,
                         seconds: Date().timeIntervalSince(started), skipped: state.skipped, notStarted: state.stopped)
    }

    /// The writers' path templates (nil when a writer's path does not name `{stem}` or names `{index}`, so an
    /// input's outputs cannot be known before it runs).
    public var existingOutputsCheckable: Bool { writerTemplates != nil }

    var writerTemplates: [String]? {
        let writers = plan.stages.filter { $0.outputType == WrittenFile.typeName }
        // A writer without a `path` (a plugin's, say) has outputs nobody can know in advance.
        let templates = writers.compactMap { w -> String? in if case .string(let p)? = w.parameters.values["path"] { p } else { nil } }
        guard !templates.isEmpty, templates.count == writers.count,
              templates.allSatisfy({ $0.contains("{stem}") && !$0.contains("{index}") }) else { return nil }
        return templates
    }

    /// Whether every output of `input` is there (see `skipExisting`).
    static func outputsExist(_ input: InputFile, templates: [String]) -> Bool {
        templates.allSatisfy { t in
            let path = OutputName.expand(t, source: input.path, index: 1)
            return ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int ?? 0) > 0
        }
    }

    /// FNV-1a (64 bits) of a file's bytes: equal files, equal hashes (a collision would skip a file wrongly only
    /// with odds of about 1 in 2^64 per pair).
    static func contentHash(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// Runs one input through every stage: the unit's files go to the source stages, each stage reads the values
    /// of the stages it names, and the values of the stages nothing reads are the results.
    public func runOne(_ input: InputFile, unit: Int = 0, stats: inout [StageStats]) -> Result<[any PipelineValue], InputFailure> {
        if let maxBytes = limits.maxBytes, let size = (try? FileManager.default.attributesOfItem(atPath: input.path))?[.size] as? Int,
           size > maxBytes {
            return .failure(InputFailure(path: input.path, reason: "larger than the input size limit",
                                         message: "\(size) bytes, over the limit of \(maxBytes) (--max-input-mb)"))
        }
        let results: [PipelineValues]
        switch runStages(input, unit: unit, given: nil, stats: &stats) {
        case .success(let r): results = r
        case .failure(let f): return .failure(f)
        }
        return .success(plan.sinks.flatMap { results[$0].all })
    }

    /// Runs the plan on values in memory, touching no file: `given` are the values the first source stages would
    /// have read (one list per source stage, in `plan.sourceStages` order; a source stage beyond them, such as
    /// `sample`, which makes values from nothing, runs as usual), and the writer stages (those giving `WrittenFile`)
    /// write nothing: what each would have written is returned instead, one list per writer in stage order. A
    /// failing stage throws its `InputFailure` (path: `name`).
    public func runInMemory(_ given: [[any PipelineValue]], name: String = "(memory)") throws -> [[any PipelineValue]] {
        guard given.count <= plan.sourceStages.count else {
            throw InputFailure(path: name, reason: "too many inputs",
                               message: "\(given.count) inputs given, but the pipeline reads \(plan.sourceStages.count)")
        }
        let sources = Dictionary(uniqueKeysWithValues: zip(plan.sourceStages, given))
        return try runInMemory(given: sources, wanted: writerInputs, name: name)
    }

    /// The stages whose values the writers write, in writer order.
    public var writerInputs: [Int] {
        plan.stages.indices.filter { plan.stages[$0].outputType == WrittenFile.typeName }.flatMap { steps[$0].inputs }
    }

    /// Runs only what the `wanted` stages need, in memory: a stage in `given` is not run (its values are given:
    /// what a source would read, or a stage's earlier results, such as the codes of a piece encoded before), and the
    /// stages only it depends on are not run either. Returns the values of each wanted stage. Writers never run.
    public func runInMemory(given: [Int: [any PipelineValue]], wanted: [Int], name: String = "(memory)") throws -> [[any PipelineValue]] {
        var needed = Set<Int>(), stack = wanted
        while let k = stack.popLast() {
            guard needed.insert(k).inserted, given[k] == nil else { continue }
            stack += steps[k].inputs
        }
        var stats = plan.stages.map { StageStats(stage: $0.label) }
        switch runStages(InputFile(path: name), unit: 0, given: given.mapValues { PipelineValues(mixed: $0) }, only: needed, stats: &stats) {
        case .success(let results): return wanted.map { results[$0].all }
        case .failure(let failure): throw failure
        }
    }

    /// The stages in order, for one unit. With `given` (a run in memory), the stages it names take those values
    /// instead of running, writer stages are not run, and with `only`, neither is any stage outside it.
    private func runStages(_ input: InputFile, unit: Int, given: [Int: PipelineValues]?, only: Set<Int>? = nil,
                           stats: inout [StageStats]) -> Result<[PipelineValues], InputFailure> {
        var results = [PipelineValues](repeating: .empty, count: plan.stages.count)
        let started = Date()
        for k in plan.order {
            if let maxSeconds = limits.maxSeconds, Date().timeIntervalSince(started) > maxSeconds {
                return .failure(InputFailure(path: input.path, reason: "over the input time limit",
                                             message: String(format: "stopped before stage '%@' after %.1f s, over the limit of %.1f s (--max-input-seconds)",
                                                             steps[k].label, Date().timeIntervalSince(started), maxSeconds)))
            }
            let stage = steps[k]
            if given != nil && plan.stages[k].outputType == WrittenFile.typeName { continue }
            if let only, !only.contains(k) { continue }
            if let values = given?[k] {
                results[k] = values
                continue
            }
            // The stage adds to this worker's tally directly (moved out and back, so it is never copied).
            var drops = DropCounts(stats[k].dropped)
            stats[k].dropped = [:]
            defer { stats[k].dropped = drops.counts }
            var next = PipelineValues.empty
            do {
                if stage.inputs.isEmpty {
                    // A source stage: this unit's file (the only one, when the stage reads a single file).
                    let files = plan.stages[k].sourceFiles
                    let file = k == firstSource || files.isEmpty ? input : files[min(unit, files.count - 1)]
                    stats[k].received += 1
                    next = try stage.node.run(PipelineValues([file]), &drops)
                } else {
                    switch stage.node.mode {
                    case .each:
                        let values = results[stage.inputs[0]]
                        stats[k].received += values.count
                        if !values.isEmpty { next = try stage.node.run(values, &drops) }
                    case .group:
                        let values = results[stage.inputs[0]]
                        if !values.isEmpty {
                            stats[k].received += values.count
                            next = try stage.node.run(values, &drops)
                        }
                    case .join:
                        let ports = stage.inputs.map { results[$0] }
                        stats[k].received += ports.reduce(0) { $0 + $1.count }
                        next = try stage.node.runJoin!(ports, &drops)
                    }
                }
            } catch {
                let reason = (error as? ReasonedError)?.reason ?? "\(stage.label) failed"
                return .failure(InputFailure(path: input.path, reason: reason, message: "\(error)"))
            }
            stats[k].produced += next.count
            results[k] = next
        }
        return .success(results)
    }
}

/// Limits on one input of a batch. Time is checked between stages (a stage is not interrupted), so an input
/// stops at the first stage boundary past the limit.
public struct InputLimits: Sendable, Equatable {
    /// Largest input file, in bytes (nil: no limit).
    public var maxBytes: Int?
    /// Longest time for one input, in seconds (nil: no limit).
    public var maxSeconds: Double?

    /// Limits (none by default).
    public init(maxBytes: Int? = nil, maxSeconds: Double? = nil) {
        self.maxBytes = maxBytes
        self.maxSeconds = maxSeconds
    }
}

/// A part of a batch: inputs whose `InputFile.shard(of: count)` is `index`. Shards 1/N ... N/N together cover
/// every input exactly once.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// Which part, 0-based.
    public var index: Int
    /// How many parts.
    public var count: Int

    /// Parses "K/N" with 1 <= K <= N (1-based, as job-array indices usually are).
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(k) else { return nil }
        index = k - 1
        count = n
    }

    /// "K/N".
    public var description: String { "\(index + 1)/\(count)" }
}

/// The shared state of a run's workers, behind one lock.
private final class RunState: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var done = 0
    var totals: [StageStats]
    var failures: [(Int, InputFailure)] = []
    var outputs: [(Int, [any PipelineValue])] = []
    var outputCount = 0
    var skipped: [String: Int] = [:]
    /// Inputs not started after a stop.
    var stopped = 0
    private let finishLock = NSLock()

    /// Counts `n` inputs a worker did not start after a stop.
    func notStarted(_ n: Int) {
        lock.lock()
        stopped += n
        lock.unlock()
    }

    init(stages: [StageStats]) { totals = stages }

    /// Counts an input skipped for `reason`; returns the inputs done so far.
    func skip(_ reason: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        skipped[reason, default: 0] += 1
        done += 1
        return done
    }

    /// Reports a finished input, one at a time.
    func finish(_ input: InputFile, _ report: (@Sendable (InputFile) -> Void)?) {
        guard let report else { return }
        finishLock.lock()
        report(input)
        finishLock.unlock()
    }

    func nextChunk(below count: Int, size: Int) -> Range<Int>? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        let chunk = next..<min(count, next + size)
        next = chunk.upperBound
        return chunk
    }

    func record(_ i: Int, _ result: Result<[any PipelineValue], InputFailure>, collect: Bool) -> Int {
        if case .success(let values) = result, !collect {
            // The common batch case: only counts change.
            lock.lock()
            outputCount += values.count
            done += 1
            let d = done
            lock.unlock()
            return d
        }
        lock.lock()
        defer { lock.unlock() }
        switch result {
        case .success(let values):
            outputCount += values.count
            outputs.append((i, values))
        case .failure(let failure):
            failures.append((i, failure))
        }
        done += 1
        return done
    }

    func merge(_ local: [StageStats]) {
        lock.lock()
        defer { lock.unlock() }
        for k in totals.indices { totals[k].merge(local[k]) }
    }
}
