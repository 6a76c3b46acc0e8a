import Foundation

/// The signal (SIGINT or SIGTERM) that asked a long command (train, run) to finish what it is doing and stop; 0
/// while none has.
nonisolated(unsafe) var interruptRequested: sig_atomic_t = 0

/// SIGINT and SIGTERM ask the command to stop at its next safe point (training saves; a batch starts no new
/// input); the handler only records the signal, so a second one while saving changes nothing.
func installStopSignals() {
    for sig in [SIGINT, SIGTERM] {
        signal(sig) { s in
            if interruptRequested == 0 { interruptRequested = s }
        }
    }
    // A parent may have started us with the signals blocked (test runners do); they must still reach the handler.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
}
