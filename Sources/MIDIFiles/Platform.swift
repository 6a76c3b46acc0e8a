// The one place that names the C library: Glibc on Linux, Darwin on Apple platforms. Every file of the package
// that calls it (open, write, rename, unlink, pthread, signals) gets it from here through `import MIDIFiles`.
#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Darwin)
@_exported import Darwin
#endif

/// write(2), by a name no method shadows (a type's own `write` would hide the C function).
@inlinable
public func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
