import TestSupport
import Foundation
import Testing
import MusicVAE
import NeuralNet
import NoteSequences

/// Runs the built `musicvae` (beside the test bundle) and captures its exit code and output.
struct CLI {
    static let executable: String = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [bundle.appendingPathComponent("musicvae").path]
        if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent().appendingPathComponent("musicvae").path) }
        candidates.append(SharedData.packageRoot.appendingPathComponent(".build/debug/musicvae").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        /// Standard output as bytes (for commands that write a file there).
        var stdoutBytes = Data()
    }

    static func run(_ arguments: [String], cwd: String? = nil, stdin: String? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        if let stdin { p.standardInput = FileHandle(forReadingAtPath: stdin) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Standard error is read on its own thread so neither pipe fills while the other is read.
        nonisolated(unsafe) var e = Data()
        let errDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { e = err.fileHandleForReading.readDataToEndOfFile(); errDone.signal() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        errDone.wait()
        p.waitUntilExit()
        var r = Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
        r.stdoutBytes = o
        return r
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}

func scratchFolder() throws -> String {
    let path = NSTemporaryDirectory() + "musicvae-cli-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite(.serialized) struct CLITests {
    let tune = SharedData.files(in: SharedData.folk + "/ryansMammoth", 1)[0]

    @Test func inspectShowsTheFile() throws {
        let r = try CLI.run(["inspect", tune])
        #expect(r.status == 0)
        #expect(r.stdout.contains("format 0, 480 ticks per quarter, 1 track"))
        #expect(r.stdout.contains("time signature: 4/4"))
        let j = try CLI.json(try CLI.run(["inspect", tune, "--json"]).stdout)
        for key in ["format", "division", "tracks", "tempos", "time_signatures", "key_signatures", "duration_seconds", "bars", "notes"] {
            #expect(j[key] != nil, "missing \(key)")
        }
        #expect(j["format"] as? Int == 0)
    }

    @Test func inspectRefusesATruncatedFileNamingIt() throws {
        let dir = try scratchFolder()
        let cut = dir + "/cut.mid"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: tune))
        try bytes.prefix(40).write(to: URL(fileURLWithPath: cut))
        let r = try CLI.run(["inspect", cut])
        #expect(r.status == 1)
        #expect(r.stderr.contains("cut.mid: truncated track chunk at byte 14"))
    }

    @Test func extractCountsWindowsAndNamesBadFiles() throws {
        let dir = try scratchFolder()
        for path in SharedData.files(in: SharedData.folk + "/ryansMammoth", 5) {
            try FileManager.default.copyItem(atPath: path, toPath: dir + "/" + (path as NSString).lastPathComponent)
        }
        try Data("not midi".utf8).write(to: URL(fileURLWithPath: dir + "/bad.mid"))
        let r = try CLI.run(["extract", dir, "--json"])
        #expect(r.status == 1)   // some inputs failed, as `run` says it
        let j = try CLI.json(r.stdout)
        #expect(j["files"] as? Int == 6)
        #expect(j["failed"] as? Int == 1)
        #expect((j["windows"] as? Int ?? 0) > 20)
        #expect(j["dropped"] is [String: Any])
        #expect(r.stderr.components(separatedBy: "bad.mid").count == 2)   // named exactly once
    }

    @Test func runRoundtripWritesTheFile() throws {
        let dir = try scratchFolder()
        let r = try CLI.run(["run", "roundtrip", tune, "--set", "output=\(dir)/out.mid", "--stats", dir + "/stats.json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("write-midi"))
        #expect(FileManager.default.fileExists(atPath: dir + "/out.mid"))
        let stats = try CLI.json(try String(contentsOfFile: dir + "/stats.json", encoding: .utf8))
        #expect(stats["inputs"] as? Int == 1)
        #expect((stats["stages"] as? [[String: Any]])?.count == 6)
    }

    @Test func checkReportsFileLineAndColumn() throws {
        let dir = try scratchFolder()
        try "stages:\n  - read-midi: {path: x.mid}\n  - quantise: {}\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["check", dir + "/bad.yaml"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("bad.yaml:3:5: unknown stage 'quantise' (did you mean 'quantize'?)"))
        let ok = try CLI.run(["check", "roundtrip", "extract"])
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test func stagesListsEveryBuiltinWithTypes() throws {
        let r = try CLI.run(["stages", "--json"])
        #expect(r.status == 0)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        let names = Set(list.compactMap { $0["name"] as? String })
        #expect(names.isSuperset(of: ["read-midi", "split-time-changes", "quantize", "slice-bars", "extract-melody", "join-bars", "transpose", "write-midi"]))
    }

    @Test func renderWritesAWAVAndRefusesBadInput() throws {
        let dir = try scratchFolder()
        let example = SharedData.packageRoot.appendingPathComponent("Examples/melodies/twinkle.mid").path
        let r = try CLI.run(["render", example, "-o", dir + "/t.wav", "--mono", "--sample-rate", "22050"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("wrote \(dir)/t.wav ("))
        let wav = try Data(contentsOf: URL(fileURLWithPath: dir + "/t.wav"))
        #expect(wav.prefix(4) == Data("RIFF".utf8) && wav.count > 100_000)
        try Data("junk".utf8).write(to: URL(fileURLWithPath: dir + "/bad.sf2"))
        let badFont = try CLI.run(["render", example, "-o", dir + "/u.wav", "--soundfont", dir + "/bad.sf2"])
        #expect(badFont.status == 1 && badFont.stderr.contains("bad.sf2: not a soundfont FluidSynth can load"))
        try Data("junk".utf8).write(to: URL(fileURLWithPath: dir + "/bad.mid"))
        let badMIDI = try CLI.run(["render", dir + "/bad.mid", "-o", dir + "/v.wav"])
        #expect(badMIDI.status == 1 && badMIDI.stderr.contains("bad.mid"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/u.wav") && !FileManager.default.fileExists(atPath: dir + "/v.wav"))
    }

    @Test func pianorollAndListeningReport() throws {
        let dir = try scratchFolder()
        let example = SharedData.packageRoot.appendingPathComponent("Examples/melodies/ode-to-joy.mid").path
        let roll = try CLI.run(["pianoroll", example, "-o", dir + "/ode.svg"])
        #expect(roll.status == 0, "\(roll.stderr)")
        let svg = try String(contentsOfFile: dir + "/ode.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.components(separatedBy: "fill-opacity").count - 1 == 62)   // one rect per note
        #expect(svg.contains(">C4</text>"))                               // pitches 57...69: one octave label
        #expect(svg.components(separatedBy: "stroke-width=\"0.6\"").count - 1 == 17)  // 16 bars: 17 bar lines
        let r = try CLI.run(["run", "roundtrip", example, "--set", "output=\(dir)/rt.mid", "--report", dir + "/report"])
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: dir + "/report/index.html", encoding: .utf8)
        #expect(html.components(separatedBy: "<svg").count - 1 == 2)        // the input and the output
        #expect(html.components(separatedBy: "<audio controls").count - 1 == 2)
        let audio = try FileManager.default.contentsOfDirectory(atPath: dir + "/report/audio").sorted()
        #expect(audio == ["001-ode-to-joy.wav", "002-rt.wav"])
        #expect(html.contains("src=\"audio/001-ode-to-joy.wav\""))
        // Report audio is a linked preview: mono at 22.05 kHz (RIFF header: channels at byte 22, rate at 24).
        let wav = try Data(contentsOf: URL(fileURLWithPath: dir + "/report/audio/002-rt.wav"))
        #expect(wav[22] == 1 && wav[23] == 0)
        #expect(Int(wav[24]) | Int(wav[25]) << 8 | Int(wav[26]) << 16 == 22_050)
        #expect(html.components(separatedBy: ">note density<").count - 1 == 2)   // the melody's attributes, input and output
        // Through the default model, a 4/4 tune's latent distance is measured in mel_2bar_small's space and a
        // waltz's in the triple-meter model's, which coded its windows.
        let waltzDefault = SharedData.packageRoot.appendingPathComponent("Examples/melodies/scarborough-fair.mid").path
        try FileManager.default.createDirectory(atPath: dir + "/two", withIntermediateDirectories: true)
        for file in [example, waltzDefault] { try FileManager.default.copyItem(atPath: file, toPath: dir + "/two/" + (file as NSString).lastPathComponent) }
        let coded = try CLI.run(["run", "reconstruct", dir + "/two", "--set", "output=\(dir)/{stem}-r.mid", "--report", dir + "/report3"])
        #expect(coded.status == 0, "\(coded.stderr)")
        // One section per input: its output's entry carries the distance.
        let sections = try String(contentsOfFile: dir + "/report3/index.html", encoding: .utf8).components(separatedBy: "<h2")
        let ode = try #require(sections.first { $0.contains("ode-to-joy-r.mid") }), waltzSection = try #require(sections.first { $0.contains("scarborough-fair-r.mid") })
        #expect(ode.contains("(first window, mel_2bar_small, |z| ") && !ode.contains("mel_2bar_triple"), "\(ode.prefix(3000))")
        #expect(waltzSection.contains("(first window, mel_2bar_triple, |z| ") && !waltzSection.contains("mel_2bar_small"), "\(waltzSection.prefix(3000))")
        // What the run kept as it was, and why, is on the page too.
        let waltz = SharedData.packageRoot.appendingPathComponent("Examples/melodies/scarborough-fair.mid").path
        let kept = try CLI.run(["run", "reconstruct", waltz, "--set", "output=\(dir)/w.mid", "--set", "model=\(SharedData.packageRoot.path)/Models/mel_16bar_hier",
                                "--set", "bars=16", "--report", dir + "/report2"])
        #expect(kept.status == 0, "\(kept.stderr)")
        let page = try String(contentsOfFile: dir + "/report2/index.html", encoding: .utf8)
        #expect(page.contains("read, kept and skipped: passed through unencoded: 3/4 windows"), "\(page.prefix(600))")
        // With the 16-bar model a 24-bar tune is two windows, the second half padding: the output still ends where
        // the tune ends (it once came back twice as long).
        let reel = try #require(SharedData.files(in: SharedData.folk + "/ryansMammoth").first { path in
            guard let s = try? NoteSequence(path: path), s.timeSignatures.count == 1, s.timeSignatures[0].description == "4/4" else { return false }
            return s.barCount > 17 && s.barCount < 32
        })
        let long = try CLI.run(["reconstruct", reel, "-o", dir + "/reel.mid", "--model", SharedData.packageRoot.path + "/Models/mel_16bar_hier"])
        #expect(long.status == 0, "\(long.stderr)")
        let original = try NoteSequence(path: reel), back = try NoteSequence(path: dir + "/reel.mid")
        #expect(back.notes.map(\.end).max()! <= original.totalTicks)
        #expect(abs(back.totalTime - original.totalTime) < 0.01, "\(original.totalTime) s -> \(back.totalTime) s")
    }

    /// Starts `musicvae train ARGS`, waits for its first progress line, sends `signals` (with `gap` between
    /// them) and waits for it to exit; returns its status, stdout and stderr.
    func trainUntilSignalled(_ arguments: [String], in dir: String, signals: [Int32], gap: useconds_t = 0) throws -> CLI.Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.executable)
        p.arguments = ["train"] + arguments
        let err = dir + "/err-\(UUID().uuidString).txt", out = dir + "/out-\(UUID().uuidString).txt"
        FileManager.default.createFile(atPath: err, contents: nil)
        FileManager.default.createFile(atPath: out, contents: nil)
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }   // never leave a trainer behind
        let started = Date()
        while !((try? String(contentsOfFile: err, encoding: .utf8))?.contains("step ") ?? false)
                && Date().timeIntervalSince(started) < 120 { usleep(100_000) }
        usleep(500_000)
        for s in signals {
            kill(p.processIdentifier, s)
            usleep(gap)
        }
        p.waitUntilExit()
        return CLI.Result(status: p.terminationStatus, stdout: try String(contentsOfFile: out, encoding: .utf8),
                          stderr: try String(contentsOfFile: err, encoding: .utf8))
    }

    /// Train a tiny configuration, stop it with Ctrl-C and with SIGTERM (each saves and exits 130 / 143), resume
    /// it past a damaged checkpoint, refuse to resume nothing, continue its weights elsewhere, and evaluate it.
    @Test func trainStopsOnSignalsAndResumes() throws {
        let dir = try scratchFolder()
        let tiny = MusicVAEConfig(name: "tiny", numSteps: 32, zSize: 8, encoder: .init(kind: .bidirectional, layerSizes: [16]),
                                  decoder: .init(kind: .flat, layerSizes: [16]), maxBeta: 0.2, betaRate: 0.99)
        try JSONEncoder().encode(tiny).write(to: URL(fileURLWithPath: dir + "/tiny.json"))
        let data = SharedData.folk + "/miscFolk"
        let common = ["--config", dir + "/tiny.json", "--data", data, "--batch", "8"]
        let first = try trainUntilSignalled(common + ["--out", dir + "/m", "--steps", "1000000"], in: dir, signals: [SIGINT])
        #expect(first.stdout.contains("(interrupted: saved)"))
        #expect(first.status == 130, "\(first.stderr)")
        #expect(first.stderr.contains("checkpoint: \(dir)/m/checkpoints/step-"))
        let card = try String(contentsOfFile: dir + "/m/README.md", encoding: .utf8)
        #expect(card.contains("teacher-forced accuracy"))
        _ = try MusicVAEModel.load(from: URL(fileURLWithPath: dir + "/m"))   // the interrupted run saved a loadable model
        func checkpoints() throws -> [Int] {
            try FileManager.default.contentsOfDirectory(atPath: dir + "/m/checkpoints").map { Int($0.dropFirst(5))! }.sorted()
        }
        let reached = try #require(try checkpoints().last)
        #expect(reached > 0)
        // SIGTERM, twice in quick succession (a scheduler's stop, then an impatient one): the save completes.
        let second = try trainUntilSignalled(common + ["--out", dir + "/m", "--steps", "1000000", "--resume"], in: dir,
                                             signals: [SIGTERM, SIGTERM], gap: 20_000)
        #expect(second.status == 143, "\(second.stderr)")
        #expect(second.stderr.contains("resuming from \(dir)/m/checkpoints/step-\(String(format: "%08d", reached)) at step \(reached)"))
        let newest = try #require(try checkpoints().last)
        #expect(newest > reached)
        _ = try MusicVAEModel.load(from: URL(fileURLWithPath: dir + "/m"))
        // A damaged newest checkpoint is skipped for the one before it, and said so.
        let damaged = dir + "/m/checkpoints/" + String(format: "step-%08d", newest) + "/trainer_adam.bin"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: damaged))
        let r = try CLI.run(["train"] + common + ["--out", dir + "/m", "--steps", "\(reached + 5)", "--resume"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("skipping damaged checkpoint") && r.stderr.contains("trainer_adam.bin holds 3 bytes"))
        #expect(r.stderr.contains("resuming from \(dir)/m/checkpoints/step-\(String(format: "%08d", reached)) at step \(reached)"))
        #expect(r.stdout.contains("trained at step \(reached + 5)"))
        // --resume with nothing to resume is an error; --resume-or-start starts from scratch.
        let none = try CLI.run(["train"] + common + ["--out", dir + "/empty", "--steps", "2", "--resume"])
        #expect(none.status == 1 && none.stderr.contains("nothing to resume"))
        let fresh = try CLI.run(["train"] + common + ["--out", dir + "/empty", "--steps", "2", "--resume-or-start"])
        #expect(fresh.status == 0 && fresh.stderr.contains("starting from scratch"))
        // A run from scratch, or from another model's weights, never writes over a folder that holds a model.
        let weights = try Data(contentsOf: URL(fileURLWithPath: dir + "/m/weights_manifest.json"))
        let checkpointsBefore = try checkpoints()
        for start in [[], ["--init-from", dir + "/empty"]] {
            let over = try CLI.run(["train"] + common + ["--out", dir + "/m", "--steps", "2"] + start)
            #expect(over.status == 1 && over.stderr.contains("\(dir)/m already holds a model or checkpoints"), "\(start): \(over.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/m/weights_manifest.json")) == weights && checkpoints() == checkpointsBefore)
        // --init-from continues the model's weights and schedules elsewhere, counting its examples on.
        let cont = try CLI.run(["train"] + common + ["--out", dir + "/m2", "--steps", "\(reached + 8)", "--init-from", dir + "/m"])
        #expect(cont.status == 0, "\(cont.stderr)")
        #expect(cont.stderr.contains("continuing the weights of \(dir)/m at step \(reached + 5)"))
        #expect(cont.stdout.contains("trained at step \(reached + 8)"))
        let history = try CLI.json(String(contentsOfFile: dir + "/m2/training.json", encoding: .utf8))
        #expect(history["examples_seen"] as? Int == (reached + 8) * 8)
        #expect((history["curve"] as? [Any])?.isEmpty == false)
        // The next stage of a campaign: the same weights with the KL terms and the decoder's inputs changed, written
        // into the new model's config.json; a resumed run refuses changes (it repeats the interrupted one).
        let stage = ["--max-beta", "0.5", "--free-bits", "32", "--sampling-schedule", "inverse_sigmoid", "--sampling-rate", "1000"]
        let staged = try CLI.run(["train"] + common + ["--out", dir + "/m3", "--steps", "\(reached + 7)", "--init-from", dir + "/m"] + stage)
        #expect(staged.status == 0, "\(staged.stderr)")
        #expect(staged.stderr.contains("(optimizer state new; from now on freeBits 32, maxBeta 0.5, samplingSchedule inverse_sigmoid, samplingRate 1000)"),
                "\(staged.stderr)")
        let before = try #require(try MusicVAEModel.storedConfig(in: URL(fileURLWithPath: dir + "/m")))
        let after = try #require(try MusicVAEModel.storedConfig(in: URL(fileURLWithPath: dir + "/m3")))
        #expect(after.maxBeta == 0.5 && after.freeBits == 32 && after.samplingSchedule == .inverseSigmoid && after.samplingRate == 1000)
        #expect(before.samplingSchedule == .constant && before.maxBeta == 0.2 && before.freeBits == 0)
        var unchanged = after
        (unchanged.maxBeta, unchanged.freeBits, unchanged.samplingSchedule, unchanged.samplingRate) = (before.maxBeta, before.freeBits, before.samplingSchedule, before.samplingRate)
        #expect(unchanged == before, "only the four settings change")
        // --data-weight scales each path's share of the batches, one factor per path, said before training.
        let chorales = SharedData.chorales
        let weighted = try CLI.run(["train", "--config", dir + "/tiny.json", "--data", data, chorales, "--data-weight", "1", "0.5",
                                    "--balance", "sources", "--batch", "8", "--eval-minutes", "0", "--out", dir + "/w", "--steps", "2"])
        #expect(weighted.status == 0, "\(weighted.stderr)")
        #expect(weighted.stderr.contains("balance sources scaled by --data-weight: \(data) 66.7%, \(chorales) 33.3%"), "\(weighted.stderr)")
        let miscounted = try CLI.run(["train"] + common + ["--out", dir + "/w2", "--steps", "2", "--data-weight", "1", "2"])
        #expect(miscounted.status == 64 && miscounted.stderr.contains("one factor per --data path (1 given), not 2"), "\(miscounted.stderr)")
        let refused = try CLI.run(["train"] + common + ["--out", dir + "/m", "--steps", "\(reached + 9)", "--resume", "--max-beta", "0.5"])
        #expect(refused.status == 64 && refused.stderr.contains("to change maxBeta 0.5, continue the model with --init-from \(dir)/m instead"),
                "\(refused.stderr)")
        // eval's JSON has the contract's keys.
        let e = try CLI.run(["eval", "--model", dir + "/m", "--data", data, "--split", "held-out", "--json"])
        #expect(e.status == 0, "\(e.stderr)")
        let j = try CLI.json(e.stdout)
        for key in ["windows", "teacher_forced_accuracy", "sampling_accuracy", "kl", "elbo"] { #expect(j[key] != nil, "missing \(key)") }
        #expect((j["windows"] as? Int ?? 0) > 100)
        // A model given data it cannot read says what it reads; a split outside the set is a usage error.
        let ode = SharedData.packageRoot.appendingPathComponent("Examples/melodies/ode-to-joy.mid").path
        let triple = try CLI.run(["eval", "--model", SharedData.packageRoot.path + "/Models/mel_2bar_triple", "--data", ode])
        #expect(triple.status != 0 && triple.stderr.contains("no windows in \(ode): mel_2bar_triple reads 2 bars of 3/4, 6/8, 3/8 at 12 steps a bar (24 steps)"),
                "\(triple.stderr)")
        let badSplit = try CLI.run(["eval", "--model", dir + "/m", "--data", data, "--split", "test"])
        #expect(badSplit.status == 64 && badSplit.stderr.contains("'all', 'held-out' or 'train'"), "\(badSplit.stderr)")
        for command in [["eval"], ["attributes", "compute"], ["attributes", "matrix"]] {
            let noWindows = try CLI.run(command + ["--model", dir + "/m", "--data", data, "--limit", "0"])
            #expect(noWindows.status == 64 && noWindows.stderr.contains("--limit must be at least 1"), "\(command): \(noWindows.stderr)")
        }
    }

    /// `--precision bfloat16` measures the shipped model within half a point of float32 on real tunes, and an edit
    /// with it still gives more notes; where the CPU lacks AVX-512 BF16 it runs as float32 and says so.
    @Test func bfloat16InferenceKeepsTheModelsAccuracy() throws {
        let dir = try scratchFolder()
        let files = SharedData.files(in: SharedData.folk + "/essenFolksong", 30)
        for path in files { try FileManager.default.copyItem(atPath: path, toPath: dir + "/" + (path as NSString).lastPathComponent) }
        func sampling(_ precision: String) throws -> (Double, String) {
            let r = try CLI.run(["eval", "--data", dir, "--precision", precision, "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            return (try CLI.json(r.stdout)["sampling_accuracy"] as? Double ?? 0, r.stderr)
        }
        let (exact, _) = try sampling("float32"), (rounded, note) = try sampling("bfloat16")
        #expect(exact > 0.9)
        #expect(abs(exact - rounded) <= 0.005, "float32 \(exact), bfloat16 \(rounded)")
        #expect(note.contains("no AVX-512 BF16") == !SIMDKernels.bfloat16, "\(note)")
        let text = try CLI.run(["eval", "--data", dir, "--precision", "bfloat16"])
        #expect(text.stdout.contains("; sampling in bfloat16") == SIMDKernels.bfloat16, "\(text.stdout)")
        let ode = SharedData.packageRoot.appendingPathComponent("Examples/melodies/ode-to-joy.mid").path
        let r = try CLI.run(["edit", ode, "--attribute", "note_density", "--amount", "1", "--precision", "bfloat16", "-o", dir + "/ode.mid"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try NoteSequence(path: dir + "/ode.mid").notes.count >= Int(1.25 * Double(try NoteSequence(path: ode).notes.count)))
        let bad = try CLI.run(["eval", "--data", dir, "--precision", "float16"])
        #expect(bad.status == 64 && bad.stderr.contains("float16"), "\(bad.stderr)")
    }

    /// A 29-byte file whose one note claims to last 2^28 quarters: `edit` and `render` say so and write nothing
    /// (without the limits it would be cut into 33 million windows, or ask for terabytes of audio).
    @Test func aNoteThatLastsForeverIsRefused() throws {
        let dir = try scratchFolder()
        let track: [UInt8] = [0x00, 0x90, 0x3C, 0x40, 0xFF, 0xFF, 0xFF, 0x7F, 0x80, 0x3C, 0x40, 0x00, 0xFF, 0x2F, 0x00]
        let bytes: [UInt8] = Array("MThd".utf8) + [0, 0, 0, 6, 0, 0, 0, 1, 0, 1] + Array("MTrk".utf8) + [0, 0, 0, UInt8(track.count)] + track
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/forever.mid"))
        let edit = try CLI.run(["edit", dir + "/forever.mid", "-o", dir + "/edited.mid", "--attribute", "note_density"])
        #expect(edit.status == 1 && edit.stderr.contains("forever.mid") && edit.stderr.contains("268435455 quarter notes long"), "\(edit.stderr)")
        let render = try CLI.run(["render", dir + "/forever.mid", "-o", dir + "/forever.wav"])
        #expect(render.status == 1 && render.stderr.contains("longer than the 1 h 00 min a render may take"), "\(render.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["forever.mid"])
    }

    /// `interpolate --wav` renders the MIDI files it wrote, each beside itself, and nothing else in the folder: an
    /// older MIDI file there gets no WAV, and the concatenation's WAV lands in all/.
    @Test func interpolateRendersOnlyWhatItWrote() throws {
        let dir = try scratchFolder()
        let examples = SharedData.packageRoot.appendingPathComponent("Examples/melodies").path
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(examples)/twinkle.mid", toPath: "\(dir)/out/older.mid")
        let r = try CLI.run(["interpolate", "\(examples)/ode-to-joy.mid", "\(examples)/twinkle.mid", "--steps", "3", "-o", dir + "/out", "--wav"])
        #expect(r.status == 0, "\(r.stderr)")
        let files = Set(FileManager.default.enumerator(atPath: dir + "/out")!.compactMap { $0 as? String })
        #expect(files.filter { $0.hasSuffix(".wav") }.sorted() == ["01.wav", "02.wav", "03.wav", "all/concatenated.wav"], "\(files.sorted())")
    }

    /// No output replaces an input or another output of the same run: each collision is refused before any work,
    /// with exit code 2, and every file stays as it was.
    @Test func outputsNeverReplaceInputsOrEachOther() throws {
        let dir = try scratchFolder()
        let examples = SharedData.packageRoot.appendingPathComponent("Examples/melodies").path
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/tunes", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/more", withIntermediateDirectories: true)
        for name in ["ode-to-joy", "twinkle", "frere-jacques"] {
            try FileManager.default.copyItem(atPath: "\(examples)/\(name).mid", toPath: "\(dir)/tunes/\(name).mid")
        }
        try FileManager.default.copyItem(atPath: "\(examples)/ode-to-joy.mid", toPath: "\(dir)/in.mid")
        try FileManager.default.copyItem(atPath: "\(examples)/ode-to-joy.mid", toPath: "\(dir)/out/01.mid")
        try FileManager.default.copyItem(atPath: "\(examples)/twinkle.mid", toPath: "\(dir)/out/05.mid")
        try FileManager.default.copyItem(atPath: "\(examples)/twinkle.mid", toPath: "\(dir)/more/ode-to-joy.mid")
        func snapshot() throws -> [String: Data] {
            var files: [String: Data] = [:]
            for f in FileManager.default.enumerator(atPath: dir)!.compactMap({ $0 as? String }) where f.hasSuffix(".mid") {
                files[f] = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + f))
            }
            return files
        }
        try "tunes/ode-to-joy.mid\nmore/ode-to-joy.mid\n".write(toFile: dir + "/both.txt", atomically: true, encoding: .utf8)
        let before = try snapshot()
        let refused: [[String]] = [
            ["edit", "in.mid", "-o", "edited.mid", "--wav", "in.mid", "--attribute", "note_density"],
            ["edit", "in.mid", "-o", "./in.mid", "--attribute", "note_density"],
            ["interpolate", "out/01.mid", "out/05.mid", "-o", "out"],
            ["run", "roundtrip", "tunes", "--set", "output=one.mid"],
            ["edit", "tunes", "-o", "one.mid", "--attribute", "note_density"],
            ["run", "roundtrip", "both.txt", "--set", "output=out/{stem}.mid"],   // two files called ode-to-joy.mid
        ]
        for args in refused {
            let r = try CLI.run(args, cwd: dir)
            #expect(r.status == 2, "\(args.joined(separator: " ")): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("nothing was written"), "\(args.joined(separator: " ")): \(r.stderr)")
        }
        #expect(try snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: dir + "/one.mid") && !FileManager.default.fileExists(atPath: dir + "/edited.mid"))
        // With {stem} a batch writes one file per input.
        let ok = try CLI.run(["run", "roundtrip", "tunes", "--set", "output=out/{stem}.mid"], cwd: dir)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/out").filter { !["01.mid", "05.mid"].contains($0) }.sorted()
                == ["frere-jacques.mid", "ode-to-joy.mid", "twinkle.mid"])
    }

    /// On a song whose melody is the third track, named "Vocal Melody", `edit` finds it, says so, edits it, and
    /// leaves the strummed chords, the bass and the drums note for note.
    @Test func editFindsTheMelodyOfASong() throws {
        let dir = try scratchFolder()
        let tpq = 480
        var notes: [Note] = []
        for bar in 0..<8 {
            let t = bar * 4 * tpq
            for (k, p) in [60, 64, 67, 60, 64, 67].enumerated() {
                notes.append(Note(pitch: p, velocity: 70, start: t + (k / 3) * 2 * tpq + k % 3 * 5, end: t + (k / 3 + 1) * 2 * tpq - 7, track: 0, program: 25, channel: 0))
            }
            notes.append(Note(pitch: 36, velocity: 90, start: t + 3, end: t + 2 * tpq, track: 1, program: 33, channel: 1))
            for k in 0..<4 {
                notes.append(Note(pitch: 67 + (k + bar) % 5, velocity: 100, start: t + k * tpq, end: t + k * tpq + 400, track: 2, program: 73, channel: 2))
                notes.append(Note(pitch: 42, velocity: 60 + k, start: t + k * tpq + 11, end: t + k * tpq + 60, track: 3, channel: 9))
            }
        }
        var song = NoteSequence(ticksPerQuarter: tpq, notes: notes, tempos: [TempoChange(tick: 0, qpm: 96)],
                                timeSignatures: [TimeSignature(tick: 0, numerator: 4, denominator: 4)])
        song.tracks = [TrackInfo(name: "Rhythm Guitar"), TrackInfo(name: "Bass"), TrackInfo(name: "Vocal Melody"), TrackInfo(name: "Drums")]
        song.sortNotes()
        try song.write(to: dir + "/song.mid")
        let r = try CLI.run(["edit", dir + "/song.mid", "-o", dir + "/more.mid", "--attribute", "note_density", "--amount", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("melody: track 2 'Vocal Melody' (named Vocal Melody"), "\(r.stdout)")
        let original = try NoteSequence(path: dir + "/song.mid"), edited = try NoteSequence(path: dir + "/more.mid")
        let fields = { (ns: [Note]) in ns.map { [$0.pitch, $0.velocity, $0.start, $0.end, $0.track, $0.program, $0.channel] } }
        #expect(fields(edited.notes.filter { $0.track != 2 }) == fields(original.notes.filter { $0.track != 2 }))
        #expect(edited.notes.filter { $0.track == 2 }.count > original.notes.filter { $0.track == 2 }.count)
    }

    /// The --stats files of a run split into 3 shards merge into the summary of the unsharded run: the same inputs,
    /// failures, outputs and stage counters.
    @Test func shardStatsMergeIntoTheWholeRun() throws {
        let dir = try scratchFolder()
        let corpus = SharedData.folk + "/miscFolk"
        let whole = try CLI.run(["run", "roundtrip", corpus, "--set", "output=\(dir)/whole/{stem}.mid", "--stats", dir + "/whole.json", "--quiet"])
        #expect(whole.status == 0, "\(whole.stderr)")
        for k in 1...3 {
            let r = try CLI.run(["run", "roundtrip", corpus, "--set", "output=\(dir)/part/{stem}.mid", "--shard", "\(k)/3", "--stats", dir + "/s\(k).json", "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let merged = try CLI.run(["stats", "merge", dir + "/s1.json", dir + "/s2.json", dir + "/s3.json", "-o", dir + "/merged.json"])
        #expect(merged.status == 0 && !merged.stderr.contains("warning"), "\(merged.stderr)")
        // Shards left out are named; shards of different splits are refused.
        let partial = try CLI.run(["stats", "merge", dir + "/s2.json"])
        #expect(partial.status == 0 && partial.stderr.contains("warning: no file for shards 1/3, 3/3: the merge covers 1 of 3 shards"), "\(partial.stderr)")
        let other = try CLI.run(["run", "roundtrip", corpus, "--set", "output=\(dir)/other/{stem}.mid", "--shard", "1/2", "--stats", dir + "/half.json", "--quiet"])
        #expect(other.status == 0, "\(other.stderr)")
        let mixed = try CLI.run(["stats", "merge", dir + "/s2.json", dir + "/half.json"])
        #expect(mixed.status == 1 && mixed.stderr.contains("different splits (of 2, of 3 shards)"), "\(mixed.stderr)")
        let a = try CLI.json(String(contentsOfFile: dir + "/whole.json", encoding: .utf8)), b = try CLI.json(String(contentsOfFile: dir + "/merged.json", encoding: .utf8))
        for key in ["inputs", "failed", "outputs", "pipeline"] { #expect("\(a[key]!)" == "\(b[key]!)", "\(key)") }
        let stages = { (j: [String: Any]) in (j["stages"] as! [[String: Any]]).map { "\($0["stage"]!) \($0["received"]!) \($0["produced"]!) \(($0["dropped"] as! [String: Int]).sorted { $0.key < $1.key })" } }
        #expect(stages(a) == stages(b))
        #expect(a["inputs"] as? Int == 185)
        // A shard given twice is refused.
        let twice = try CLI.run(["stats", "merge", dir + "/s1.json", dir + "/s1.json"])
        #expect(twice.status != 0 && twice.stderr.contains("given twice"))
        // The merged summary never replaces one of the shards' files.
        let shard = try Data(contentsOf: URL(fileURLWithPath: dir + "/s1.json"))
        let ontoInput = try CLI.run(["stats", "merge", dir + "/s1.json", dir + "/s2.json", "-o", dir + "/s1.json"])
        #expect(ontoInput.status == 2 && ontoInput.stderr.contains("is an input of this command"), "\(ontoInput.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/s1.json")) == shard)
    }

    /// A batch stopped part way resumes from its manifest: the inputs it lists are skipped and counted, a line cut
    /// short by the kill does not count, and the outputs in the end are byte for byte those of one whole run.
    /// `--skip-duplicates` runs the first of files with equal bytes only.
    @Test func manifestResumesABatch() throws {
        let dir = try scratchFolder()
        let corpus = SharedData.folk + "/miscFolk"
        let whole = try CLI.run(["run", "roundtrip", corpus, "--set", "output=\(dir)/whole/{stem}.mid", "--skip-duplicates"])
        #expect(whole.status == 0 && whole.stdout.contains("same bytes as an earlier input: 7"), "\(whole.stdout)")
        // "Killed" after half the inputs: shard 1 of 2 done and recorded, then a line cut short.
        let half = try CLI.run(["run", "roundtrip", corpus, "--set", "output=\(dir)/resumed/{stem}.mid", "--shard", "1/2",
                                "--manifest", dir + "/done.txt", "--skip-duplicates"])
        #expect(half.status == 0, "\(half.stderr)")
        let recorded = try String(contentsOfFile: dir + "/done.txt", encoding: .utf8).split(separator: "\n")
        let handle = try #require(FileHandle(forWritingAtPath: dir + "/done.txt"))
        handle.seekToEndOfFile()
        handle.write(Data("americanfifeop".utf8))
        handle.closeFile()
        let rest = try CLI.run(["run", "roundtrip", corpus, "--set", "output=\(dir)/resumed/{stem}.mid", "--manifest", dir + "/done.txt", "--skip-duplicates"])
        #expect(rest.status == 0, "\(rest.stderr)")
        #expect(rest.stdout.contains("done in an earlier run (manifest): \(recorded.count)"), "\(rest.stdout)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/whole").sorted()
        #expect(names.count == 178)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/resumed").sorted() == names)
        for name in names {
            #expect(FileManager.default.contentsEqual(atPath: dir + "/whole/" + name, andPath: dir + "/resumed/" + name), "\(name)")
        }
        let lines = try String(contentsOfFile: dir + "/done.txt", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 178 && !lines.contains("americanfifeop"))
        // The manifest is an output: never one of the inputs.
        let ode = SharedData.packageRoot.appendingPathComponent("Examples/melodies/ode-to-joy.mid").path
        let ontoInput = try CLI.run(["run", "roundtrip", ode, "--set", "output=\(dir)/{stem}.mid", "--manifest", ode])
        #expect(ontoInput.status == 2 && ontoInput.stderr.contains("is an input of this command"), "\(ontoInput.stderr)")
        // A report that cannot be written (its folder is a file) fails the command after the batch's summary and
        // --stats, not instead of them.
        try Data().write(to: URL(fileURLWithPath: dir + "/a-file"))
        let noReport = try CLI.run(["run", "roundtrip", ode, "--set", "output=\(dir)/r/{stem}.mid", "--report", dir + "/a-file", "--stats", dir + "/r.json"])
        #expect(noReport.status == 1 && noReport.stderr.contains("cannot write the report"), "\(noReport.stderr)")
        #expect(noReport.stdout.contains("1 input") && FileManager.default.fileExists(atPath: dir + "/r.json"), "\(noReport.stdout)")
    }

    /// A task stopped by SIGTERM (as a scheduler preempts it) starts no new input, finishes the running ones and
    /// writes its counters with how many it did not start (exit 143); run again with the same manifest it does
    /// only the rest, and `stats merge` of the stopped part and the rerun equals one uninterrupted run, whose
    /// output files are byte for byte the same.
    @Test func stoppedTaskResumesAndMergesExactly() throws {
        let dir = try scratchFolder()
        let corpus = SharedData.folk + "/miscFolk"
        let common = ["run", "more-notes", corpus, "--shard", "1/4", "--skip-duplicates", "--quiet"]
        let whole = try CLI.run(common + ["--set", "output=\(dir)/whole/{stem}.mid", "--stats", dir + "/whole.json"])
        #expect(whole.status == 0, "\(whole.stderr)")
        let task = Process()
        task.executableURL = URL(fileURLWithPath: CLI.executable)
        task.arguments = common + ["--set", "output=\(dir)/array/{stem}.mid", "--stats", dir + "/stopped.json", "--manifest", dir + "/done.txt", "--threads", "1"]
        task.standardOutput = FileHandle.nullDevice
        task.standardError = FileHandle.nullDevice
        try task.run()
        let deadline = Date().addingTimeInterval(60)
        while task.isRunning, Date() < deadline,
              ((try? String(contentsOfFile: dir + "/done.txt", encoding: .utf8))?.split(separator: "\n").count ?? 0) < 4 { usleep(20_000) }
        task.terminate()   // SIGTERM
        task.waitUntilExit()
        #expect(task.terminationStatus == 143)
        let stopped = try CLI.json(String(contentsOfFile: dir + "/stopped.json", encoding: .utf8))
        let notStarted = try #require(stopped["not_started"] as? Int)
        let done = try String(contentsOfFile: dir + "/done.txt", encoding: .utf8).split(separator: "\n").count
        #expect(notStarted > 0 && done >= 4)
        let rerun = try CLI.run(common + ["--set", "output=\(dir)/array/{stem}.mid", "--stats", dir + "/rerun.json", "--manifest", dir + "/done.txt"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let second = try CLI.json(String(contentsOfFile: dir + "/rerun.json", encoding: .utf8))
        #expect((second["skipped"] as? [String: Int])?["done in an earlier run (manifest)"] == done)
        let merged = try CLI.run(["stats", "merge", dir + "/stopped.json", dir + "/rerun.json", "-o", dir + "/merged.json"])
        #expect(merged.status == 0 && merged.stderr.contains("warning: no file for shards 2/4, 3/4, 4/4"), "\(merged.stderr)")
        let a = try CLI.json(String(contentsOfFile: dir + "/whole.json", encoding: .utf8)), b = try CLI.json(String(contentsOfFile: dir + "/merged.json", encoding: .utf8))
        func canonical(_ v: Any?) throws -> String {
            guard let v else { return "-" }
            return String(decoding: try JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
        }
        for key in ["inputs", "failed", "outputs", "skipped", "stages"] { #expect(try canonical(a[key]) == canonical(b[key]), "\(key)") }
        #expect(b["not_started"] == nil)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/whole").sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/array").sorted() == names)
        for name in names { #expect(FileManager.default.contentsEqual(atPath: dir + "/whole/" + name, andPath: dir + "/array/" + name), "\(name)") }
        // --skip-existing resumes too, from the files alone: nothing left to do now.
        let again = try CLI.run(common + ["--set", "output=\(dir)/array/{stem}.mid", "--skip-existing"])
        #expect(again.status == 0 && again.stdout.isEmpty, "\(again.stderr)")
        let json = try CLI.run(Array(common.dropLast()) + ["--set", "output=\(dir)/array/{stem}.mid", "--skip-existing", "--json"])
        #expect((try CLI.json(json.stdout)["skipped"] as? [String: Int])?["outputs already there (--skip-existing)"] == names.count)
        let refused = try CLI.run(["run", "roundtrip", corpus, "--set", "output=\(dir)/x/{stem}-{index}.mid", "--skip-existing"])
        #expect(refused.status != 0 && refused.stderr.contains("--skip-existing"), "\(refused.stderr)")
    }

    /// Examples/cluster/shard.sh as the tasks of a Slurm array (SLURM_ARRAY_TASK_ID 1...4) and of a Kubernetes
    /// indexed Job (JOB_COMPLETION_INDEX 0...3), then merge.sh: the outputs and the merged counters equal one
    /// unsharded run's.
    @Test func clusterScriptsShardAndMerge() throws {
        let dir = try scratchFolder()
        let corpus = SharedData.folk + "/miscFolk"
        let scripts = SharedData.packageRoot.appendingPathComponent("Examples/cluster").path
        func bash(_ args: [String], env: [String: String]) throws -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = args
            p.environment = ProcessInfo.processInfo.environment.merging(env.merging(["MUSICVAE": CLI.executable]) { a, _ in a }) { _, b in b }
            p.currentDirectoryURL = SharedData.packageRoot
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            return p.terminationStatus
        }
        let whole = try CLI.run(["run", "roundtrip", corpus, "--set", "output=\(dir)/whole/{dir}-{stem}.mid", "--skip-duplicates", "--stats", dir + "/whole.json", "--quiet"])
        #expect(whole.status == 0, "\(whole.stderr)")
        let tasks: [(String, [[String: String]])] = [
            ("slurm", (1...4).map { ["SLURM_ARRAY_TASK_ID": "\($0)", "SLURM_ARRAY_TASK_COUNT": "4"] }),
            ("k8s", (0...3).map { ["JOB_COMPLETION_INDEX": "\($0)", "SHARDS": "4"] }),
        ]
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/whole").sorted()
        for (kind, envs) in tasks {
            let out = dir + "/" + kind
            for env in envs { #expect(try bash([scripts + "/shard.sh", "roundtrip", corpus, out], env: env) == 0, "\(kind) \(env)") }
            #expect(try bash([scripts + "/merge.sh", out], env: [:]) == 0)
            let merged = try CLI.json(String(contentsOfFile: out + "/stats/all.json", encoding: .utf8))
            let single = try CLI.json(String(contentsOfFile: dir + "/whole.json", encoding: .utf8))
            #expect(merged["inputs"] as? Int == 185 && merged["outputs"] as? Int == single["outputs"] as? Int)
            #expect("\(merged["skipped"]!)" == "\(single["skipped"]!)")
            let written = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".mid") }.sorted()
            #expect(written == names)
            for name in names { #expect(FileManager.default.contentsEqual(atPath: dir + "/whole/" + name, andPath: out + "/" + name)) }
        }
        // Outside a job array the script says so and exits 64.
        #expect(try bash([scripts + "/shard.sh", "roundtrip", corpus, dir + "/none", "4"], env: [:]) == 64)
    }

    /// `export --codes` writes the windows and codes as .npy arrays with an index: the header's shape and dtype
    /// are numpy's, every window holds melody classes, and the first code is the model's own encoding of the
    /// first window.
    @Test func exportWritesNumpyArrays() throws {
        let dir = try scratchFolder()
        let r = try CLI.run(["export", SharedData.folk + "/miscFolk", "--out", dir, "--codes"])
        #expect(r.status == 0, "\(r.stderr)")
        func array(_ name: String) throws -> (header: String, body: [UInt8]) {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            #expect(Array(bytes[0..<8]) == [0x93] + Array("NUMPY".utf8) + [1, 0])
            let n = Int(bytes[8]) | Int(bytes[9]) << 8
            #expect((10 + n) % 64 == 0)
            return (String(decoding: bytes[10..<(10 + n)], as: UTF8.self), Array(bytes[(10 + n)...]))
        }
        let index = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/index.json"))) as? [[String: Any]])
        let n = index.count
        #expect(n > 1000)
        let w = try array("windows.npy")
        #expect(w.header.hasPrefix("{'descr': '<i4', 'fortran_order': False, 'shape': (\(n), 32), }") && w.body.count == n * 32 * 4)
        let classes = stride(from: 0, to: w.body.count, by: 4).map { Int(Int32(littleEndian: w.body[$0..<($0 + 4)].withUnsafeBytes { $0.loadUnaligned(as: Int32.self) })) }
        #expect(classes.allSatisfy { (0..<90).contains($0) })
        let mu = try array("mu.npy")
        #expect(mu.header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (\(n), 256), }"))
        let first = (0..<256).map { k in Float(bitPattern: UInt32(littleEndian: mu.body[(4 * k)..<(4 * k + 4)].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })) }
        let model = try MusicVAEModel.load(from: SharedData.packageRoot.appendingPathComponent("Models/mel_2bar_small"))
        // A batch of one takes BLAS's matrix-vector path, the export's batches the matrix-matrix one: equal to rounding.
        let again = try model.encode(windows: [Array(classes[0..<32])]).mu[0]
        #expect(zip(again, first).map { abs($0 - $1) }.max()! < 1e-4)
        #expect(index[0]["file"] as? String != nil && index.filter { $0["held_out"] as? Bool == true }.count > 0)
        // `eval --split all` on the export takes every window, held-out ones included.
        let all = try CLI.run(["eval", "--data", dir, "--json"])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(try CLI.json(all.stdout)["windows"] as? Int == n)
        // Exported again without --codes, from other files: the codes of the first export, whose rows were other
        // windows, are removed, not left beside the new windows.
        let again2 = try CLI.run(["export", SharedData.packageRoot.appendingPathComponent("Examples/melodies").path, "--out", dir])
        #expect(again2.status == 0 && again2.stdout.contains("removed \(dir)/mu.npy"), "\(again2.stdout)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/mu.npy") && !FileManager.default.fileExists(atPath: dir + "/sigma.npy"))
        // A damaged index.json is named in the error.
        try Data("{".utf8).write(to: URL(fileURLWithPath: dir + "/index.json"))
        let damaged = try CLI.run(["eval", "--data", dir])
        #expect(damaged.status != 0 && damaged.stderr.contains("\(dir)/index.json: not the index.json of a `musicvae export`"), "\(damaged.stderr)")
    }

    /// `run --json` prints the summary as JSON on standard output: counters per stage and the files written.
    @Test func runPrintsJSON() throws {
        let dir = try scratchFolder()
        let tune = SharedData.packageRoot.appendingPathComponent("Examples/melodies/twinkle.mid").path
        let r = try CLI.run(["run", "roundtrip", tune, "--set", "output=\(dir)/{stem}.mid", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try CLI.json(r.stdout)
        #expect(j["inputs"] as? Int == 1 && j["failed"] as? Int == 0)
        #expect(j["written"] as? [String] == [dir + "/twinkle.mid"])
        #expect((j["stages"] as? [[String: Any]])?.map { $0["stage"] as? String } == ["read-midi", "quantize", "slice-bars", "extract-melody", "join-bars", "write-midi"])
    }

    /// `-` reads the input from standard input and writes the result to standard output: the MIDI that comes out
    /// is the edit of the piped tune (more notes), and the status lines go to standard error.
    @Test func editReadsStandardInputAndWritesStandardOutput() throws {
        let dir = try scratchFolder()
        let tune = SharedData.packageRoot.appendingPathComponent("Examples/melodies/twinkle.mid").path
        let r = try CLI.run(["edit", "-", "--attribute", "note_density", "--amount", "1", "-o", "-"], cwd: dir, stdin: tune)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("wrote"))
        try r.stdoutBytes.write(to: URL(fileURLWithPath: dir + "/piped.mid"))
        let piped = try NoteSequence(path: dir + "/piped.mid"), original = try NoteSequence(path: tune)
        #expect(piped.notes.count > original.notes.count)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["piped.mid"])   // nothing else left here
        let inspect = try CLI.run(["inspect", "-"], stdin: dir + "/piped.mid")
        #expect(inspect.status == 0 && inspect.stdout.contains("\(piped.notes.count) notes"))
    }

    /// A batch render stopped by SIGTERM exits 143 and leaves no temporary file of an unfinished WAV behind.
    @Test func aStoppedRenderLeavesNoTemporaryFiles() throws {
        let dir = try scratchFolder()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.executable)
        p.arguments = ["run", "render", SharedData.chorales, "--set", "output=\(dir)/{stem}.wav", "--threads", "2"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let started = Date()
        while (try FileManager.default.contentsOfDirectory(atPath: dir)).filter({ $0.hasSuffix(".wav") }).count < 3
                && Date().timeIntervalSince(started) < 120 && p.isRunning { usleep(20_000) }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        #expect(p.terminationStatus == 143)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(left.filter { $0.contains(".tmp-") }.isEmpty, "\(left)")
        #expect(left.filter { $0.hasSuffix(".wav") }.count >= 3)
    }

    /// `--amount -1` (a negative number after a space, as the README writes it) is the amount, not an option.
    @Test func negativeAmountsParse() throws {
        let dir = try scratchFolder()
        let ode = SharedData.packageRoot.appendingPathComponent("Examples/melodies/ode-to-joy.mid").path
        let fewer = try CLI.run(["edit", ode, "--attribute", "note_density", "--amount", "-1", "-o", dir + "/fewer.mid"])
        #expect(fewer.status == 0, "\(fewer.stderr)")
        let more = try CLI.run(["edit", ode, "--attribute", "note_density", "--amount", "1", "-o", dir + "/more.mid"])
        #expect(more.status == 0, "\(more.stderr)")
        #expect(try NoteSequence(path: dir + "/fewer.mid").notes.count < NoteSequence(path: dir + "/more.mid").notes.count)
    }

    /// "More notes" reaches jigs and waltzes through the triple-meter member of the default model's family (and
    /// 3/8, 6/4 and 4/2 tunes through the bars they pair or split into), and a 9/8 slip jig, which no model takes,
    /// comes back note for note with the reason named.
    @Test func editReachesJigsAndWaltzes() throws {
        let dir = try scratchFolder()
        func notes(_ path: String) throws -> [Note] { try NoteSequence(path: path).notes }
        func meter(_ path: String) -> String? {
            guard let s = try? NoteSequence(path: path), s.timeSignatures.count == 1 else { return nil }
            return s.timeSignatures[0].description
        }
        let ryans = SharedData.files(in: SharedData.folk + "/ryansMammoth")
        let jig = try #require(ryans.first { meter($0) == "6/8" })
        let slip = try #require(ryans.first { meter($0) == "9/8" })
        let waltz = SharedData.packageRoot.appendingPathComponent("Examples/melodies/scarborough-fair.mid").path
        // Bars that pair or split into a model's: 3/8 in pairs and 6/4 in halves (triple), 4/2 in halves (duple).
        let essen = SharedData.files(in: SharedData.folk + "/essenFolksong")
        let split = try ["3/8", "6/4", "4/2"].map { m in (try #require(essen.first { meter($0) == m }), m.replacingOccurrences(of: "/", with: "-")) }
        for (tune, name) in [(jig, "jig"), (waltz, "waltz")] + split {
            let r = try CLI.run(["edit", tune, "--attribute", "note_density", "--amount", "1", "-o", "\(dir)/\(name).mid"])
            #expect(r.status == 0, "\(r.stderr)")
            let before = try notes(tune).count, after = try notes("\(dir)/\(name).mid").count
            #expect(Double(after) >= 1.25 * Double(before), "\(name): \(before) -> \(after) notes")
        }
        let r = try CLI.run(["edit", slip, "--attribute", "note_density", "--amount", "1", "-o", dir + "/slip.mid"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("passed through unencoded: 9/8 windows of 36 steps, no model for them"), "\(r.stdout)")
        let fields = { (ns: [Note]) in ns.map { [$0.pitch, $0.velocity, $0.start, $0.end, $0.track, $0.channel] } }
        #expect(fields(try notes(dir + "/slip.mid")) == fields(try notes(slip)))
    }

    /// Every edit direction adds notes to Ode to Joy, checked (the default) or not: the disentangled one (the
    /// default), the raw quartile vector and the orthogonal one (unchecked, weaker than raw: note density and pitch
    /// range overlap in this model). A model whose attributes.json predates the directions gets an error that names
    /// the file and both ways out, and `--direction raw` still edits with it; one that predates checked edits, an
    /// error naming `check false`, and `--no-check` still edits with it. `attributes matrix --json` measures what it
    /// says it measured, checked and not.
    @Test func editDirections() throws {
        let dir = try scratchFolder()
        let ode = SharedData.packageRoot.appendingPathComponent("Examples/melodies/ode-to-joy.mid").path
        func count(_ path: String) throws -> Int { try NoteSequence(path: path).notes.count }
        for direction in ["default", "raw", "orthogonal"] {
            let flag = direction == "default" ? [] : ["--direction", direction]
            for check in [true, false] {
                let r = try CLI.run(["edit", ode, "--attribute", "note_density", "-o", "\(dir)/\(direction)-\(check).mid"] + flag
                                    + (check ? [] : ["--no-check"]))
                #expect(r.status == 0, "\(r.stderr)")
            }
        }
        let before = try count(ode), disentangled = try count(dir + "/default-true.mid")
        let raw = try count(dir + "/raw-true.mid"), orthogonal = try count(dir + "/orthogonal-true.mid")
        #expect(disentangled > before + before / 4 && raw > before && orthogonal > before,
                "\(before) notes -> disentangled \(disentangled), raw \(raw), orthogonal \(orthogonal)")
        // The plain steps: the orthogonal one is the weakest (checking lengthens it where that helps).
        let plainSteps = try ["default", "raw", "orthogonal"].map { try count("\(dir)/\($0)-false.mid") }
        #expect(plainSteps.allSatisfy { $0 > before } && plainSteps[2] < plainSteps[1], "\(before) notes -> unchecked \(plainSteps)")

        let old = dir + "/old-model"
        try FileManager.default.copyItem(atPath: SharedData.packageRoot.appendingPathComponent("Models/mel_2bar_small").path, toPath: old)
        let file = URL(fileURLWithPath: old + "/attributes.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        json["directions"] = nil
        try JSONSerialization.data(withJSONObject: json).write(to: file)
        let refused = try CLI.run(["edit", ode, "--attribute", "note_density", "--model", old, "-o", dir + "/old.mid"])
        #expect(refused.status != 0 && refused.stderr.contains(old + "/attributes.json has no disentangled direction for note_density")
                && refused.stderr.contains("musicvae attributes compute") && refused.stderr.contains("direction raw"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/old.mid"))
        let rawOld = try CLI.run(["edit", ode, "--attribute", "note_density", "--model", old, "--direction", "raw", "-o", dir + "/old.mid"])
        #expect(rawOld.status == 0, "\(rawOld.stderr)")
        #expect(try count(dir + "/old.mid") == raw)
        // A file from before checked edits (no spreads) says so; unchecked edits still take it.
        json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: SharedData.packageRoot.path
            + "/Models/mel_2bar_small/attributes.json"))) as? [String: Any])
        json["spreads"] = nil
        try JSONSerialization.data(withJSONObject: json).write(to: file)
        let spreadless = try CLI.run(["edit", ode, "--attribute", "note_density", "--model", old, "-o", dir + "/old-checked.mid"])
        #expect(spreadless.status != 0 && spreadless.stderr.contains(old + "/attributes.json has no spreads")
                && spreadless.stderr.contains("--no-check"), "\(spreadless.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/old-checked.mid"))
        let plain = try CLI.run(["edit", ode, "--attribute", "note_density", "--model", old, "--no-check", "-o", dir + "/old-unchecked.mid"])
        #expect(plain.status == 0, "\(plain.stderr)")

        struct Matrix: Decodable {
            let direction: String, checked: Bool, attributes: [String], standardized_change: [[Double]], kept_as_reconstructed: [Int]
        }
        for check in [true, false] {
            let matrix = try CLI.run(["attributes", "matrix", "--data", ode, "--limit", "8", "--json"] + (check ? [] : ["--no-check"]))
            #expect(matrix.status == 0, "\(matrix.stderr)")
            let m = try JSONDecoder().decode(Matrix.self, from: Data(matrix.stdout.utf8))
            #expect(m.direction == "disentangled" && m.checked == check && m.standardized_change.count == 6
                    && m.standardized_change.allSatisfy { $0.count == 6 } && m.kept_as_reconstructed.count == 6)
            // Ode to Joy's windows are all in its key already: checked, no step makes them more diatonic, and all 8
            // stay as reconstructed; unchecked, nothing is counted.
            #expect(m.kept_as_reconstructed[5] == (check ? 8 : 0), "\(m.kept_as_reconstructed)")
            // More notes along the density direction, on these windows too.
            #expect(m.standardized_change[0][0] > 0.5, "\(m.standardized_change[0])")
        }
    }

    /// `eval --meters` measures bars of meters a model was not trained on as edits feed them to it: a 4/2 tune in
    /// halves under the 16-step model, a 6/4 tune in halves under the triple one; without it they have no windows.
    @Test func evalMeasuresBarsThatSplitIntoTheModel() throws {
        func meter(_ path: String) -> String? {
            guard let s = try? NoteSequence(path: path), s.timeSignatures.count == 1 else { return nil }
            return s.timeSignatures[0].description
        }
        let essen = SharedData.files(in: SharedData.folk + "/essenFolksong")
        let models = SharedData.packageRoot.path + "/Models/"
        for (m, model) in [("4/2", "mel_2bar_small"), ("6/4", "mel_2bar_triple")] {
            let tune = try #require(essen.first { meter($0) == m })
            let trained = try CLI.run(["eval", "--model", models + model, "--data", tune])
            #expect(trained.status != 0 && trained.stderr.contains("no windows in \(tune)"), "\(m): \(trained.stderr)")
            let r = try CLI.run(["eval", "--model", models + model, "--data", tune, "--meters", m, "--json"])
            #expect(r.status == 0, "\(m): \(r.stderr)")
            let j = try CLI.json(r.stdout)
            let windows = j["windows"] as? Int ?? 0, accuracy = j["teacher_forced_accuracy"] as? Double ?? 0
            let floor = j["constant_guess_accuracy"] as? Double ?? 1
            #expect(windows >= 4 && accuracy > floor, "\(m): \(windows) windows, accuracy \(accuracy), floor \(floor)")
        }
        let bad = try CLI.run(["eval", "--data", essen[0], "--meters", "4/3"])
        #expect(bad.status == 64 && bad.stderr.contains("--meters takes time signatures like 4/4 or 6/8, not '4/3'"), "\(bad.stderr)")
    }

    /// A pipeline file is code: where it writes by itself stays inside the working folder unless --allow-outside;
    /// a path the user sets goes where the user said.
    @Test func pipelineFilesWriteInsideTheWorkingFolder() throws {
        let dir = try scratchFolder()
        try FileManager.default.createDirectory(atPath: dir + "/work", withIntermediateDirectories: true)
        let ode = SharedData.packageRoot.appendingPathComponent("Examples/melodies/ode-to-joy.mid").path
        try """
            inputs: [input]
            vars: {output: "../escaped.mid"}
            stages:
              - read-midi: {path: "${input}"}
              - write-midi: {path: "${output}"}

            """.write(toFile: dir + "/work/p.yaml", atomically: true, encoding: .utf8)
        let refused = try CLI.run(["run", "p.yaml", ode], cwd: dir + "/work")
        #expect(refused.status == 2 && refused.stderr.contains("outside the working folder"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/escaped.mid"))
        let allowed = try CLI.run(["run", "p.yaml", ode, "--allow-outside"], cwd: dir + "/work")
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/escaped.mid"))
        let chosen = try CLI.run(["run", "p.yaml", ode, "--set", "output=\(dir)/chosen.mid"], cwd: dir + "/work")
        #expect(chosen.status == 0, "\(chosen.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/chosen.mid"))
    }

    /// `check` does not load a file's plugins (loading runs their code): their stages are named as not checked,
    /// and the rest of the file is checked; `run` loads them (here it cannot: the library is missing).
    @Test func checkLoadsNoPluginCode() throws {
        let dir = try scratchFolder()
        try """
            plugins: [./never-loaded.so]
            stages:
              - read-midi: {path: x.mid}
              - quantize: {}
              - invert: {axis: 60}
              - write-midi: {path: "{stem}-inverted.mid"}

            """.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["check", dir + "/p.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("not checked: invert come from plugins"), "\(r.stdout)")
        try "stages:\n  - read-midi: {path: x.mid}\n  - quantize: {steps_per_quarter: 0}\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["check", dir + "/bad.yaml"]).status == 2)
        let run = try CLI.run(["run", dir + "/p.yaml"], cwd: dir)
        #expect(run.status == 2 && run.stderr.contains("never-loaded.so"), "\(run.stderr)")
    }

    @Test func badArgumentsGiveUsageErrors() throws {
        let r = try CLI.run(["inspect"])
        #expect(r.status == 64)
        let unknown = try CLI.run(["nope", "--help"])
        #expect(unknown.status == 64 && unknown.stderr.contains("unknown command 'nope'"))
        let missing = try CLI.run(["run", "no-such-pipeline"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no-such-pipeline: no such pipeline file"))
        // Limits that are not numbers a limit can be: usage errors, not a crash converting them.
        let ode = SharedData.packageRoot.appendingPathComponent("Examples/melodies/ode-to-joy.mid").path
        for (flag, value) in [("--max-input-mb", "inf"), ("--max-input-mb", "nan"), ("--max-input-mb", "1e300"), ("--max-input-seconds", "nan")] {
            let bad = try CLI.run(["run", "roundtrip", ode, flag, value])
            #expect(bad.status == 64 && bad.stderr.contains(flag), "\(flag) \(value): \(bad.stderr)")
        }
        for (flag, value) in [("--max-upload-mb", "inf"), ("--timeout", "nan")] {
            let bad = try CLI.run(["serve", flag, value])
            #expect(bad.status == 64 && bad.stderr.contains(flag), "\(flag) \(value): \(bad.stderr)")
        }
        // A command's option out of its stage's range is a usage error naming the option, not the bundled YAML.
        let dir = try scratchFolder()
        let twinkle = SharedData.packageRoot.appendingPathComponent("Examples/melodies/twinkle.mid").path
        for (args, message) in [(["sample", "-n", "0", "-o", dir], "-n: 0 is out of range 1...10000"),
                                (["interpolate", ode, twinkle, "--steps", "1", "-o", dir], "--steps: 1 is out of range 2...1000"),
                                (["edit", ode, "--attribute", "note_density", "--amount", "20", "-o", dir + "/e.mid"], "--amount: 20 is out of range -10...10"),
                                (["render", ode, "--format", "32", "-o", dir + "/o.wav"], "--format: expected one of 16, 24, float"),
                                (["run", "roundtrip", ode, "--shard", "3/2"], "--shard takes K/N"),
                                (["run", "roundtrip", ode, "--threads", "0"], "--threads must be 1 or more"),
                                (["sample", "--temperature", "-1", "-o", dir], "--temperature: -1 is out of range 0...10")] {
            let bad = try CLI.run(args)
            #expect(bad.status == 64 && bad.stderr.contains(message) && !bad.stderr.contains(".yaml"), "\(args): \(bad.stderr)")
        }
        // A folder that is not a model, and an attribute the edited model does not have: exit 2, saying what to do.
        let notModel = try CLI.run(["eval", "--model", dir, "--data", ode])
        #expect(notModel.status == 2 && notModel.stderr.contains("\(dir) is not a model folder (no weights_manifest.json); pass --model DIR"),
                "\(notModel.stderr)")
        let drumAttribute = try CLI.run(["edit", ode, "--attribute", "cymbal_share", "-o", dir + "/e.mid"])
        #expect(drumAttribute.status == 2 && drumAttribute.stderr.contains("--attribute cymbal_share is not a melody attribute")
                && drumAttribute.stderr.contains("add --track drums"), "\(drumAttribute.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        // An input that is not there, and a folder with no MIDI files, name the path the user gave (not the bundled
        // YAML's line) and stop before anything runs, instead of "0 inputs" and exit 0.
        let empty = dir + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try Data("# nothing yet\n\n".utf8).write(to: URL(fileURLWithPath: empty + "/none.txt"))
        for (args, message) in [(["run", "roundtrip", empty, "--set", "output=\(dir)/out"], "\(empty): no MIDI files (.mid, .midi, .smf) in this folder"),
                                (["edit", empty, "--attribute", "note_density", "-o", dir + "/out"], "\(empty): no MIDI files (.mid, .midi, .smf) in this folder"),
                                (["run", "roundtrip", empty + "/none.txt", "--set", "output=\(dir)/out/{stem}.mid"], "\(empty)/none.txt: the list names no files"),
                                (["edit", dir + "/nope.mid", "--attribute", "note_density", "-o", dir + "/e.mid"], "\(dir)/nope.mid: no such file or folder")] {
            let bad = try CLI.run(args)
            #expect(bad.status == 2 && bad.stderr.contains("Error: " + message) && !bad.stderr.contains(".yaml"), "\(args): \(bad.stderr)")
        }
        let emptyData = try CLI.run(["eval", "--data", empty])
        #expect(emptyData.status == 1 && emptyData.stderr.contains("Error: \(empty): no MIDI files") && !emptyData.stderr.contains("stage"),
                "\(emptyData.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["empty"])
        // eval names the files it could not read, and says so when they leave no windows.
        try Data("not midi".utf8).write(to: URL(fileURLWithPath: dir + "/../bad.mid"))
        let unread = try CLI.run(["eval", "--data", dir + "/../bad.mid"])
        #expect(unread.status == 1 && unread.stderr.contains("failed: \(dir)/../bad.mid:") && unread.stderr.contains("1 of 1 files could not be read"),
                "\(unread.stderr)")
    }
}
