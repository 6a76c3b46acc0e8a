#!/usr/bin/env bash
# Reads the folk corpus with our reader and with symusic in the same run, and prints the ratio.
#   bash Benchmarks/run-midi-bench.sh [../shared/corpus/folk]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/folk}
swift build -c release --package-path Benchmarks --product midi-bench >/dev/null
ours=$(Benchmarks/.build/release/midi-bench "$corpus" | tee /dev/stderr)
if python3 -c 'import symusic' 2>/dev/null || pip install -q symusic 2>/dev/null; then
  theirs=$(python3 Benchmarks/symusic_baseline.py "$corpus" | tee /dev/stderr)
  a=$(echo "$ours" | sed -n 's/^sequence  1 thread: *[0-9.]* s *\([0-9]*\) files.*/\1/p')
  b=$(echo "$theirs" | sed -n 's/.*= \([0-9]*\) files\/s.*/\1/p')
  python3 -c "print(f'single-thread read (in-process loop on both sides: read each file, count its notes): ours {$a} files/s vs symusic {$b} files/s: ratio {$a/$b:.2f}')"
else
  echo "symusic not available: no same-run baseline for the read"
fi
