/// An owned, zero-initialised, fixed-size block of Floats (llm.c-style activation memory).
///
/// Not `Sendable`: a buffer belongs to one workspace used by one thread at a time.
public final class FloatBuffer {
    /// The number of Floats.
    public let count: Int
    /// The first element; valid for `count` elements for the buffer's lifetime.
    public let pointer: UnsafeMutablePointer<Float>

    /// Allocates `count` zeroed Floats (64-byte aligned).
    public init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    /// Sets every element to zero.
    public func zero() { pointer.update(repeating: 0, count: count) }

    /// A copy of the contents as an array.
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// A bump allocator handing out sub-ranges of one big FloatBuffer (all memory reserved up front).
public struct Arena {
    /// The backing storage.
    public let buffer: FloatBuffer
    /// Floats handed out so far.
    public private(set) var used = 0

    /// An arena with room for `capacity` Floats.
    public init(capacity: Int) { buffer = FloatBuffer(count: capacity) }

    /// The next `count` Floats, 16-float (64-byte) aligned; traps when the arena is full.
    public mutating func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let start = (used + 15) & ~15
        precondition(start + count <= buffer.count, "Arena overflow: need \(start + count), have \(buffer.count)")
        used = start + count
        return buffer.pointer + start
    }

    /// The Floats needed to hand out blocks of the given sizes (alignment padding included).
    public static func capacity(for counts: [Int]) -> Int {
        counts.reduce(0) { (($0 + 15) & ~15) + $1 } + 16
    }
}
