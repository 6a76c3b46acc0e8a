/// The temporary files of atomic writes in progress, so that a process stopped by a signal can remove them
/// (`removeAll()` is async-signal-safe: it only reads fixed buffers and calls `unlink`). Without this, a WAV
/// render killed while writing would leave its hidden temporary file (tens of megabytes) behind.
public enum TemporaryFiles {
    /// Writes that can be in progress at once (more are not tracked, and then not removed on a signal).
    static let slots = 64
    /// Longest path tracked, in bytes with the terminating zero.
    static let width = 4096
    nonisolated(unsafe) static let paths: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: slots * width)
        p.initialize(repeating: 0, count: slots * width)
        return p
    }()
    nonisolated(unsafe) static var mutex = pthread_mutex_t()
    static let mutexReady: Bool = { pthread_mutex_init(&mutex, nil); return true }()

    /// Tracks `path` until `forget`; returns its slot (nil when none is free or the path is too long).
    public static func track(_ path: String) -> Int? {
        let bytes = Array(path.utf8)
        guard bytes.count < width, mutexReady else { return nil }
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        for slot in 0..<slots where paths[slot * width] == 0 {
            for (i, b) in bytes.enumerated() { paths[slot * width + i] = CChar(bitPattern: b) }
            paths[slot * width + bytes.count] = 0
            return slot
        }
        return nil
    }

    /// Stops tracking the file of `slot` (it was renamed into place or removed).
    public static func forget(_ slot: Int?) {
        guard let slot else { return }
        pthread_mutex_lock(&mutex)
        paths[slot * width] = 0
        pthread_mutex_unlock(&mutex)
    }

    /// Removes every tracked file. Safe inside a signal handler (no locks, no allocation).
    public static func removeAll() { removeAll(under: nil) }

    /// Removes the tracked files whose path starts with `prefix` (every one when nil), as `removeAll` does. The
    /// tests remove only their own folder's: removing every tracked file would delete the temporary files of
    /// writes that tests running beside them have in progress.
    static func removeAll(under prefix: UnsafePointer<CChar>?) {
        let length = prefix.map { strlen($0) } ?? 0
        for slot in 0..<slots where paths[slot * width] != 0 {
            if let prefix, strncmp(paths + slot * width, prefix, length) != 0 { continue }
            unlink(paths + slot * width)
        }
    }

    /// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove the tracked files and exit with 128 + the
    /// signal's number (130 for Ctrl-C, 143 for SIGTERM), as a shell reports a process killed by it.
    public static func removeOnSignals() {
        _ = mutexReady
        var set = sigset_t()
        sigemptyset(&set)
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { s in
                TemporaryFiles.removeAll()
                _exit(128 + s)
            }
            sigaddset(&set, sig)
        }
        // A parent may have started us with these signals blocked (test runners do); they must still arrive.
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
