#!/usr/bin/env bash
# After every task of the array: one summary of the whole run from the tasks' --stats files.
#   merge.sh OUT      (writes OUT/stats/all.json and prints it)
set -euo pipefail
out=$1
musicvae=${MUSICVAE:-musicvae}
shopt -s nullglob
files=("$out"/stats/[0-9]*.json)
(( ${#files[@]} > 0 )) || { echo "merge.sh: no $out/stats/K.json files" >&2; exit 1; }
"$musicvae" stats merge "${files[@]}" -o "$out/stats/all.json"
cat "$out/stats/all.json"
