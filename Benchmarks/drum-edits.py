# Drum model card figures, measured through the CLI: `edit --track drums --attribute note_density` (+1 and -1) on the
# General MIDI songs of Examples/songs (drum hits before and after; every other track must stay as it was), and
# `interpolate --track drums --steps 5` between pairs of them (share of the 32 steps of each step's window whose
# drums differ from the first's, read back with `export`).
#   python3 Benchmarks/drum-edits.py [MODEL]        (after `swift build -c release`)
import json, subprocess, os, shutil, sys, struct, tempfile
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.path.join(ROOT, ".build/release/musicvae"); S = os.path.join(ROOT, "Examples/songs/")
M = sys.argv[1] if len(sys.argv) > 1 else "Models/drums_2bar_small"
env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
def run(*a): r = subprocess.run([B, *a], capture_output=True, text=True, env=env, cwd=ROOT); assert r.returncode == 0, r.stderr; return r.stdout
def tracks(p): return json.loads(run("inspect", "--json", p))["tracks"]
def drum_hits(p): return sum(t["notes"] for t in tracks(p) if t["drums"])
def others(p): return [(t["index"], t["notes"]) for t in tracks(p) if not t["drums"]]
T = tempfile.mkdtemp(prefix="drum-edits-")
songs = ["when-the-saints", "oh-susanna", "yankee-doodle", "amazing-grace-4-4"]
for s in songs:
    src = S + s + ".mid"; b = drum_hits(src); row = [s, str(b)]
    for amount in (1, -1):
        o = f"{T}/{s}{amount}.mid"
        run("edit", src, "--track", "drums", "--attribute", "note_density", f"--amount={amount}", "-o", o, "--model", M)
        a = drum_hits(o); assert others(o) == others(src)
        row.append(f"{a} ({100*(a/b-1):+.0f}%)")
    print(" | ".join(row))
def windows(p):
    d = f"{T}/x-{os.path.basename(p)}"; shutil.rmtree(d, ignore_errors=True)
    run("export", p, "--out", d, "--model", M)
    raw = open(d + "/windows.npy", "rb").read(); hl = struct.unpack("<H", raw[8:10])[0]; data = raw[10 + hl:]
    return [struct.unpack("<i", data[4*i:4*i+4])[0] for i in range(32)]
for a, b in [("when-the-saints", "oh-susanna"), ("when-the-saints", "amazing-grace-4-4"), ("oh-susanna", "amazing-grace-4-4"), ("yankee-doodle", "when-the-saints")]:
    d = f"{T}/i-{a}-{b}"
    run("interpolate", S + a + ".mid", S + b + ".mid", "--track", "drums", "--steps", "5", "-o", d, "--model", M)
    w = [windows(f"{d}/{k:02d}.mid") for k in range(1, 6)]
    print(a, "->", b, ", ".join(f"{sum(x != y for x, y in zip(w[0], wk)) / 32:.2f}" for wk in w))
shutil.rmtree(T, ignore_errors=True)
