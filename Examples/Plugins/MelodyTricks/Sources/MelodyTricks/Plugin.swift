// Two stages for musicvae, as a run-time plugin:
//   invert      mirror every pitched note around an axis pitch (melodic inversion)
//   retrograde  play the notes backwards (each note keeps its length)
// Values arrive and leave as JSON (musicvae's PluginCodec format); nothing here depends on musicvae.
import Foundation

#if canImport(Glibc)
import Glibc
#endif

// Written once, read only: safe to share.
nonisolated(unsafe) private let manifest: UnsafeMutablePointer<CChar> = strdup("""
    {"stages": [
      {"name": "invert", "summary": "mirror pitched notes around an axis pitch (melodic inversion)",
       "accepts": "NoteSequence", "output": "NoteSequence",
       "parameters": [{"name": "axis", "type": "int", "default": 60, "min": 0, "max": 127, "doc": "the pitch that stays put"}]},
      {"name": "retrograde", "summary": "play the notes backwards, each keeping its length",
       "accepts": "NoteSequence", "output": "NoteSequence", "parameters": []}
    ]}
    """)!

@_cdecl("musicvae_plugin_abi_version")
public func abiVersion() -> Int32 { 1 }

@_cdecl("musicvae_plugin_manifest")
public func pluginManifest() -> UnsafePointer<CChar>? { UnsafePointer(manifest) }

@_cdecl("musicvae_plugin_free")
public func pluginFree(_ p: UnsafeMutablePointer<CChar>?) { free(p) }

@_cdecl("musicvae_plugin_process")
public func pluginProcess(_ stage: UnsafePointer<CChar>, _ parameters: UnsafePointer<CChar>,
                          _ input: UnsafePointer<CChar>) -> UnsafeMutablePointer<CChar>? {
    let reply: Any
    do {
        reply = try process(String(cString: stage), parameters: json(String(cString: parameters)), input: json(String(cString: input)))
    } catch {
        reply = ["error": "\(error)"]
    }
    let data = (try? JSONSerialization.data(withJSONObject: reply)) ?? Data("{\"error\": \"cannot encode reply\"}".utf8)
    return strdup(String(decoding: data, as: UTF8.self))
}

struct PluginError: Error, CustomStringConvertible {
    let description: String
}

func json(_ text: String) throws -> [String: Any] {
    guard let o = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { throw PluginError(description: "expected a JSON object") }
    return o
}

/// A note is [pitch, velocity, start, end, track, program, channel, is_drum].
func process(_ stage: String, parameters: [String: Any], input: [String: Any]) throws -> Any {
    guard var notes = input["notes"] as? [[Int]] else { throw PluginError(description: "input has no notes") }
    var out = input
    var dropped: [String: Int] = [:]
    switch stage {
    case "invert":
        let axis = parameters["axis"] as? Int ?? 60
        notes = notes.compactMap { n in
            guard n.count >= 8, n[7] == 0 else { return n }            // drums stay
            var m = n
            m[0] = 2 * axis - n[0]
            if !(0...127).contains(m[0]) { dropped["inverted out of MIDI range", default: 0] += 1; return nil }
            return m
        }
    case "retrograde":
        let end = notes.map { $0[3] }.max() ?? 0
        notes = notes.map { n in
            var m = n
            m[2] = end - n[3]
            m[3] = end - n[2]
            return m
        }.sorted { $0[2] < $1[2] }
    default:
        throw PluginError(description: "unknown stage \(stage)")
    }
    out["notes"] = notes
    return ["values": [out], "dropped": dropped]
}
