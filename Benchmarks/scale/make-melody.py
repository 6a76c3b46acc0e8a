#!/usr/bin/env python3
"""Writes a one-track 4/4 melody of N notes as a Standard MIDI File (format 0, 480 ticks per quarter): eighth and
sixteenth notes walking a C major scale, with humanized onsets (a few ticks early or late). Usage:
make-melody.py N OUT.mid"""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from smf import format0, vlq  # noqa: E402

def main():
    n, path = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(n)
    scale = [60, 62, 64, 65, 67, 69, 71, 72]
    events = []  # (tick, order, bytes)
    t = 0
    for i in range(n):
        length = rng.choice([120, 240, 240, 480])
        start = max(0, t + rng.randint(-6, 6))
        pitch = scale[rng.randrange(len(scale))] + 12 * rng.choice([-1, 0, 0, 1])
        events.append((start, 1, bytes([0x90, pitch, 80])))
        events.append((start + length - 20, 0, bytes([0x80, pitch, 0])))
        t += length
    events.sort(key=lambda e: (e[0], e[1]))
    body = bytearray(b"\x00\xff\x51\x03\x07\xa1\x20\x00\xff\x58\x04\x04\x02\x18\x08")
    last = 0
    for tick, _, data in events:
        body += vlq(tick - last) + data
        last = tick
    body += b"\x00\xff\x2f\x00"
    with open(path, "wb") as f:
        f.write(format0(480, bytes(body)))

main()
