import Foundation
import MIDIFiles

/// A `.npy` file this reader cannot take, and why.
public struct NumpyFileError: Error, CustomStringConvertible {
    /// The file.
    public var path: String
    /// What is wrong.
    public var reason: String
    /// A one-line message.
    public var description: String { "\(path): \(reason)" }
}

/// Arrays in NumPy's `.npy` format (version 1.0): what `np.load` reads. A header ("\\x93NUMPY", version, a
/// Python dict of dtype, order and shape, padded to 64 bytes), then the values, little-endian, row after row.
public enum NumpyFile {
    /// Writes a [rows, columns] array of 32-bit integers (`<i4`), atomically.
    public static func write(int32 rows: [[Int]], columns: Int, to path: String) throws {
        var data = header(descr: "<i4", rows: rows.count, columns: columns)
        data.reserveCapacity(data.count + rows.count * columns * 4)
        for row in rows {
            precondition(row.count == columns, "every row has \(columns) columns")
            for v in row { withUnsafeBytes(of: Int32(v).littleEndian) { data += $0 } }
        }
        try writeFileAtomically(data, to: path)
    }

    /// Writes a [rows, columns] array of 32-bit floats (`<f4`), atomically.
    public static func write(float32 rows: [[Float]], columns: Int, to path: String) throws {
        var data = header(descr: "<f4", rows: rows.count, columns: columns)
        data.reserveCapacity(data.count + rows.count * columns * 4)
        for row in rows {
            precondition(row.count == columns, "every row has \(columns) columns")
            for v in row { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
        }
        try writeFileAtomically(data, to: path)
    }

    /// Reads a 2-D array of 32-bit integers (`<i4`, C order) as written by `write(int32:)`: its rows.
    public static func readInt32(_ path: String) throws -> [[Int]] {
        let bytes = try readFileBytes(path: path)
        func fail(_ why: String) -> Error { NumpyFileError(path: path, reason: why) }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8), bytes[6] == 1 else { throw fail("not a .npy 1.x file") }
        let n = Int(bytes[8]) | Int(bytes[9]) << 8
        guard bytes.count >= 10 + n else { throw fail("header cut short") }
        let header = String(decoding: bytes[10..<(10 + n)], as: UTF8.self)
        guard header.contains("'descr': '<i4'"), header.contains("'fortran_order': False"),
              let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw fail("not a C-order int32 array")
        }
        let dims = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard dims.count == 2 else { throw fail("not a 2-D array") }
        let (rows, columns) = (dims[0], dims[1])
        let body = 10 + n
        guard rows >= 0, columns > 0 else { throw fail("shape (\(rows), \(columns)) has no windows of positive length") }
        let (cells, cellsOverflow) = rows.multipliedReportingOverflow(by: columns)
        let (size, sizeOverflow) = cells.multipliedReportingOverflow(by: 4)
        guard !cellsOverflow, !sizeOverflow, bytes.count - body == size else {
            throw fail("\(bytes.count - body) data bytes for a \(rows) x \(columns) array")
        }
        return (0..<rows).map { r in
            (0..<columns).map { c in
                let o = body + (r * columns + c) * 4
                return Int(Int32(bitPattern: UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24))
            }
        }
    }

    /// The magic, version 1.0, and the header dict padded with spaces to a multiple of 64 bytes, ending in "\\n".
    static func header(descr: String, rows: Int, columns: Int) -> [UInt8] {
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let fixed = 10   // magic (6), version (2), header length (2)
        let total = (fixed + dict.utf8.count + 1 + 63) / 64 * 64
        dict += String(repeating: " ", count: total - fixed - dict.utf8.count - 1) + "\n"
        let n = UInt16(dict.utf8.count)
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(dict.utf8)
    }
}
