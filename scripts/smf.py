"""Standard MIDI File bytes for the small generator scripts (examples, benchmark inputs)."""
import struct


def vlq(n):
    """A MIDI variable-length quantity."""
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def format0(tpq, body):
    """A format-0 file: header and one track holding `body` (delta-timed events, end of track included)."""
    return b"MThd" + struct.pack(">IHHH", 6, 0, 1, tpq) + b"MTrk" + struct.pack(">I", len(body)) + body
