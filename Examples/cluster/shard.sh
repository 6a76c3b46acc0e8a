#!/usr/bin/env bash
# One task of a job array: runs a bundled pipeline over its shard of a corpus.
#
#   shard.sh PIPELINE CORPUS OUT [SHARDS]
#
# The shard comes from the scheduler: SLURM_ARRAY_TASK_ID (Slurm, 1-based: --array=1-N) or JOB_COMPLETION_INDEX
# (a Kubernetes indexed Job, 0-based). SHARDS is the number of tasks (default: SLURM_ARRAY_TASK_COUNT, else
# SHARDS from the environment). Outputs go to OUT/{dir}-{stem}.mid (folder and file name, so tunes of one name in
# two collections stay apart), counters to OUT/stats/K.json, and each finished
# input to OUT/manifests/K.txt, so a task that is killed and started again resumes where it stopped.
set -euo pipefail
pipeline=$1 corpus=$2 out=$3
shards=${4:-${SLURM_ARRAY_TASK_COUNT:-${SHARDS:?give the number of shards (argument 4, or SHARDS)}}}
if [[ -n ${SLURM_ARRAY_TASK_ID:-} ]]; then
  k=$SLURM_ARRAY_TASK_ID
elif [[ -n ${JOB_COMPLETION_INDEX:-} ]]; then
  k=$((JOB_COMPLETION_INDEX + 1))
else
  echo "shard.sh: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set: run it as a task of a job array" >&2
  exit 64
fi
musicvae=${MUSICVAE:-musicvae}
mkdir -p "$out/stats" "$out/manifests"
exec "$musicvae" run "$pipeline" "$corpus" --set "output=$out/{dir}-{stem}.mid" --shard "$k/$shards" \
  --stats "$out/stats/$k.json" --manifest "$out/manifests/$k.txt" --skip-duplicates --quiet
