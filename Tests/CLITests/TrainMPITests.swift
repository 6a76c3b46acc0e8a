import Foundation
import Testing
import TestSupport

/// Data-parallel training under Open MPI: `mpirun -np 2 --oversubscribe musicvae train` follows the loss curve
/// of one process with the same seed and global batch, and ends with the same weights, to float tolerance.
/// Skipped, saying so, where `mpirun` is not installed (`make setup` installs Open MPI; CI runs it).
@Suite(.serialized) struct TrainMPITests {
    static let mpirun = Browser.find(["mpirun"])

    @Test(.enabled(if: mpirun != nil, "Open MPI's mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev)"))
    func twoRanksMatchOneProcess() throws {
        let dir = try scratchFolder()
        let common = ["train", "--config", "mel_2bar_small", "--data", SharedData.folk + "/miscFolk", "--steps", "12", "--batch", "32",
                      "--eval-minutes", "0", "--seed", "3"]
        let one = try CLI.run(common + ["--out", dir + "/one", "--loss-log", dir + "/one.csv"])
        #expect(one.status == 0, "\(one.stderr)")
        let mpi = Process()
        mpi.executableURL = URL(fileURLWithPath: Self.mpirun!)
        mpi.arguments = ["-np", "2", "--oversubscribe", CLI.executable] + common + ["--out", dir + "/two", "--loss-log", dir + "/two.csv"]
        var environment = ProcessInfo.processInfo.environment
        // CI runs as root, which Open MPI refuses unless told twice.
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        mpi.environment = environment
        let err = Pipe()
        mpi.standardError = err
        mpi.standardOutput = FileHandle.nullDevice
        try mpi.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        mpi.waitUntilExit()
        #expect(mpi.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("data-parallel: 2 MPI ranks, 16-16 windows each of every batch of 32"), "\(stderr)")
        #expect(stderr.components(separatedBy: "data:").count == 2, "only rank 0 talks")

        func rows(_ path: String) throws -> [[Double]] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
        }
        let a = try rows(dir + "/one.csv"), b = try rows(dir + "/two.csv")
        #expect(a.count == 12 && b.count == 12)
        for (x, y) in zip(a, b) {
            #expect(x[0] == y[0])
            for k in 1...4 { #expect(abs(x[k] - y[k]) <= 1e-4 * max(1, abs(x[k])), "step \(Int(x[0])) column \(k): \(x[k]) vs \(y[k])") }
        }
        // The weights both wrote (rank 0 only) agree to float tolerance.
        func weights(_ folder: String) throws -> [Float] {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("group1-shard") }.sorted()
            return try names.flatMap { name -> [Float] in
                let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
                return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            }
        }
        let wa = try weights(dir + "/one"), wb = try weights(dir + "/two")
        #expect(wa.count == wb.count && wa.count > 4_000_000)
        let worst = zip(wa, wb).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-4, "largest weight difference \(worst)")
    }
}
