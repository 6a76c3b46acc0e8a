import ArgumentParser
import Foundation
import MusicVAE
import Training

/// `musicvae export PATH... --out DIR [--codes]`: the windows a model sees, and their codes, for other tools.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the windows a model sees (class ids) and, with --codes, their latent codes, as .npy files numpy reads.",
        discussion: """
            DIR/windows.npy: int32 [N, steps], one window per row, in the model's classes (melody: 0 hold, 1 off, \
            2 + pitch - 21; drums: the bit set of the 9 drum classes struck). With --codes, DIR/mu.npy and \
            DIR/sigma.npy: float32 [N, z], the posterior of each window. DIR/index.json: for each row, its file \
            (relative to the folder given), the folder, the window's first step, its track, the key's major tonic \
            and whether it is held out of training (the split train and eval use). `train --data DIR` and the \
            other commands that take --data read an export folder as they read MIDI: the windows cache. Windows are cut as the model takes them: its \
            bars, meters and encoding. In Python: np.load("DIR/windows.npy").
            Example: musicvae export ../shared/corpus/folk/miscFolk --out out/miscFolk --codes
            """)

    @Argument(help: "MIDI files or folders.")
    var paths: [String]

    @Option(help: "Output folder.")
    var out: String

    @OptionGroup var model: ModelOption

    @Flag(help: "Also write each window's latent code (mu.npy, sigma.npy), encoded by the model.")
    var codes = false

    func run() throws {
        let folder = try model.folder()
        let config: MusicVAEConfig
        do {
            guard let c = try MusicVAEModel.storedConfig(in: URL(fileURLWithPath: folder)) else { throw CLIError("\(folder): no config.json with the model's settings") }
            config = c
        } catch let e as MusicVAEError { throw invalidSetup("\(folder): \(e)") }
        let progress = ProgressLine("reading")
        let d = try WindowDataset(paths: paths, settings: .init(for: config)) { progress.update($0, $1) }
        progress.finish()
        sayFailures(d)
        let windows = d.train + d.heldOut
        guard !windows.isEmpty else { throw CLIError("no windows in \(paths.joined(separator: ", ")) for \(config.name)") }
        // Everything is computed before the first file is written (each atomically), so a model that fails to load
        // leaves the folder as it was; codes of an earlier export, which would no longer match the rows, go.
        var posterior: (mu: [[Float]], sigma: [[Float]])?
        if codes {
            let m = try model.load(folder)
            posterior = try m.encodeInBatches(windows: windows)
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try NumpyFile.write(int32: windows, columns: config.numSteps, to: out + "/windows.npy")
        try writeStats(d.indexRows, to: out + "/index.json")
        var written = ["windows.npy", "index.json"]
        if let posterior {
            try NumpyFile.write(float32: posterior.mu, columns: config.zSize, to: out + "/mu.npy")
            try NumpyFile.write(float32: posterior.sigma, columns: config.zSize, to: out + "/sigma.npy")
            written += ["mu.npy", "sigma.npy"]
        } else {
            for stale in ["mu.npy", "sigma.npy"] where FileManager.default.fileExists(atPath: out + "/" + stale) {
                try FileManager.default.removeItem(atPath: out + "/" + stale)
                print("removed \(out)/\(stale) of an earlier export (its rows were other windows)")
            }
        }
        print("\(windows.count) windows (\(d.heldOut.count) held out) of \(config.numSteps) steps from \(counted(d.files, "file")) (\(d.failed) failed), model \(config.name)")
        print("wrote " + written.map { out + "/" + $0 }.joined(separator: ", "))
    }
}
