#!/usr/bin/env bash
# The scale test: a whole corpus through a bundled pipeline, once as one run and once as a job array of 4 tasks
# (shard.sh under a stub Slurm environment, two tasks at a time), where task 3 is stopped midway by SIGTERM (as a
# scheduler preempts) and started again: it resumes from its manifest. Then merge.sh. Checks that the merged
# counters equal the single run's and that every output file is byte-identical, and prints files/s and what the
# resume saved.
#
#   Examples/cluster/scale-test.sh [PIPELINE] [CORPUS] [WORK]    (defaults: more-notes ../shared/corpus out/scale-test)
#
# Run from the repository root after `make demo` (MUSICVAE names another binary). Exit 0 when everything matches.
# With REUSE_SINGLE=1 a single run already in WORK (whole/, whole.json) is kept and only the array runs again.
set -euo pipefail
pipeline=${1:-more-notes} corpus=${2:-../shared/corpus} work=${3:-out/scale-test}
export MUSICVAE=${MUSICVAE:-.build/release/musicvae}
here=$(dirname "$0")
now() { date +%s.%N; }
seconds() { awk "BEGIN { printf \"%.1f\", $2 - $1 }"; }

if [[ ${REUSE_SINGLE:-0} == 1 && -f $work/whole.json ]]; then
  echo "== one run over $corpus ($pipeline): kept from before ($work/whole.json)"
  rm -rf "$work/array"
else
  rm -rf "$work"
  mkdir -p "$work"
  echo "== one run over $corpus ($pipeline)"
  t0=$(now)
  "$MUSICVAE" run "$pipeline" "$corpus" --set "output=$work/whole/{dir}-{stem}.mid" --stats "$work/whole.json" --skip-duplicates --quiet
  t1=$(now)
  echo "   done in $(seconds "$t0" "$t1") s"
fi
files=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['inputs'])" "$work/whole.json")

task() { SLURM_ARRAY_TASK_ID=$1 SLURM_ARRAY_TASK_COUNT=4 bash "$here/shard.sh" "$pipeline" "$corpus" "$work/array"; }
echo "== job array of 4 tasks, two at a time; task 3 stopped by SIGTERM midway, then run again"
t2=$(now)
task 1 & a=$!; task 2 & b=$!; wait $a $b
task 3 & c=$!
task 4 & d=$!
# Stop task 3 once it has finished about half of its share (a quarter of the inputs), as a scheduler would.
while kill -0 $c 2>/dev/null && (( $( (cat "$work/array/manifests/3.txt" 2>/dev/null || true) | wc -l) < files / 8 )); do sleep 0.2; done
# The task's own process (shard.sh execs musicvae), as a scheduler signals it.
pkill -TERM -f -- "--shard 3/4" || true
status=0; wait $c || status=$?
echo "   task 3 stopped with exit status $status after $(wc -l < "$work/array/manifests/3.txt") inputs"
mv "$work/array/stats/3.json" "$work/array/stats/3-stopped.json"
t3=$(now)
task 3
t4=$(now)
wait $d
t5=$(now)
bash "$here/merge.sh" "$work/array" > /dev/null
echo "   array: $(seconds "$t2" "$t5") s wall; the rerun of task 3 took $(seconds "$t3" "$t4") s"

echo "== checks"
python3 - "$work" <<'PY'
import json, os, sys, filecmp
work = sys.argv[1]
one = json.load(open(f"{work}/whole.json")); merged = json.load(open(f"{work}/array/stats/all.json"))
stopped = json.load(open(f"{work}/array/stats/3-stopped.json")); rerun = json.load(open(f"{work}/array/stats/3.json"))
keys = ["inputs", "failed", "outputs", "failed_by_reason", "failures", "skipped", "stages"]
bad = [k for k in keys if one.get(k) != merged.get(k)]
names = sorted(n for n in os.listdir(f"{work}/whole"))
written = sorted(n for n in os.listdir(f"{work}/array") if n.endswith(".mid"))
different = [n for n in names if not filecmp.cmp(f"{work}/whole/{n}", f"{work}/array/{n}", shallow=False)]
print(f"   merged counters equal the single run's: {'yes' if not bad else 'NO: ' + ', '.join(bad)}")
print(f"   outputs: {len(names)} files from the single run, {len(written)} from the array, {len(different)} differ")
skipped = rerun.get("skipped", {}).get("done in an earlier run (manifest)", 0)
print(f"   resume: the rerun of task 3 skipped {skipped} inputs its stopped run had finished "
      f"({stopped.get('not_started', 0)} not started when stopped); it ran {rerun['inputs'] - skipped - sum(v for k, v in rerun.get('skipped', {}).items() if k != 'done in an earlier run (manifest)')} inputs")
print(f"   single run {one['inputs'] / one['seconds']:.1f} files/s ({one['seconds']:.1f} s of compute); "
      f"the 4 tasks {merged['inputs'] / merged['seconds']:.1f} files/s each on average ({merged['seconds']:.1f} s of compute in all)")
sys.exit(1 if bad or names != written or different else 0)
PY
