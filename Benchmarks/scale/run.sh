#!/usr/bin/env bash
# Scaling of whole musicvae processes with the size of one input: a one-track melody of N notes (written by
# make-melody.py) through `run roundtrip` (read, quantize, write), the slice/extract/join chain of an edit without
# the model (scale/slice-join.yaml), and `edit` (with the default model). Prints seconds, peak RSS and both per
# 1,000 notes, so that a flat column means linear time and a bounded RSS column bounded memory. Then `check` of
# pipeline files of S stages (a chain of transposes), per 1,000 stages.
#   bash Benchmarks/scale/run.sh [N ...]      (default: 5000 20000 80000 320000)
set -euo pipefail
cd "$(dirname "$0")/../.."
MV=.build/release/musicvae
[ -x "$MV" ] || { echo "build first: swift build -c release"; exit 2; }
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(5000 20000 80000 320000)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf "%-11s %9s %10s %10s %12s %12s\n" job notes seconds "peak MB" "ms/1k notes" "MB/1k notes"
for n in "${sizes[@]}"; do
  python3 Benchmarks/scale/make-melody.py "$n" "$tmp/in.mid"
  for job in roundtrip slice-join edit; do
    case $job in
      roundtrip) cmd=("$MV" run roundtrip "$tmp/in.mid" --set "output=$tmp/out.mid") ;;
      slice-join) cmd=("$MV" run Benchmarks/scale/slice-join.yaml "$tmp/in.mid" --set "output=$tmp/out.mid") ;;
      edit) cmd=("$MV" edit "$tmp/in.mid" --attribute note_density -o "$tmp/out.mid") ;;
    esac
    rm -f "$tmp/out.mid"
    /usr/bin/time -f "%e %M" -o "$tmp/t" "${cmd[@]}" > /dev/null
    read -r secs kb < "$tmp/t"
    awk -v j="$job" -v n="$n" -v s="$secs" -v k="$kb" 'BEGIN { printf "%-11s %9d %10.2f %10.0f %12.3f %12.3f\n", j, n, s, k/1024, 1e6*s/n, k/1024/n*1000 }'
  done
done
printf "\n%-11s %9s %10s %10s %12s\n" job stages seconds "peak MB" "ms/1k stages"
for n in 5000 20000 40000; do
  { echo "stages:"; echo "  - read-midi: {path: x.mid}"; echo "  - quantize: {}"
    for ((i = 0; i < n; i++)); do echo "  - transpose: {semitones: 1}"; done
    echo "  - write-midi: {path: out.mid}"; } > "$tmp/big.yaml"
  /usr/bin/time -f "%e %M" -o "$tmp/t" "$MV" check "$tmp/big.yaml" > /dev/null
  read -r secs kb < "$tmp/t"
  awk -v n="$n" -v s="$secs" -v k="$kb" 'BEGIN { printf "%-11s %9d %10.2f %10.0f %12.3f\n", "check", n, s, k/1024, 1e6*s/n }'
done

