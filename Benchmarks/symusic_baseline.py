#!/usr/bin/env python3
"""Same-run baseline for midi-bench: symusic (C++ MIDI library, Python binding) reading the same files.

    pip install symusic && python3 Benchmarks/symusic_baseline.py ../shared/corpus/folk
Prints files/s and notes/s (best of 3), single thread. Like with like: midi-bench's `sequence` phase is the same
in-process loop on our side (read each file into a score and count its notes), timed the same way.
"""
import os
import sys
import time

import symusic

root = sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus/folk"
paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.lower().endswith((".mid", ".midi")))
best = float("inf")
notes = 0
for _ in range(3):
    t = time.perf_counter()
    n = 0
    for p in paths:
        try:
            s = symusic.Score(p)
            n += sum(len(tr.notes) for tr in s.tracks)
        except Exception:
            pass
    best = min(best, time.perf_counter() - t)
    notes = n
print(f"symusic {symusic.__version__}: {len(paths)} files in {best:.3f} s = {len(paths) / best:.0f} files/s, {notes / best / 1e6:.2f} M notes/s ({notes} notes)")
