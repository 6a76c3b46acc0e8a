import Foundation
import MIDIFiles

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
