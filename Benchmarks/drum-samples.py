# Prior samples of a drum model against the held-out groove windows (the unseen families): histogram overlap (20
# bins) of hits per step, off-beat share and cymbal share, over N samples (`sample`, temperature 0.5, seed 1).
#   python3 Benchmarks/drum-samples.py [MODEL] [N]      (after `swift build -c release`; reads ../shared/corpus/grooves)
import json, subprocess, os, shutil, sys, struct, tempfile
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.path.join(ROOT, ".build/release/musicvae"); M = sys.argv[1] if len(sys.argv) > 1 else "Models/drums_2bar_small"; n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
def run(*a): r = subprocess.run([B, *a], capture_output=True, text=True, env=env, cwd=ROOT); assert r.returncode == 0, r.stderr; return r.stdout
def load(d):
    raw = open(d + "/windows.npy", "rb").read(); hl = struct.unpack("<H", raw[8:10])[0]; data = raw[10 + hl:]
    v = struct.unpack(f"<{len(data)//4}i", data); return [list(v[i:i+32]) for i in range(0, len(v), 32)]
T = tempfile.mkdtemp(prefix="drum-samples-")
ref = T + "/ref"
run("export", "../shared/corpus/grooves", "--out", ref, "--model", M)
idx = json.load(open(ref + "/index.json")); rows = idx if isinstance(idx, list) else idx.get("windows", idx.get("rows"))
W = load(ref); held = [w for w, r in zip(W, rows) if r.get("held_out", r.get("heldOut"))]
sd = T + "/samples"
run("sample", "--model", M, "-n", str(n), "--temperature", "0.5", "--seed", "1", "-o", sd)
ex = T + "/samples-x"; run("export", sd, "--out", ex, "--model", M)
S = load(ex)
CYM = (1 << 2) | (1 << 3) | (1 << 7) | (1 << 8)   # closed hat, open hat, crash, ride (Magenta's class order)
def attrs(w):
    hits = sum(bin(c).count("1") for c in w)
    off = sum(bin(c).count("1") for t, c in enumerate(w) if t % 4 != 0)
    cym = sum(bin(c & CYM).count("1") for c in w)
    return (hits / 32, off / hits if hits else 0, cym / hits if hits else 0)
def overlap(a, b):
    lo, hi = min(a + b), max(a + b); h = lambda xs: [sum(1 for x in xs if (min(19, int((x - lo) / (hi - lo) * 20)) if hi > lo else 0) == k) / len(xs) for k in range(20)]
    return sum(min(x, y) for x, y in zip(h(a), h(b)))
sa, ra = [attrs(w) for w in S], [attrs(w) for w in held]
print(f"{M}: {len(S)} samples vs {len(held)} held-out windows")
for k, name in enumerate(["hits per step", "off-beat share", "cymbal share"]):
    a, b = [x[k] for x in sa], [x[k] for x in ra]
    print(f"  {name:15s} overlap {overlap(a, b):.3f}  mean {sum(a)/len(a):.3f} (samples) vs {sum(b)/len(b):.3f} (held out)")
print(f"  empty samples: {sum(1 for w in S if not any(w))}, distinct: {len(set(map(tuple, S)))}")
shutil.rmtree(T, ignore_errors=True)
