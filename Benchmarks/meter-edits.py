#!/usr/bin/env python3
"""Note-density edits of whole tunes in triple meters, as a user runs them: `musicvae edit TUNE --attribute
note_density --amount +-1` and the note count from `musicvae inspect --json`, before and after.

Tunes (from ../shared/corpus/folk, files sorted by name, one time signature throughout):
  jigs        the first 10 in 6/8 of Ryan's Mammoth (a collection no model trains on)
  waltzes     the first 10 in 3/4 among the Essen files held out from training (FNV-1a 64 of the path relative
              to essenFolksong, modulo 20, is 0: the split `musicvae train` makes)
  slip jigs   the first 8 in 9/8 of Ryan's Mammoth (no model: must come back note for note)

  python3 Benchmarks/meter-edits.py [--musicvae PATH] [-- extra edit flags, e.g. --no-check or --direction raw]
Prints, per group and amount, the mean change in note count and the smallest change (the least for +1, the
least negative for -1)."""
import json, os, subprocess, sys, tempfile

FOLK = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "corpus", "folk")


def fnv1a64(text):
    h = 0xcbf29ce484222325
    for b in text.encode():
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def inspect(musicvae, path):
    out = subprocess.run([musicvae, "inspect", "--json", path], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def pick(musicvae, folder, meter, count, keep=lambda rel: True):
    chosen = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".mid") or not keep(name):
            continue
        info = inspect(musicvae, os.path.join(folder, name))
        meters = {t["time_signature"] for t in info["time_signatures"]}
        if meters == {meter}:
            chosen.append((os.path.join(folder, name), info["notes"]))
            if len(chosen) == count:
                break
    return chosen


def main():
    args = sys.argv[1:]
    musicvae = ".build/release/musicvae"
    if args[:1] == ["--musicvae"]:
        musicvae, args = args[1], args[2:]
    extra = args[1:] if args[:1] == ["--"] else args
    ryans, essen = os.path.join(FOLK, "ryansMammoth"), os.path.join(FOLK, "essenFolksong")
    groups = [
        ("jigs (6/8, Ryan's)", pick(musicvae, ryans, "6/8", 10)),
        ("waltzes (3/4, held-out Essen)", pick(musicvae, essen, "3/4", 10, lambda rel: fnv1a64(rel) % 20 == 0)),
        ("slip jigs (9/8, Ryan's)", pick(musicvae, ryans, "9/8", 8)),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for label, tunes in groups:
            for amount in ("1", "-1"):
                changes = []
                for i, (path, before) in enumerate(tunes):
                    out = os.path.join(tmp, f"{i}.mid")
                    subprocess.run([musicvae, "edit", path, "--attribute", "note_density", "--amount", amount, "-o", out] + extra,
                                   capture_output=True, text=True, check=True)
                    changes.append(100.0 * (inspect(musicvae, out)["notes"] - before) / before)
                least = min(changes) if amount == "1" else max(changes)
                print(f"{label}, {len(tunes)} tunes, amount {amount}: mean {sum(changes) / len(changes):+.0f}%, least {least:+.0f}%")


if __name__ == "__main__":
    main()
