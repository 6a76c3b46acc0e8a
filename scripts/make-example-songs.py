#!/usr/bin/env python3
"""Writes the example songs in Examples/songs/: public-domain tunes arranged by hand for a General MIDI band
(melody, piano chords, bass, and a drum part on channel 10 with fills and crashes), as format-1 files.

They are the songs `edit --track drums` is measured on: multi-track General MIDI files that are not from the
groove corpus the drum model trains on. Pure Python, no dependencies. Run from the repository root:
    python3 scripts/make-example-songs.py
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smf import vlq  # noqa: E402

TPQ = 480
STEP = TPQ // 4  # one sixteenth

# Drum pitches (General MIDI): kick, snare, closed hat, open hat, low/mid/high tom, crash, ride, side stick.
K, S, H, O, LT, MT, HT, C, R, X = 36, 38, 42, 46, 45, 48, 50, 49, 51, 37

# Chords by name: root (bass octave) and the piano voicing.
CHORDS = {
    "C": (48, [60, 64, 67]), "F": (53, [60, 65, 69]), "G": (55, [59, 62, 67]), "G7": (55, [59, 62, 65, 67]),
    "C7": (48, [58, 64, 67]), "Am": (57, [60, 64, 69]), "Dm": (50, [62, 65, 69]),
}


def bar_pattern(rows):
    """A one-bar drum pattern from rows 'PITCH: 16 chars' where x is a hit (velocity 100), o a soft one (60)."""
    hits = []
    for pitch, row in rows:
        for step, ch in enumerate(row):
            if ch in "xo":
                hits.append((step, pitch, 100 if ch == "x" else 60))
    return hits


ROCK = bar_pattern([(K, "x.......x.x....."), (S, "....x.......x..."), (H, "x.x.x.x.x.x.x.x.")])
ROCK_FILL = bar_pattern([(K, "x.......x......."), (S, "....x...xoxo...."), (H, "x.x.x.x........."),
                         (HT, "............x..."), (MT, ".............x.."), (LT, "..............xx")])
TWO_STEP = bar_pattern([(K, "x.......x......."), (S, "....x.......x..."), (H, "x.xox.xox.xox.xo"), (O, "..............x.")])
TWO_STEP_FILL = bar_pattern([(K, "x.......x......."), (S, "....x...x.x.xxxx"), (H, "x.x.x.x.........")])
MARCH = bar_pattern([(K, "x.......x......."), (S, "x.oox.x.x.oox.x."), (R, "x...x...x...x...")])
MARCH_FILL = bar_pattern([(K, "x.......x......."), (S, "xoxoxoxoxoxox..."), (C, "............x...")])
BALLAD = bar_pattern([(K, "x.........x....."), (X, "....x.......x..."), (R, "x.x.x.x.x.x.x.x.")])

# (file, title, qpm, melody program, melody [(pitch or None, sixteenths)], chords per bar, drum bars)
SONGS = [
    ("when-the-saints", "When the Saints Go Marching In (traditional)", 116, 56, [
        (None, 4), (60, 4), (64, 4), (65, 4), (67, 16),
        (None, 4), (60, 4), (64, 4), (65, 4), (67, 16),
        (None, 4), (60, 4), (64, 4), (65, 4), (67, 8), (64, 8), (60, 8), (64, 8), (62, 16),
        (None, 4), (64, 4), (64, 4), (62, 4), (60, 12), (60, 4), (64, 8), (67, 8), (67, 4), (65, 12),
        (None, 4), (64, 4), (65, 4), (67, 4), (64, 8), (60, 8), (62, 8), (62, 8), (60, 16),
    ], ["C", "C", "C", "C", "C", "C", "C", "G", "G", "C", "C7", "F", "F", "C", "G7", "C"],
        [ROCK] * 3 + [ROCK_FILL] + [ROCK] * 3 + [ROCK_FILL] + [ROCK] * 3 + [ROCK_FILL] + [ROCK] * 3 + [ROCK_FILL]),
    ("oh-susanna", "Oh! Susanna (Stephen Foster)", 104, 105, [
        (60, 2), (62, 2), (64, 2), (67, 2), (67, 2), (69, 2), (67, 2), (64, 2),
        (60, 3), (62, 1), (64, 2), (64, 2), (62, 2), (60, 2), (62, 4),
        (60, 2), (62, 2), (64, 2), (67, 2), (67, 2), (69, 2), (67, 2), (64, 2),
        (60, 3), (62, 1), (64, 2), (64, 2), (62, 2), (62, 2), (60, 4),
        (65, 4), (65, 4), (69, 4), (69, 4), (69, 2), (67, 2), (67, 2), (64, 2), (60, 2), (62, 6),
        (60, 2), (62, 2), (64, 2), (67, 2), (67, 2), (69, 2), (67, 2), (64, 2),
        (60, 3), (62, 1), (64, 2), (64, 2), (62, 2), (62, 2), (60, 4),
    ], ["C", "G", "C", "C", "F", "C", "C", "C"] * 1 + ["C", "G7", "C", "C"],
        [TWO_STEP] * 3 + [TWO_STEP_FILL] + [TWO_STEP] * 3 + [TWO_STEP_FILL] + [TWO_STEP] * 3 + [TWO_STEP_FILL]),
    ("yankee-doodle", "Yankee Doodle (traditional)", 120, 72, [
        (60, 2), (60, 2), (62, 2), (64, 2), (60, 2), (64, 2), (62, 4),
        (60, 2), (60, 2), (62, 2), (64, 2), (60, 4), (59, 4),
        (60, 2), (60, 2), (62, 2), (64, 2), (65, 2), (64, 2), (62, 2), (60, 2),
        (59, 2), (55, 2), (57, 2), (59, 2), (60, 4), (60, 4),
    ] * 2, ["C", "G", "C", "G7", "C", "G", "F", "C"] * 2,
        [MARCH] * 3 + [MARCH_FILL] + [MARCH] * 3 + [MARCH_FILL] + [MARCH] * 3 + [MARCH_FILL] + [MARCH] * 3 + [MARCH_FILL]),
    ("amazing-grace-4-4", "Amazing Grace (traditional), in 4/4 as a slow gospel ballad", 76, 0, [
        (None, 12), (55, 4), (60, 8), (64, 2), (60, 2), (64, 8), (62, 4), (60, 12), (57, 4), (55, 12), (55, 4),
        (60, 8), (64, 2), (60, 2), (64, 8), (62, 4), (67, 16), (None, 8), (64, 4), (67, 8), (64, 2), (67, 2),
        (64, 8), (62, 4), (60, 12), (57, 4), (55, 12), (55, 4), (60, 8), (64, 2), (60, 2), (64, 8), (62, 4), (60, 16),
    ], ["C", "C", "C", "F", "C", "C", "G", "G", "C", "C", "F", "C", "C", "G7", "C", "C"],
        [BALLAD] * 16),
]


def meta(kind, data):
    return b"\xff" + bytes([kind]) + vlq(len(data)) + data


def track(events):
    """A track chunk from (tick, order, bytes) events."""
    body = b""
    last = 0
    for tick, _, data in sorted(events, key=lambda e: (e[0], e[1])):
        body += vlq(tick - last) + data
        last = tick
    body += b"\x00\xff\x2f\x00"
    return b"MTrk" + struct.pack(">I", len(body)) + body


def note(events, start, end, channel, pitch, velocity):
    events.append((start, 1, bytes([0x90 | channel, pitch, velocity])))
    events.append((end, 0, bytes([0x80 | channel, pitch, 0])))


def song_file(title, qpm, program, melody, chords, drums):
    bars = len(drums)
    bar = 16 * STEP
    tempo = [(0, 0, meta(0x03, title.encode())), (0, 0, meta(0x51, round(60_000_000 / qpm).to_bytes(3, "big"))),
             (0, 0, meta(0x58, bytes([4, 2, 24, 8]))), (0, 0, meta(0x59, struct.pack("bb", 0, 0)))]
    lead = [(0, 0, meta(0x03, b"Melody")), (0, 0, bytes([0xC0, program]))]
    t = 0
    for pitch, sixteenths in melody:
        if pitch is not None:
            note(lead, t, t + sixteenths * STEP - 20, 0, pitch + 12, 96)
        t += sixteenths * STEP
    piano = [(0, 0, meta(0x03, b"Piano")), (0, 0, bytes([0xC1, 0]))]
    bass = [(0, 0, meta(0x03, b"Bass")), (0, 0, bytes([0xC2, 33]))]
    for i in range(bars):
        root, voicing = CHORDS[chords[i % len(chords)]]
        for half in range(2):
            start = i * bar + half * 8 * STEP
            for p in voicing:
                note(piano, start, start + 8 * STEP - 30, 1, p, 64)
            note(bass, start, start + 8 * STEP - 40, 2, root - 12 + (7 if half else 0), 90)
    kit = [(0, 0, meta(0x03, b"Drums"))]
    for i, pattern in enumerate(drums):
        hits = list(pattern)
        if i % 8 == 0:
            hits.append((0, C, 110))  # a crash opens every 8 bars
        for step, pitch, velocity in hits:
            start = i * bar + step * STEP
            note(kit, start, start + STEP // 2, 9, pitch, velocity)
    chunks = [track(tempo), track(lead), track(piano), track(bass), track(kit)]
    return b"MThd" + struct.pack(">IHHH", 6, 1, len(chunks), TPQ) + b"".join(chunks)


def main():
    out = os.path.join("Examples", "songs")
    os.makedirs(out, exist_ok=True)
    for name, title, qpm, program, melody, chords, drums in SONGS:
        path = os.path.join(out, name + ".mid")
        with open(path, "wb") as f:
            f.write(song_file(title, qpm, program, melody, chords, drums))
        print(path)


if __name__ == "__main__":
    main()
