import Foundation
import NeuralNet

/// Reader and writer for the magenta.js / tensorflowjs weights layout: a folder holding
/// `weights_manifest.json` (groups of shard paths and weight entries) and binary shards
/// `group<g>-shard<i>of<n>` whose concatenation holds the tensors back to back, little-endian.
public enum TFJSCheckpoint {
    /// Quantization of one weight (`quantization` in the manifest).
    public struct Quantization: Codable, Sendable, Equatable {
        /// Offset added after scaling (uint8 / uint16).
        public var min: Double?
        /// Scale of one quantization step (uint8 / uint16).
        public var scale: Double?
        /// "uint8", "uint16" or "float16".
        public var dtype: String
    }

    /// One weight entry of the manifest.
    public struct Entry: Codable, Sendable, Equatable {
        /// Variable name.
        public var name: String
        /// Shape, outermost first.
        public var shape: [Int]
        /// Logical dtype ("float32").
        public var dtype: String
        /// Storage quantization, if any.
        public var quantization: Quantization?
    }

    /// One group of the manifest: shard files and the weights they hold.
    public struct Group: Codable, Sendable, Equatable {
        /// Shard file names, in concatenation order.
        public var paths: [String]
        /// Entries, in storage order.
        public var weights: [Entry]
    }

    /// The manifest file name.
    public static let manifestName = "weights_manifest.json"

    /// Reads every weight of the checkpoint folder, in manifest order.
    public static func readWeights(from dir: URL) throws -> [(name: String, tensor: Tensor)] {
        let manifestURL = dir.appendingPathComponent(manifestName)
        let data: Data
        do { data = try Data(contentsOf: manifestURL) } catch {
            throw MusicVAEError.badCheckpoint("cannot read \(manifestURL.path)")
        }
        let groups: [Group]
        do { groups = try JSONDecoder().decode([Group].self, from: data) } catch {
            throw MusicVAEError.badCheckpoint("malformed \(manifestName): \(error)")
        }
        var out: [(String, Tensor)] = []
        for g in groups {
            var bytes = Data()
            for p in g.paths {
                guard !p.hasPrefix("/") && !p.contains("..") else { throw MusicVAEError.badCheckpoint("shard path \(p) leaves the folder") }
                do { bytes.append(try Data(contentsOf: dir.appendingPathComponent(p))) } catch {
                    throw MusicVAEError.badCheckpoint("cannot read shard \(p)")
                }
            }
            var offset = 0
            try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                for e in g.weights {
                    guard e.shape.allSatisfy({ $0 >= 0 }) else { throw MusicVAEError.badCheckpoint("negative dim in \(e.name)") }
                    let n = e.shape.reduce(1, *)
                    guard e.dtype == "float32" else { throw MusicVAEError.unsupportedDType("\(e.dtype) (\(e.name))") }
                    let width: Int
                    switch e.quantization?.dtype {
                    case nil: width = 4
                    case "uint8": width = 1
                    case "uint16", "float16": width = 2
                    case let q?: throw MusicVAEError.unsupportedDType("quantization \(q) (\(e.name))")
                    }
                    guard offset + n * width <= raw.count else {
                        throw MusicVAEError.badCheckpoint("shards end inside \(e.name) (need \(offset + n * width) bytes, have \(raw.count))")
                    }
                    var values = [Float](repeating: 0, count: n)
                    switch e.quantization?.dtype {
                    case nil:
                        for i in 0..<n {
                            values[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * i, as: UInt32.self)))
                        }
                    case "uint8", "uint16":
                        guard let mn = e.quantization?.min, let sc = e.quantization?.scale else {
                            throw MusicVAEError.badCheckpoint("quantized \(e.name) lacks min/scale")
                        }
                        for i in 0..<n {
                            let q = width == 1 ? Double(raw[offset + i])
                                : Double(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 2 * i, as: UInt16.self)))
                            values[i] = Float(q * sc + mn)
                        }
                    default:  // float16
                        for i in 0..<n {
                            values[i] = halfToFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 2 * i, as: UInt16.self)))
                        }
                    }
                    offset += n * width
                    if let bad = values.firstIndex(where: { !$0.isFinite }) {
                        throw MusicVAEError.badCheckpoint("\(dir.path): weight '\(e.name)' holds \(values[bad]) at index \(bad): the model is damaged (a diverged training run?)")
                    }
                    out.append((e.name, try Tensor(shape: e.shape, data: values)))
                }
            }
            if offset != bytes.count {
                throw MusicVAEError.badCheckpoint("group holds \(bytes.count) bytes, manifest describes \(offset)")
            }
        }
        return out
    }

    /// Writes float32 weights as one group of shards of at most `shardBytes` bytes, plus the
    /// manifest and `extraFiles` (e.g. "config.json"), atomically: everything is written to a
    /// temporary sibling folder that then replaces `dir`. Files already in `dir` that are not
    /// part of a checkpoint (not the manifest, a shard, an extra file, or one of `ownedFiles`) are carried over.
    public static func writeWeights(_ weights: [(name: String, tensor: Tensor)], to dir: URL,
                                    shardBytes: Int = 4 * 1024 * 1024, extraFiles: [String: Data] = [:],
                                    ownedFiles: Set<String> = []) throws {
        precondition(shardBytes > 0)
        var bytes = Data(capacity: weights.reduce(0) { $0 + 4 * $1.tensor.count })
        var entries: [Entry] = []
        for (name, t) in weights {
            entries.append(Entry(name: name, shape: t.shape, dtype: "float32", quantization: nil))
            t.data.withUnsafeBufferPointer { p in
                for v in p { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            }
        }
        let n = max(1, (bytes.count + shardBytes - 1) / shardBytes)
        let paths = (1...n).map { "group1-shard\($0)of\(n)" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]  // the same weights write the same manifest: weights commits diff only the shards
        let manifest = try encoder.encode([Group(paths: paths, weights: entries)])

        let fm = FileManager.default
        let parent = dir.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        let tmp = parent.appendingPathComponent(".\(dir.lastPathComponent).tmp-\(UUID().uuidString)")
        try fm.createDirectory(at: tmp, withIntermediateDirectories: false)
        do {
            for (i, p) in paths.enumerated() {
                let lo = i * shardBytes, hi = min(bytes.count, lo + shardBytes)
                try bytes.subdata(in: lo..<hi).write(to: tmp.appendingPathComponent(p))
            }
            for (name, data) in extraFiles { try data.write(to: tmp.appendingPathComponent(name)) }
            try manifest.write(to: tmp.appendingPathComponent(manifestName))
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: dir.path, isDirectory: &isDir) {
                guard isDir.boolValue else { throw MusicVAEError.badCheckpoint("\(dir.path) exists and is not a folder") }
                // Keep unrelated files (model card, attributes, ...) of the old folder.
                for f in try fm.contentsOfDirectory(atPath: dir.path)
                where f != manifestName && extraFiles[f] == nil && !ownedFiles.contains(f) && !isShardName(f) {
                    try fm.copyItem(at: dir.appendingPathComponent(f), to: tmp.appendingPathComponent(f))
                }
                let old = parent.appendingPathComponent(".\(dir.lastPathComponent).old-\(UUID().uuidString)")
                try fm.moveItem(at: dir, to: old)
                try fm.moveItem(at: tmp, to: dir)
                try? fm.removeItem(at: old)
            } else {
                try fm.moveItem(at: tmp, to: dir)
            }
        } catch {
            try? fm.removeItem(at: tmp)
            throw error
        }
    }

    /// Whether a file name looks like a tfjs shard (`group<g>-shard<i>of<n>`).
    static func isShardName(_ f: String) -> Bool {
        f.hasPrefix("group") && f.contains("-shard") && f.contains("of")
    }

    /// IEEE 754 binary16 → Float.
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exp = Int((h >> 10) & 0x1F)
        let frac = UInt32(h & 0x3FF)
        if exp == 0 {
            let v = Float(frac) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -v : v
        }
        if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (frac << 13)) }
        return Float(bitPattern: sign | UInt32(exp + 112) << 23 | (frac << 13))
    }
}
