// latent-eval: what the latent-space tools do to real music, measured on held-out folk tunes.
//
//   swift run -c release --package-path Benchmarks latent-eval [MODEL] [CORPUS] [--unseen] [--samples-only] [--sample-draws N] [--temperature T] [--direction D] [--no-check]
//
// --samples-only measures the prior samples alone (3.), for models without attribute vectors (the KL/free-bits
// trade-off runs, and drum models: `latent-eval Models/drums_2bar_small ../shared/corpus/grooves --samples-only`
// compares the drum attributes of its samples with the unseen groove families'); --sample-draws N repeats the
// draw of 1,000 samples with seeds 1...N and prints the spread; --temperature T decodes them at T instead of 0.5
// (0: greedily), to see which figures the sampling itself moves; --reference P1,P2,... compares the samples with all
// the held-out windows of those folders (a model's whole held-out split: its training folders) instead of the
// first 4,000 of CORPUS.
//
// 1. Edits: every held-out 4/4 tune (up to 60; with --unseen, the first 60 of CORPUS, a collection the model never
//    saw) reconstructed, and edited with note_density +1 and -1 through the bundled pipelines, with the tune kept
//    (the default: windows moved back to their key and register; --direction raw|orthogonal: that vector instead
//    of the disentangled direction; --no-check: the plain step, not checked) and without; reports the mean
//    note density (onsets per 16th step), the change in note count, the mean |shift| of the mean pitch in
//    semitones, and how recognisable the edit stays: the cosine similarity of pitch-class histograms and the share
//    of the original's onset pitches kept.
// 2. Interpolation: for pairs of held-out windows, the mean Hamming distance (share of steps whose class differs)
//    of each interpolation step to the first, for latent (slerp) and data-space interpolation, as in the paper.
//    Data space: step t takes a growing random subset of t*T positions from B, the rest from A.
import Foundation
import MusicVAE
import NeuralNet
import NoteSequences
import Pipeline
import Training

let unseen = CommandLine.arguments.contains("--unseen")
let samplesOnly = CommandLine.arguments.contains("--samples-only")
/// `--no-check`: the edits decode the plain step (the attribute stage's `check: false`).
let check = !CommandLine.arguments.contains("--no-check")
/// Positional arguments (everything but the flags), the value of `--sample-draws` (1 when absent) and of
/// `--temperature` (the decoding temperature of the prior samples: 0.5, the models issue's, when absent; 0 decodes
/// greedily).
/// `--direction`: which vector the edits add (the attribute stage's direction: disentangled when absent).
let (args, sampleDraws, sampleTemperature, referencePaths, direction): ([String], Int, Float, [String]?, String) = {
    var out: [String] = [], draws = 1, temperature: Float = 0.5, reference: [String]?, direction = "disentangled"
    var rest = Array(CommandLine.arguments.dropFirst())[...]
    while let a = rest.popFirst() {
        switch a {
        case "--sample-draws": draws = rest.popFirst().flatMap { Int($0) } ?? 1
        case "--temperature": temperature = rest.popFirst().flatMap { Float($0) } ?? 0.5
        case "--reference": reference = rest.popFirst().map { $0.split(separator: ",").map(String.init) }
        case "--direction": direction = rest.popFirst() ?? direction
        default: if !a.hasPrefix("--") { out.append(a) }
        }
    }
    return (out, max(1, draws), max(0, temperature), reference, direction)
}()
let model = args.count > 0 ? args[0] : "Models/mel_2bar_small"
let corpus = args.count > 1 ? args[1] : "../shared/corpus/folk"

// Held-out tunes in 4/4 or 2/2, as training held them out (melody models; a drum model measures its samples only).
let inputs = try listMIDIFiles(at: corpus).filter { unseen || WindowDataset.isHeldOut($0, every: 20) }
var tunes: [String] = []
for f in inputs {
    guard let s = try? NoteSequence(path: f.path), s.timeSignatures.count == 1,
          ["4/4", "2/2"].contains(s.timeSignatures[0].description) else { continue }
    tunes.append(f.path)
    if tunes.count == 60 || samplesOnly { break }
}
print("latent-eval: model \(model), \(direction) directions\(check ? ", checked" : ", unchecked"), \(tunes.count) \(unseen ? "unseen" : "held-out") 4/4 and 2/2 tunes from \(corpus)")

let out = NSTemporaryDirectory() + "latent-eval-\(getpid())"
try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: out) }

func runPipeline(_ name: String, _ settings: [String: ParameterValue], _ input: String) throws -> String? {
    let plan = try PipelinePlan(file: try PipelineFile(path: "Pipelines/\(name).yaml"), settings: settings, positional: [input])
    let r = PipelineRunner(plan: plan, threads: 1).run(collectOutputs: true)
    return (r.outputs.first as? WrittenFile)?.path
}

struct Stats { var density = 0.0, countChange = 0.0, pitchShift = 0.0, pitchCosine = 0.0, keptPitches = 0.0, n = 0 }
func melody(_ path: String) throws -> [Note] {
    try NoteSequence(path: path).quantized().notes.filter { !$0.isDrum }
}
func histogram(_ notes: [Note]) -> [Double] {
    var h = [Double](repeating: 0, count: 12)
    for n in notes { h[n.pitch % 12] += 1 }
    return h
}
func cosine(_ a: [Double], _ b: [Double]) -> Double {
    let d = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    let na = a.reduce(0) { $0 + $1 * $1 }.squareRoot(), nb = b.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return na > 0 && nb > 0 ? d / (na * nb) : 0
}

let rows = ["original", "reconstruct", "more notes (+1)", "fewer notes (-1)", "more, tune not kept", "fewer, tune not kept"]
var results = Dictionary(uniqueKeysWithValues: rows.map { ($0, Stats()) })
func meanPitch(_ notes: [Note]) -> Double { Double(notes.reduce(0) { $0 + $1.pitch }) / Double(max(1, notes.count)) }
for (i, tune) in tunes.enumerated() where !samplesOnly {
    /// The tune through edit.yaml along the note-density vector.
    func densityEdit(_ amount: Double, keepTune: Bool, _ output: String) throws -> String? {
        try runPipeline("edit", ["model": .string(model), "attribute": "note_density", "amount": .double(amount),
                                 "keep_tune": .bool(keepTune), "direction": .string(direction), "check": .bool(check),
                                 "output": .string(output)], tune)
    }
    let original = try melody(tune)
    let steps = Double(max(1, (original.map(\.end).max() ?? 1)))
    let outputs: [(String, String?)] = [
        ("original", tune),
        ("reconstruct", try runPipeline("reconstruct", ["model": .string(model), "output": "\(out)/r\(i).mid"], tune)),
        ("more notes (+1)", try densityEdit(1, keepTune: true, "\(out)/p\(i).mid")),
        ("fewer notes (-1)", try densityEdit(-1, keepTune: true, "\(out)/m\(i).mid")),
        ("more, tune not kept", try densityEdit(1, keepTune: false, "\(out)/pf\(i).mid")),
        ("fewer, tune not kept", try densityEdit(-1, keepTune: false, "\(out)/mf\(i).mid")),
    ]
    for (name, path) in outputs {
        guard let path else { print("  \(name): no output for \(tune)"); continue }
        guard let notes = try? melody(path) else { print("  \(name): cannot read \(path)"); continue }
        var s = results[name]!
        s.density += Double(notes.count) / steps
        s.countChange += Double(notes.count) / Double(max(1, original.count)) - 1
        s.pitchShift += abs(meanPitch(notes) - meanPitch(original))
        s.pitchCosine += cosine(histogram(original), histogram(notes))
        let kept = Set(notes.map(\.pitch))
        s.keptPitches += Double(original.filter { kept.contains($0.pitch) }.count) / Double(max(1, original.count))
        s.n += 1
        results[name] = s
    }
}
print("\nEdits (means over tunes): note density = onsets per 16th step; notes = change in note count; |pitch shift| =")
print("|mean pitch of the output - mean pitch of the original| in semitones; pitch-class cosine and kept pitches vs the original")
for name in rows where !samplesOnly {
    let s = results[name]!
    let n = Double(max(1, s.n))
    print("  " + name.padding(toLength: 21, withPad: " ", startingAt: 0)
          + String(format: "%3d tunes  density %.3f  notes %+5.0f%%  |pitch shift| %.2f  pitch-class cosine %.3f  original pitches kept %.3f",
                   s.n, s.density / n, 100 * s.countChange / n, s.pitchShift / n, s.pitchCosine / n, s.keptPitches / n))
}

// Interpolation between held-out windows.
let m = try MusicVAEModel.load(from: URL(fileURLWithPath: model))
// With --unseen every window of the corpus is unseen; otherwise the held-out files' windows.
let data = try WindowDataset(paths: [corpus], settings: .init(for: m.config, heldOutEvery: unseen ? 0 : 20))
let pool = unseen ? data.train : data.heldOut
let pairs = samplesOnly ? 0 : min(100, pool.count / 2)
let steps = 11
var latent = [Double](repeating: 0, count: steps), dataSpace = [Double](repeating: 0, count: steps)
var rng = SeededGenerator(seed: 11)
for p in 0..<pairs {
    let a = pool[(p * 2 * 7919) % pool.count], b = pool[(p * 2 * 7919 + 104_729) % pool.count]
    let (mu, _) = try m.encode(windows: [a, b])
    let decoded = try m.decode(z: Latent.interpolate(mu[0], mu[1], steps: steps, method: .slerp))
    let order = (0..<a.count).shuffled(using: &rng)
    for k in 0..<steps {
        latent[k] += Double(zip(decoded[k], decoded[0]).filter { $0 != $1 }.count) / Double(a.count)
        var mixed = a
        for j in order.prefix(Int((Double(k) / Double(steps - 1) * Double(a.count)).rounded())) { mixed[j] = b[j] }
        dataSpace[k] += Double(zip(mixed, a).filter { $0 != $1 }.count) / Double(a.count)
    }
}
print("\nInterpolation, \(pairs) pairs of \(unseen ? "unseen" : "held-out") windows: mean Hamming distance of each step to the first")
print("  step      " + (1...steps).map { String(format: "%5d", $0) }.joined())
print("  latent    " + latent.map { String(format: "%5.2f", $0 / Double(max(1, pairs))) }.joined())
print("  data      " + dataSpace.map { String(format: "%5.2f", $0 / Double(max(1, pairs))) }.joined())

// Prior samples: do codes drawn from N(0, I) decode into melodies like the data's? For each attribute, the
// intersection of its histogram over the samples with its histogram over held-out windows (20 equal bins over the
// range of both; 1 = the same distribution), and the share of samples spanning more than two octaves or holding
// fewer than 4 notes.
let sampleCount = 1000
let reference = try referencePaths.map { try WindowDataset(paths: $0, settings: .init(for: m.config)).heldOut } ?? Array(pool.prefix(4000))
let referenceName = referencePaths.map { "held-out windows of " + $0.joined(separator: ", ") } ?? (unseen ? "unseen windows" : "held-out windows")
let encoding = m.config.lineEncoding
func attributeTable(_ windows: [[Int]]) -> [[Double]] { windows.map { encoding.attributeValues(of: $0) } }
let ra = attributeTable(reference)
/// The histogram intersection of `a` and `b` (20 equal bins over the range of both).
func overlap(_ a: [Double], _ b: [Double]) -> Double {
    let lo = min(a.min()!, b.min()!), hi = max(a.max()!, b.max()!)
    let bins = 20
    func histogram(_ xs: [Double]) -> [Double] {
        var h = [Double](repeating: 0, count: bins)
        for x in xs { h[hi > lo ? min(bins - 1, Int((x - lo) / (hi - lo) * Double(bins))) : 0] += 1 }
        return h.map { $0 / Double(xs.count) }
    }
    return zip(histogram(a), histogram(b)).reduce(0) { $0 + min($1.0, $1.1) }
}
func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }
// The diatonic attribute counts notes in C major when no key is known, as for samples: training transposes every
// window, so samples come in every key while the held-out windows keep their tunes' keys, and its overlap
// compares key distributions. "diatonic, best key" measures each window in the major key that fits it best, on
// both sides.
func bestKeyDiatonic(_ w: [Int]) -> Double { (0..<12).map { MelodyAttributes(events: w, majorTonic: $0).diatonic }.max()! }
// "diatonic, keys as trained" compares the samples' C-major diatonic share with the held-out windows' after each
// is transposed by every shift training draws from (-5...+5 semitones): the distribution the model was taught.
let melodic = encoding == .melody
let referenceBestKey = melodic ? reference.map(bestKeyDiatonic) : []
let trainedKeysDiatonic = melodic ? reference.flatMap { w in (-5...5).map { MelodyAttributes(events: transposeWindow(w, by: $0)).diatonic } } : []
let diatonicIndex = MelodyAttributes.names.firstIndex(of: "diatonic")!
let figureNames = encoding.attributeNames + (melodic ? ["diatonic, best key", "diatonic, keys as trained"] : [])
/// One draw of `sampleCount` prior samples: each figure's overlap and the samples' mean, then the shares (%) over
/// two octaves and under 4 notes (melodies; for drums, the share with no hit at all and 0).
func measureSamples(seed: UInt64) throws -> (overlaps: [(Double, Double)], overTwoOctaves: Double, fewNotes: Double) {
    let samples = try m.sample(count: sampleCount, temperature: sampleTemperature > 0 ? sampleTemperature : nil, seed: seed)
    let sa = attributeTable(samples)
    var figures = encoding.attributeNames.indices.map { k in (overlap(sa.map { $0[k] }, ra.map { $0[k] }), mean(sa.map { $0[k] })) }
    guard melodic else { return (figures, 0, 100 * Double(samples.filter { $0.allSatisfy { $0 == 0 } }.count) / Double(sampleCount)) }
    let sd = samples.map(bestKeyDiatonic)
    figures.append((overlap(sd, referenceBestKey), mean(sd)))
    let sc = sa.map { $0[diatonicIndex] }
    figures.append((overlap(sc, trainedKeysDiatonic), mean(sc)))
    let spans = samples.map { w -> (Int, Int) in
        let pitches = w.compactMap(MelodyEncoding.pitch(ofClass:))
        return (pitches.count, (pitches.max() ?? 0) - (pitches.min() ?? 0))
    }
    return (figures, 100 * Double(spans.filter { $0.1 > 24 }.count) / Double(sampleCount),
            100 * Double(spans.filter { $0.0 < 4 }.count) / Double(sampleCount))
}
print("\nPrior samples: \(sampleCount) at " + (sampleTemperature > 0 ? "temperature \(sampleTemperature)" : "greedy decoding") + " against \(reference.count) \(referenceName) (histogram intersection)")
let first = try measureSamples(seed: 1)
let referenceMeans = encoding.attributeNames.indices.map { k in mean(ra.map { $0[k] }) } + (melodic ? [mean(referenceBestKey), mean(trainedKeysDiatonic)] : [])
for (k, name) in figureNames.enumerated() {
    print("  " + name.padding(toLength: 26, withPad: " ", startingAt: 0)
          + String(format: "overlap %.3f   mean %.3f (samples) vs %.3f (data)", first.overlaps[k].0, first.overlaps[k].1, referenceMeans[k]))
}
print(melodic ? String(format: "  samples over two octaves: %.1f%%   with fewer than 4 notes: %.1f%%", first.overTwoOctaves, first.fewNotes)
              : String(format: "  samples with no hit: %.1f%%", first.fewNotes))
// --sample-draws N: N draws of 1,000 (seeds 1...N), to show how much one draw's figures vary.
if sampleDraws > 1 {
    let draws = sampleDraws
    var all = [first]
    for seed in 2...draws { all.append(try measureSamples(seed: UInt64(seed))) }
    func spread(_ xs: [Double], _ format: String) -> String {
        String(format: "mean \(format), min \(format), max \(format)", mean(xs), xs.min()!, xs.max()!)
    }
    print("Over \(draws) draws of \(sampleCount) (seeds 1...\(draws)):")
    for (k, name) in figureNames.enumerated() {
        print("  " + name.padding(toLength: 26, withPad: " ", startingAt: 0) + "overlap " + spread(all.map { $0.overlaps[k].0 }, "%.3f"))
    }
    if melodic { print("  over two octaves          " + spread(all.map { $0.overTwoOctaves }, "%.2f%%")) }
    print((melodic ? "  fewer than 4 notes        " : "  no hit                    ") + spread(all.map { $0.fewNotes }, "%.2f%%"))
}
