import Foundation
import MusicVAE
#if canImport(Glibc)
import Glibc
#endif

/// The ranks of an `mpirun` launch as a data-parallel group, through Open MPI loaded at run time (`dlopen` of
/// libmpi.so.40): the plain `musicvae` needs no MPI to build or to run, and a machine without Open MPI only
/// loses `mpirun` launches (with a message saying what to install). All-reduce is MPI_Allreduce(MPI_IN_PLACE,
/// MPI_SUM) on MPI_COMM_WORLD, one call per buffer.
public final class MPIGroup: DataParallelGroup {
    /// This rank.
    public let rank: Int
    /// Ranks in MPI_COMM_WORLD.
    public let size: Int
    private let library: UnsafeMutableRawPointer
    private let allreduce: Allreduce
    private let finalize: @convention(c) () -> Int32
    private let world, float, double, sumOp: UnsafeMutableRawPointer

    // int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype, MPI_Op, MPI_Comm)
    private typealias Allreduce = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32,
                                                  UnsafeMutableRawPointer, UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Int32
    /// Open MPI's MPI_IN_PLACE, ((void *) 1).
    private static var inPlace: UnsafeRawPointer? { UnsafeRawPointer(bitPattern: 1) }
    /// The library names tried, newest ABI first.
    static let libraries = ["libmpi.so.40", "libmpi.so"]

    /// Why MPI could not be used.
    public struct Unavailable: Error, CustomStringConvertible {
        /// The message.
        public let description: String
    }

    /// Loads Open MPI and joins MPI_COMM_WORLD (MPI_Init).
    public init() throws {
        // RTLD_GLOBAL: Open MPI's own plugins resolve libmpi's symbols from the global scope.
        guard let handle = Self.libraries.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_GLOBAL) }).first else {
            throw Unavailable(description: "launched by mpirun, but Open MPI's library (libmpi.so.40) cannot be loaded: "
                + String(cString: dlerror()) + " (Debian: apt-get install openmpi-bin libopenmpi-dev)")
        }
        func symbol(_ name: String) throws -> UnsafeMutableRawPointer {
            guard let p = dlsym(handle, name) else { throw Unavailable(description: "libmpi has no \(name): not Open MPI?") }
            return p
        }
        library = handle
        typealias Init = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32
        typealias CommQuery = @convention(c) (UnsafeMutableRawPointer, UnsafeMutablePointer<Int32>) -> Int32
        let initialize = unsafeBitCast(try symbol("MPI_Init"), to: Init.self)
        let commRank = unsafeBitCast(try symbol("MPI_Comm_rank"), to: CommQuery.self)
        let commSize = unsafeBitCast(try symbol("MPI_Comm_size"), to: CommQuery.self)
        allreduce = unsafeBitCast(try symbol("MPI_Allreduce"), to: Allreduce.self)
        finalize = unsafeBitCast(try symbol("MPI_Finalize"), to: (@convention(c) () -> Int32).self)
        // Open MPI's predefined handles are the addresses of these globals.
        world = try symbol("ompi_mpi_comm_world")
        float = try symbol("ompi_mpi_float")
        double = try symbol("ompi_mpi_double")
        sumOp = try symbol("ompi_mpi_op_sum")
        guard initialize(nil, nil) == 0 else { throw Unavailable(description: "MPI_Init failed") }
        var r: Int32 = 0, n: Int32 = 0
        _ = commRank(world, &r)
        _ = commSize(world, &n)
        rank = Int(r)
        size = Int(n)
    }

    /// Sums floats across the ranks, in place (in pieces of at most 2^30, MPI's count being an int).
    public func sum(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        reduce(UnsafeMutableRawPointer(buffer), count: count, stride: 4, type: float)
    }

    /// Sums doubles across the ranks, in place.
    public func sum(_ buffer: UnsafeMutablePointer<Double>, count: Int) {
        reduce(UnsafeMutableRawPointer(buffer), count: count, stride: 8, type: double)
    }

    /// Seconds spent in MPI_Allreduce of buffers over 1 MB (the gradients), and how many such calls.
    public private(set) var gradientReduce: (seconds: Double, calls: Int) = (0, 0)

    private func reduce(_ buffer: UnsafeMutableRawPointer, count: Int, stride: Int, type: UnsafeMutableRawPointer) {
        let started = count * stride > 1 << 20 ? DispatchTime.now().uptimeNanoseconds : nil
        defer {
            if let started {
                gradientReduce.seconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                gradientReduce.calls += 1
            }
        }
        var done = 0
        while done < count {
            let n = min(count - done, 1 << 30)
            let rc = allreduce(Self.inPlace, buffer + done * stride, Int32(n), type, sumOp, world)
            precondition(rc == 0, "MPI_Allreduce failed (\(rc))")
            done += n
        }
    }

    /// Leaves MPI (MPI_Finalize); call once, after the last reduction.
    public func finish() { _ = finalize() }

    /// The rank and size `mpirun` (Open MPI) announces in a process's environment, if it launched this one.
    public static func launch(environment: [String: String]) -> (rank: Int, size: Int)? {
        guard let size = environment["OMPI_COMM_WORLD_SIZE"].flatMap(Int.init), let rank = environment["OMPI_COMM_WORLD_RANK"].flatMap(Int.init) else { return nil }
        return (rank, size)
    }
}
