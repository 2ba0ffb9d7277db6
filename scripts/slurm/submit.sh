#!/usr/bin/env bash
# Submit a caasim sweep to Slurm: a job array of SHARDS tasks, then a merge
# job that runs when every task has succeeded.
#
#   scripts/slurm/submit.sh SHARDS SCENARIO OUT [sweep flags...]
#
# Environment: CAASIM (the binary, default caasim), LOGS (folder for the job
# logs, default the current folder), WAIT=1 (block until the merge has run),
# SBATCH_FLAGS (extra sbatch flags, e.g. "--partition=short --time=02:00:00").
set -euo pipefail
shards=${1:?usage: submit.sh SHARDS SCENARIO OUT [sweep flags...]}
shift
out=${2:?usage: submit.sh SHARDS SCENARIO OUT [sweep flags...]}
here=$(cd "$(dirname "$0")" && pwd)
logs=${LOGS:-.}
mkdir -p "$logs"
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_FLAGS:-} --array=0-$((shards - 1)) \
  --output="$logs/caasim-sweep-%A_%a.out" "$here/sweep.sbatch" "$@")
wait_flag=()
if [ "${WAIT:-0}" = 1 ]; then wait_flag=(--wait); fi
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_FLAGS:-} "${wait_flag[@]}" --dependency="afterok:${array%%;*}" \
  --kill-on-invalid-dep=yes --output="$logs/caasim-merge-%j.out" "$here/merge.sbatch" "$out")
echo "submitted sweep array ${array%%;*} ($shards tasks) and merge job ${merge%%;*} -> $out/points.csv"
