#!/usr/bin/env bash
# Training and inference speed of our engine against PyTorch on the CPU, in the same run, with the same
# threads, on the same model (cat-mel_2bar_small) and the same work: the same in-process loop on both sides
# (one training step at batch 64 / 512 with Adam; encode + greedy 32-step decode at batch 1 / 64, in float32,
# then in bfloat16: ours with `InferencePrecision.bfloat16`, PyTorch under CPU autocast), medians after one
# warm-up. Training ratios above 1 mean ours is faster (examples/s ours / theirs); latency ratios below 1 mean ours
# takes less time (ours / theirs).
#   bash Benchmarks/run-nn-vs-torch.sh [THREADS]      (default 2; run it on an otherwise idle machine)
# Ours runs twice: with OpenBLAS's kernels as the environment sets them (OPENBLAS_CORETYPE, if set) and as
# OpenBLAS chooses them for the CPU itself (OPENBLAS_CORETYPE unset). PyTorch brings its own kernels.
# PyTorch comes into Benchmarks/.venv-torch from PyPI (a CPU-only wheel where pip finds one); not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
swift build -c release --package-path Benchmarks --product nn-bench >/dev/null
venv=Benchmarks/.venv-torch
if ! "$venv/bin/python" -c 'import torch' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q numpy 'torch==2.13.0+cpu' 2>/dev/null || "$venv/bin/pip" install -q numpy torch
fi
ours_env=$(BENCH_BLAS_THREADS=$threads Benchmarks/.build/release/nn-bench | tee /dev/stderr)
ours_own=$(env -u OPENBLAS_CORETYPE BENCH_BLAS_THREADS=$threads Benchmarks/.build/release/nn-bench | tee /dev/stderr)
theirs=$(OMP_NUM_THREADS=$threads "$venv/bin/python" Benchmarks/pytorch/cat_mel_2bar_small.py --threads "$threads" | tee /dev/stderr)
"$venv/bin/python" - "$theirs" "$ours_env" "$ours_own" <<'PY'
import re, sys
theirs, runs = sys.argv[1], sys.argv[2:]
def core(text): return re.search(r"OpenBLAS core (\w+)", text).group(1)
def train(text, b): return float(re.search(rf"train step, batch +{b}: median +[0-9.]+ ms = +([0-9.]+) examples/s", text).group(1))
def infer(text, b, label="inference"):
    m = re.search(rf"{label}, batch +{b}:.*?together median ([0-9.]+) ms", text)
    return float(m.group(1)) if m else None
for label, ours in zip(["OpenBLAS kernels as the environment sets them", "OpenBLAS's own choice of kernels"], runs):
    print(f"ours with {label} ({core(ours)}):")
    for b in (64, 512):
        o, t = train(ours, b), train(theirs, b)
        print(f"  training, batch {b:3d}: ours {o:7.1f} examples/s, PyTorch {t:7.1f}: ours {o / t:.2f}x PyTorch's speed")
    for b in (1, 64):
        o, t = infer(ours, b), infer(theirs, b)
        print(f"  inference, batch {b:2d}: ours {o:7.2f} ms, PyTorch {t:7.2f} ms: ours takes {o / t:.2f}x PyTorch's latency")
    # Is half PyTorch's batch-64 latency within reach of this machine's matrix multiply at all? The model's
    # inference is matrix multiplies; at the sgemm peak measured above it could not take less than this.
    flops = 64 * float(re.search(r"([0-9.]+) GFLOP per window", ours).group(1))
    peak = float(re.search(r"1024·1024·1024 ([0-9.]+) GFLOP/s", ours).group(1))
    t = infer(theirs, 64)
    print(f"  batch-64 inference is {flops:.2f} GFLOP: PyTorch runs it at {flops / t * 1e3:.0f} GFLOP/s; half its latency "
          f"({t / 2:.1f} ms) needs {2 * flops / t * 1e3:.0f} GFLOP/s, against a 1024^3 sgemm peak of {peak:.0f} GFLOP/s "
          f"here (at that peak: {flops / peak * 1e3:.1f} ms = {flops / peak * 1e3 / t:.2f}x PyTorch's latency)")
    # bfloat16 products (AVX-512 BF16, float32 sums), against PyTorch in float32 and with its own bfloat16 autocast.
    for b in (1, 64):
        o = infer(ours, b, "inference bfloat16")
        if o is None:
            print(f"  inference bfloat16, batch {b:2d}: not run (this CPU has no AVX-512 BF16)")
            continue
        t, tb = infer(theirs, b), infer(theirs, b, "inference bfloat16")
        print(f"  inference bfloat16, batch {b:2d}: ours {o:7.2f} ms: {o / t:.2f}x PyTorch's float32 latency ({t:.2f} ms), "
              f"{o / tb:.2f}x PyTorch's with bfloat16 autocast ({tb:.2f} ms)")
PY
