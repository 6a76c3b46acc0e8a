import Foundation

/// A thread-safe map that keeps at most `capacity` entries, dropping the oldest first: the explorer's plans (per
/// slider state), renders (per MIDI bytes) and pieces' codes.
final class BoundedCache<Key: Hashable, Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Key: Value] = [:]
    private var order: [Key] = []
    /// Most entries kept.
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// The value under `key`, if kept.
    subscript(key: Key) -> Value? {
        lock.lock()
        defer { lock.unlock() }
        return values[key]
    }

    /// Keeps `value` under `key` unless one is there already (two threads that computed it both keep the first).
    func keep(_ value: Value, for key: Key) {
        lock.lock()
        defer { lock.unlock() }
        guard values[key] == nil else { return }
        values[key] = value
        order.append(key)
        if order.count > capacity { values[order.removeFirst()] = nil }
    }

    /// The value under `key`, made by `make` (outside the lock) and kept when it was not there.
    func value(for key: Key, _ make: () throws -> Value) rethrows -> Value {
        if let hit = self[key] { return hit }
        let made = try make()
        keep(made, for: key)
        return made
    }
}
