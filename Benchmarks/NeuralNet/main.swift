// nn-bench: training and inference speed of MusicVAE's numeric engine (NeuralNet + MusicVAE) on the CPU.
//
// Build and run (release):  swift run -c release --package-path Benchmarks nn-bench [--quick]
// (Benchmarks/Package.swift: .executableTarget(name: "nn-bench",
//      dependencies: [.product(name: "MusicVAEKit", package: "MusicVAE")], path: "NeuralNet"))
// Extra modes for profilers: --profile-train B N (N training steps at batch B), --profile-infer B N.
// Training is teacher-forced, as PyTorch's side of run-nn-vs-torch.sh and as the shipped mel_2bar_small was
// trained; --preset-schedule keeps the preset's inverse-sigmoid sampling schedule instead (its probability at step
// 0 is 0.001, which sends the decoder down the step-wise path: one output layer and draw per step).
// BENCH_BLAS_THREADS=n sets the thread count of OpenBLAS and of the packed products; BENCH_NO_PARALLEL=1 turns off the two-way
// parallel encoder directions.
// Prints: raw cblas_sgemm peak, mel_2bar_small training examples/s at batch 64 and 512 with the
// achieved GEMM GFLOP/s, and batch-1 / batch-64 inference latency (encode + greedy 32-step decode).
import Foundation
import MusicVAE
import NeuralNet

let quick = CommandLine.arguments.contains("--quick")

/// mel_2bar_small as the training measurements run it (see the header).
let trainingConfig: MusicVAEConfig = {
    var c = MusicVAEConfig.mel2barSmall
    if !CommandLine.arguments.contains("--preset-schedule") { c.samplingSchedule = .constant; c.samplingRate = 0 }
    return c
}()

func now() -> Double { Date().timeIntervalSinceReferenceDate }

/// Median wall time of `body` over `reps` runs (after one warm-up run).
func timeMedian(reps: Int, _ body: () throws -> Void) rethrows -> Double {
    try times(reps: reps, body).median
}

/// Median and best wall time of `body` over `reps` runs (after one warm-up run). The best time is
/// the steadier figure on a shared (noisy) machine.
func times(reps: Int, _ body: () throws -> Void) rethrows -> (median: Double, best: Double) {
    try body()
    var ts: [Double] = []
    for _ in 0..<reps { let t0 = now(); try body(); ts.append(now() - t0) }
    ts.sort()
    return (ts[ts.count / 2], ts[0])
}

/// GFLOP/s of cblas_sgemm for C[M,N] = A[M,K]·B[K,N].
func sgemmRate(_ m: Int, _ k: Int, _ n: Int) -> Double {
    let a = FloatBuffer(count: m * k), b = FloatBuffer(count: k * n), c = FloatBuffer(count: m * n)
    for i in 0..<a.count { a.pointer[i] = Float(i % 7) * 0.1 }
    for i in 0..<b.count { b.pointer[i] = Float(i % 5) * 0.1 }
    let flops = 2.0 * Double(m * n * k)
    let reps = max(3, Int(1e10 / flops / (quick ? 4 : 1)))
    let t = times(reps: reps) { BLAS.gemm(m: m, n: n, k: k, a: a.pointer, b: b.pointer, beta: 0, c: c.pointer) }.best
    return flops / t / 1e9
}

/// Matrix-multiply FLOPs of one training example (forward + backward) as this engine computes
/// them: one-hot inputs are row gathers (no FLOPs); z enters the decoder once per sequence.
func trainingFlops(_ c: MusicVAEConfig) -> Double {
    var f = 0.0
    let T = Double(c.numSteps)
    var input = 0.0  // dense input width of the encoder layer (0 = one-hot)
    for h in c.encoder.layerSizes.map(Double.init) {
        let g = 4 * h
        // per direction: recurrent fwd + (dh, dW_h) bwd; dense input fwd + (dW, dx) bwd
        f += 2 * T * (2 * h * g * 3 + 2 * input * g * 3)
        input = 2 * h
    }
    let z = Double(c.zSize)
    f += 2 * (2 * input * z * 3)  // mu, sigma
    let d = c.decoder.layerSizes.map(Double.init)
    f += 2 * z * 2 * d.reduce(0, +) * 3  // z_to_initial_state
    var below = 0.0
    for (l, h) in d.enumerated() {
        let g = 4 * h
        f += T * 2 * h * g * 3
        if l == 0 { f += 2 * z * g * 3 } else { f += T * 2 * below * g * 3 }
        below = h
    }
    f += T * 2 * below * Double(c.depth) * 3  // output projection
    return f
}

/// Matrix-multiply FLOPs of encoding one window and greedily decoding one.
func inferenceFlops(_ c: MusicVAEConfig) -> Double {
    let T = Double(c.numSteps)
    var f = 0.0, input = 0.0
    for h in c.encoder.layerSizes.map(Double.init) { f += 2 * T * (2 * h * 4 * h + 2 * input * 4 * h); input = 2 * h }
    f += 2 * input * Double(c.zSize)
    var below = Double(c.zSize)
    for h in c.decoder.layerSizes.map(Double.init) { f += T * (2 * h * 4 * h + 2 * below * 4 * h); below = h }
    f -= T * 2 * Double(c.zSize) * 4 * Double(c.decoder.layerSizes[0]) - 2 * Double(c.zSize) * 4 * Double(c.decoder.layerSizes[0])
    return f + T * 2 * below * Double(c.depth)
}

if let t = ProcessInfo.processInfo.environment["BENCH_BLAS_THREADS"] { BLAS.threads = Int(t)!; PackedProducts.threads = Int(t)! }
if ProcessInfo.processInfo.environment["BENCH_NO_PARALLEL"] != nil { Parallel.enabled = false }
// --profile-train B N: only run N training steps at batch B (for perf).
if let i = CommandLine.arguments.firstIndex(of: "--profile-train") {
    let b = Int(CommandLine.arguments[i + 1])!, n = Int(CommandLine.arguments[i + 2])!
    let m = try MusicVAEModel(config: trainingConfig, seed: 1)
    let tr = MusicVAETrainer(model: m, seed: 3)
    var rng = SeededGenerator(seed: 2)
    let w = (0..<b).map { _ in (0..<32).map { _ in Int(rng.next() % 90) } }
    let t0 = now()
    for _ in 0..<n { try tr.train(windows: w) }
    print(String(format: "%.1f examples/s", Double(b * n) / (now() - t0)))
    exit(0)
}
// --profile-infer B N: only run N encode+decode calls at batch B.
if let i = CommandLine.arguments.firstIndex(of: "--profile-infer") {
    let b = Int(CommandLine.arguments[i + 1])!, n = Int(CommandLine.arguments[i + 2])!
    var m = try MusicVAEModel(config: .mel2barSmall, seed: 1)
    if CommandLine.arguments.contains("--bfloat16") { m.precision = .bfloat16 }   // --profile-infer B N --bfloat16
    let ws = MusicVAEWorkspace(for: m)
    var rng = SeededGenerator(seed: 2)
    let w = (0..<b).map { _ in (0..<32).map { _ in Int(rng.next() % 90) } }
    let t0 = now()
    for _ in 0..<n { let (mu, _) = try m.encode(windows: w, workspace: ws); _ = try m.decode(z: mu, workspace: ws) }
    print(String(format: "%.2f ms per call", (now() - t0) * 1e3 / Double(n)))
    exit(0)
}

print("NeuralNetBench  (OpenBLAS core \(BLAS.coreName), \(BLAS.threads) threads, \(ProcessInfo.processInfo.activeProcessorCount) CPUs)")
// Warm up (thread pool, CPU clocks) for about a second before measuring the peak.
let warmStart = now()
while now() - warmStart < 1 { _ = sgemmRate(512, 512, 512) }
let peak = max(sgemmRate(1024, 1024, 1024), sgemmRate(1024, 1024, 1024))
let lstmShape = sgemmRate(64, 512, 2048)
print(String(format: "raw cblas_sgemm: 1024·1024·1024 %.1f GFLOP/s, 64·512·2048 %.1f GFLOP/s", peak, lstmShape))

let config = MusicVAEConfig.mel2barSmall
let model = try MusicVAEModel(config: config, seed: 1)
func randomWindows(_ n: Int, seed: UInt64 = 2) -> [[Int]] {
    var rng = SeededGenerator(seed: seed)
    return (0..<n).map { _ in (0..<config.numSteps).map { _ in Int(rng.next() % 90) } }
}
print("model mel_2bar_small: \(model.parameterCount) parameters, \(String(format: "%.3f", trainingFlops(config) / 1e9)) GFLOP per training example, \(String(format: "%.4f", inferenceFlops(config) / 1e9)) GFLOP per window encoded and decoded")

let trainingModel = try MusicVAEModel(config: trainingConfig, seed: 1)
for batch in [64, 512] {
    let trainer = MusicVAETrainer(model: trainingModel, seed: 3)
    let windows = randomWindows(batch)
    let reps = quick ? 3 : (batch == 64 ? 15 : 5)
    let (t, best) = try times(reps: reps) { try trainer.train(windows: windows) }
    let eps = Double(batch) / t
    print(String(format: "train step, batch %3d: median %6.1f ms = %6.1f examples/s (best %6.1f ms = %6.1f examples/s), %6.1f GFLOP/s (%.0f%% of sgemm peak)",
                 batch, t * 1e3, eps, best * 1e3, Double(batch) / best, eps * trainingFlops(config) / 1e9, 100 * eps * trainingFlops(config) / 1e9 / peak))
}

do {
    // The hierarchical preset (256 steps): examples/s at its batch size, for sizing training runs.
    let hc = MusicVAEConfig.mel16barHier
    let hm = try MusicVAEModel(config: hc, seed: 1)
    let trainer = MusicVAETrainer(model: hm, seed: 3)
    var r = SeededGenerator(seed: 4)
    let windows = (0..<hc.batchSize).map { _ in (0..<hc.numSteps).map { _ in Int(r.next() % 90) } }
    let t = try timeMedian(reps: quick ? 1 : 3) { try trainer.train(windows: windows) }
    print(String(format: "mel_16bar_hier (%d parameters) train step, batch %d: %.1f ms  %.1f examples/s (%.0f examples/hour)",
                 hm.parameterCount, hc.batchSize, t * 1e3, Double(hc.batchSize) / t, 3600 * Double(hc.batchSize) / t))
}

let ws = MusicVAEWorkspace(for: model)
// float32 (the default), then bfloat16 where the CPU runs it (`InferencePrecision`): the same calls, the same windows.
for precision in InferencePrecision.allCases where precision.effective == precision {
    var model = model
    model.precision = precision
    _ = try model.encode(windows: randomWindows(1), workspace: ws)   // packs the bfloat16 kernels before timing
    let label = precision == .float32 ? "inference" : "inference \(precision)"
    for batch in [1, 64] {
        let windows = randomWindows(batch)
        let reps = quick ? 5 : (batch == 1 ? 200 : 20)
        let tEnc = try timeMedian(reps: reps) { _ = try model.encode(windows: windows, workspace: ws) }
        let (mu, _) = try model.encode(windows: windows, workspace: ws)
        let tDec = try timeMedian(reps: reps) { _ = try model.decode(z: mu, workspace: ws) }
        let (t, best) = try times(reps: reps) {
            let (m, _) = try model.encode(windows: windows, workspace: ws)
            _ = try model.decode(z: m, workspace: ws)
        }
        print(String(format: "%@, batch %2d: encode %.2f ms + greedy decode %.2f ms; together median %.2f ms (best %.2f ms), %.2f ms/window, %.1f GFLOP/s",
                     label, batch, tEnc * 1e3, tDec * 1e3, t * 1e3, best * 1e3, t * 1e3 / Double(batch), Double(batch) * inferenceFlops(config) / t / 1e9))
    }
}
