#!/usr/bin/env python3
"""Writes the example melodies in Examples/melodies/ (public-domain tunes, typed in by hand).

Pure Python, no dependencies: a minimal Standard MIDI File writer. Run from the repository root:
    python3 scripts/make-example-melodies.py
"""
import struct
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smf import format0, vlq  # noqa: E402

TPQ = 480

# (title, qpm, meter, key sharps, notes as (midi pitch or None for a rest, length in 16ths))
TUNES = {
    "ode-to-joy": ("Ode to Joy (Beethoven)", 110, (4, 4), 2, [
        (66, 4), (66, 4), (67, 4), (69, 4), (69, 4), (67, 4), (66, 4), (64, 4),
        (62, 4), (62, 4), (64, 4), (66, 4), (66, 6), (64, 2), (64, 8),
        (66, 4), (66, 4), (67, 4), (69, 4), (69, 4), (67, 4), (66, 4), (64, 4),
        (62, 4), (62, 4), (64, 4), (66, 4), (64, 6), (62, 2), (62, 8),
        (64, 4), (64, 4), (66, 4), (62, 4), (64, 4), (66, 2), (67, 2), (66, 4), (62, 4),
        (64, 4), (66, 2), (67, 2), (66, 4), (64, 4), (62, 4), (64, 4), (57, 8),
        (66, 4), (66, 4), (67, 4), (69, 4), (69, 4), (67, 4), (66, 4), (64, 4),
        (62, 4), (62, 4), (64, 4), (66, 4), (64, 6), (62, 2), (62, 8),
    ]),
    "twinkle": ("Twinkle, Twinkle, Little Star", 100, (4, 4), 0, [
        (60, 4), (60, 4), (67, 4), (67, 4), (69, 4), (69, 4), (67, 8),
        (65, 4), (65, 4), (64, 4), (64, 4), (62, 4), (62, 4), (60, 8),
        (67, 4), (67, 4), (65, 4), (65, 4), (64, 4), (64, 4), (62, 8),
        (67, 4), (67, 4), (65, 4), (65, 4), (64, 4), (64, 4), (62, 8),
        (60, 4), (60, 4), (67, 4), (67, 4), (69, 4), (69, 4), (67, 8),
        (65, 4), (65, 4), (64, 4), (64, 4), (62, 4), (62, 4), (60, 8),
    ]),
    "frere-jacques": ("Frère Jacques", 120, (4, 4), 1, [
        (67, 4), (69, 4), (71, 4), (67, 4), (67, 4), (69, 4), (71, 4), (67, 4),
        (71, 4), (72, 4), (74, 8), (71, 4), (72, 4), (74, 8),
        (74, 2), (76, 2), (74, 2), (72, 2), (71, 4), (67, 4), (74, 2), (76, 2), (74, 2), (72, 2), (71, 4), (67, 4),
        (67, 4), (62, 4), (67, 8), (67, 4), (62, 4), (67, 8),
    ]),
    "scarborough-fair": ("Scarborough Fair (traditional)", 90, (3, 4), -1, [
        (62, 8), (62, 4), (69, 8), (69, 4), (64, 6), (65, 2), (64, 4), (62, 12),
        (None, 4), (69, 4), (72, 4), (74, 8), (72, 4), (69, 4), (71, 4), (67, 4), (69, 12),
        (None, 8), (74, 4), (74, 8), (74, 4), (72, 8), (69, 4), (69, 4), (67, 4), (65, 4), (64, 4), (60, 8),
        (62, 8), (69, 4), (67, 8), (65, 4), (64, 4), (62, 4), (60, 4), (62, 12),
    ]),
}


def tune_file(title, qpm, meter, sharps, notes):
    ev = []  # (tick, bytes)
    ev.append((0, b"\xff\x03" + vlq(len(title.encode())) + title.encode()))
    us = round(60_000_000 / qpm)
    ev.append((0, b"\xff\x51\x03" + us.to_bytes(3, "big")))
    ev.append((0, b"\xff\x58\x04" + bytes([meter[0], meter[1].bit_length() - 1, 24, 8])))
    ev.append((0, b"\xff\x59\x02" + struct.pack("bb", sharps, 0)))
    ev.append((0, b"\xc0\x49"))  # flute
    t = 0
    for pitch, sixteenths in notes:
        length = sixteenths * TPQ // 4
        if pitch is not None:
            ev.append((t, bytes([0x90, pitch, 90])))
            ev.append((t + length, bytes([0x80, pitch, 0])))
        t += length
    ev.append((t, b"\xff\x2f\x00"))
    ev.sort(key=lambda e: (e[0], 0 if e[1][0] == 0x80 else 1))
    body = b""
    last = 0
    for tick, data in ev:
        body += vlq(tick - last) + data
        last = tick
    return format0(TPQ, body)


for name, tune in TUNES.items():
    with open(f"Examples/melodies/{name}.mid", "wb") as f:
        f.write(tune_file(*tune))
    print(f"Examples/melodies/{name}.mid")
