import Foundation
import MusicVAE
import NoteSequences
import Pipeline

/// Melody (or drum) windows for training and evaluation, taken from MIDI folders through the same stages as a
/// pipeline (read-midi -> quantize -> slice-bars -> extract-melody or extract-drums), split into training and
/// held-out windows by file, or by groove family for drums.
public struct WindowDataset: Sendable {
    /// What to take from the files.
    public struct Settings: Sendable {
        /// Steps per window (32 for 2 bars, 256 for 16 bars of 16 steps, 24 for 2 bars of 12).
        public var steps: Int
        /// Steps per bar: 16 or 12.
        public var stepsPerBar: Int
        /// Bars between window starts.
        public var hopBars: Int
        /// Meters read (4/4 and 2/2 bars are 16 steps, two 2/4 bars make one 16-step bar; 3/4 and 6/8 bars are
        /// 12 steps, two 3/8 bars make one).
        public var meters: [String]
        /// One file in `heldOutEvery` (by a hash of its path, or of its family's: see `heldOutByFamily`) is held
        /// out for evaluation.
        public var heldOutEvery: Int
        /// Melodies or drum patterns.
        public var encoding: LineEncoding = .melody
        /// Hold out whole families of files (`WindowDataset.family`): the variants of one drum groove share most
        /// of their patterns, so holding out single files would measure patterns seen in training.
        public var heldOutByFamily = false

        /// Settings for a model of `steps` steps: 2-bar windows every bar, 16-bar windows every 2 bars.
        public init(steps: Int, stepsPerBar: Int = 16, hopBars: Int? = nil, meters: [String] = ["4/4", "2/2", "2/4"], heldOutEvery: Int = 20) {
            self.steps = steps
            self.stepsPerBar = stepsPerBar
            self.hopBars = hopBars ?? (steps / stepsPerBar > 4 ? 2 : 1)
            self.meters = meters
            self.heldOutEvery = heldOutEvery
        }

        /// The windows a model takes: its steps, bar length and meters.
        public init(for config: MusicVAEConfig, heldOutEvery: Int = 20) {
            self.init(steps: config.numSteps, stepsPerBar: config.stepsPerBar, meters: config.meters, heldOutEvery: heldOutEvery)
            encoding = config.lineEncoding
            heldOutByFamily = encoding == .drums
        }
    }

    /// Training windows (class ids per step).
    public var train: [[Int]]
    /// Held-out windows, from files never seen in training.
    public var heldOut: [[Int]]
    /// For each training window, the index in `paths` of the file or folder it came from (see `DataBalance`).
    public var trainSources: [Int] = []
    /// Where each training window, and each held-out window, was cut from.
    public var trainOrigins: [WindowOrigin] = [], heldOutOrigins: [WindowOrigin] = []
    /// The major tonic (pitch class) of the key in force at each training window, and at each held-out window.
    public var trainTonics: [Int] = [], heldOutTonics: [Int] = []
    /// Files read, files failed, and files held out.
    public var files: Int, failed: Int, heldOutFiles: Int
    /// The files that could not be read, with why (as many as `failed`).
    public var failures: [InputFailure] = []
    /// What the stages dropped, by reason.
    public var dropped: [String: Int]

    /// The stages that extract the windows of `path` (built through the API: a path may hold any character).
    static func pipeline(_ path: String, _ s: Settings) -> PipelineFile {
        PipelineFile(chain: [
            .init("read-midi", [("path", .string(path))]),
            .init("quantize", [("steps_per_quarter", .int(4))]),
            .init("slice-bars", [("bars", .int(s.steps / s.stepsPerBar)), ("hop", .int(s.hopBars)), ("meters", .list(s.meters)),
                                 ("steps_per_bar", .ints([s.stepsPerBar]))]),
            s.encoding == .drums ? .init("extract-drums", [("min_hits", .int(1))]) : .init("extract-melody", [("min_notes", .int(1))]),
        ], name: "training data")
    }

    /// Reads every path (files or folders, or a folder `musicvae export` wrote) and splits its windows into training and held-out.
    public init(paths: [String], settings: Settings, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                progress: (@Sendable (Int, Int) -> Void)? = nil) throws {
        precondition(settings.steps % settings.stepsPerBar == 0, "windows are whole bars")
        train = []
        heldOut = []
        files = 0
        failed = 0
        heldOutFiles = 0
        dropped = [:]
        for (source, path) in paths.enumerated() {
            if FileManager.default.fileExists(atPath: path + "/windows.npy") {
                try readExport(path, source: source, settings: settings)
                continue
            }
            let plan = try PipelinePlan(file: Self.pipeline(path, settings))
            let report = PipelineRunner(plan: plan, threads: threads).run(collectOutputs: true, progress: progress)
            files += report.inputs
            failed += report.failures.count
            failures += report.failures
            for s in report.stages { for (k, v) in s.dropped { dropped[k, default: 0] += v } }
            for (input, values) in report.outputsByInput {
                let held = settings.heldOutByFamily ? Self.isHeldOut(family: Self.family(of: input), every: settings.heldOutEvery)
                                                    : Self.isHeldOut(input, every: settings.heldOutEvery)
                if held { heldOutFiles += 1 }
                for case let m as MelodyWindow in values where m.events.count == settings.steps {
                    let tonic = m.majorTonic
                    if held {
                        heldOut.append(m.events)
                        heldOutTonics.append(tonic)
                        heldOutOrigins.append(WindowOrigin(file: input.key, folder: path, start: m.window.start, track: m.track))
                    } else {
                        train.append(m.events)
                        trainTonics.append(tonic)
                        trainSources.append(source)
                        trainOrigins.append(WindowOrigin(file: input.key, folder: path, start: m.window.start, track: m.track))
                    }
                }
            }
        }
    }

    /// Takes the windows of a `musicvae export` folder (windows.npy and index.json) instead of reading MIDI: the
    /// training cache, in the format other tools read. Its split is the one the export wrote.
    mutating func readExport(_ folder: String, source: Int, settings: Settings) throws {
        let windows = try NumpyFile.readInt32(folder + "/windows.npy")
        let rows: [WindowIndexRow]
        do {
            rows = try JSONDecoder().decode([WindowIndexRow].self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/index.json")))
        } catch {
            throw NumpyFileError(path: folder + "/index.json", reason: "not the index.json of a `musicvae export` (\(error.localizedDescription))")
        }
        guard rows.count == windows.count else {
            throw NumpyFileError(path: folder, reason: "index.json has \(rows.count) rows for \(windows.count) windows")
        }
        guard windows.first.map({ $0.count == settings.steps }) ?? true,
              windows.allSatisfy({ $0.allSatisfy { (0..<settings.encoding.classCount).contains($0) } }) else {
            throw NumpyFileError(path: folder, reason: "the windows are not \(settings.steps) steps of \(settings.encoding) classes: exported for another model")
        }
        var seen = Set<String>()
        for (w, row) in zip(windows, rows) {
            if seen.insert(row.folder + "/" + row.file).inserted {
                files += 1
                if row.held_out { heldOutFiles += 1 }
            }
            let origin = WindowOrigin(file: row.file, folder: row.folder, start: row.start_step, track: row.track)
            if row.held_out {
                heldOut.append(w)
                heldOutTonics.append(row.tonic ?? 0)
                heldOutOrigins.append(origin)
            } else {
                train.append(w)
                trainTonics.append(row.tonic ?? 0)
                trainSources.append(source)
                trainOrigins.append(origin)
            }
        }
    }

    /// The rows of an export's index.json for `train + heldOut`, in that order.
    public var indexRows: [WindowIndexRow] {
        let origins = trainOrigins + heldOutOrigins, tonics = trainTonics + heldOutTonics
        return origins.indices.map { i in
            WindowIndexRow(file: origins[i].file, folder: origins[i].folder, start_step: origins[i].start, track: origins[i].track,
                           held_out: i >= train.count, tonic: tonics[i])
        }
    }

    /// Whether a file is held out: FNV-1a of its path relative to the folder it was found in, modulo `every`.
    public static func isHeldOut(_ input: InputFile, every: Int) -> Bool {
        every > 0 && input.shard(of: every) == 0
    }

    /// Whether a family is held out: FNV-1a of its name, modulo `every`.
    public static func isHeldOut(family: String, every: Int) -> Bool {
        every > 0 && InputFile(path: family).shard(of: every) == 0
    }

    /// Variant suffixes of groove names (mma's naming: `50sRock1SusPlus` is a variant of `50sRock`).
    static let variantSuffixes = ["Sus", "Plus", "Fill", "Intro", "End"]

    /// The family of a file: its path relative to the folder it was found in, without extension and without
    /// trailing variant suffixes and numbers ("stdlib/50sRock1SusPlus.mid" and "stdlib/50sRockEnd.mid" are both
    /// "stdlib/50sRock").
    public static func family(of input: InputFile) -> String {
        var name = (input.key as NSString).deletingPathExtension
        var changed = true
        while changed {
            changed = false
            while let last = name.last, last.isNumber, name.count > 1 { name.removeLast(); changed = true }
            for suffix in variantSuffixes where name.hasSuffix(suffix) && name.count > suffix.count {
                name.removeLast(suffix.count)
                changed = true
            }
        }
        return name
    }
}

/// Where a window was cut from: its file (as found under the folder or list given), the step it starts at, and
/// its track.
public struct WindowOrigin: Sendable, Equatable, Codable {
    /// The file's path relative to `folder`.
    public var file: String
    /// The file or folder given.
    public var folder: String
    /// The window's first step (16th notes from the piece's start; negative in a padded pick-up bar).
    public var start: Int
    /// The source track.
    public var track: Int
}

/// One row of an export's index.json: where the window in the same row of windows.npy was cut from, whether it
/// is held out, and its key (snake_case names, for the tools that read it).
public struct WindowIndexRow: Codable, Sendable, Equatable {
    /// The file's path relative to `folder`, and the file or folder given.
    public var file: String, folder: String
    /// The window's first step.
    public var start_step: Int
    /// The source track.
    public var track: Int
    /// Whether the window is held out of training.
    public var held_out: Bool
    /// Pitch class of the major tonic of the key at the window (0 = C; the melody attributes' key); absent: C.
    public var tonic: Int?
}

/// Random transposition for training: the window moved by a whole number of semitones in `range`, when every
/// note stays in the model's pitch range (else the window as it is).
public func transposeWindow(_ events: [Int], by semitones: Int) -> [Int] {
    guard semitones != 0 else { return events }
    var out = events
    for (i, c) in events.enumerated() where c >= 2 {
        let moved = c + semitones
        guard moved >= 2, moved < MelodyEncoding.classCount else { return events }
        out[i] = moved
    }
    return out
}

/// A drum window (512-class steps, see `DrumEncoding`) with its cymbals (closed and open hi-hat, crash, ride)
/// replaced step by step by those of `other`: kick, snare and toms from `drums`, cymbals from `other`.
public func recombineDrums(_ drums: [Int], cymbalsFrom other: [Int]) -> [Int] {
    precondition(drums.count == other.count, "drum windows of one length")
    let cymbals = DrumEncoding.cymbals.reduce(0) { $0 | (1 << $1) }
    return zip(drums, other).map { a, b in (a & ~cymbals) | (b & cymbals) }
}
