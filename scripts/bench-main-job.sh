#!/usr/bin/env bash
# Times the README's first command (the main job: sketch + prompt -> image on the shipped model),
# end to end as a person runs it: JVM start, model load, generation and the PNG write. The jar is
# built first (a fresh clone builds once; that is not part of the job). Also times
# `./sketchreal --version` in the same run (JVM + CLI start alone) so the printed breakdown and the
# ratio against the 10 s budget come from one command on one machine state.
#   scripts/bench-main-job.sh [RUNS]     (default 5; prints each run, the median and the ratios)
# Run it on a quiet machine: other processes on the 2 cores change wall time directly.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
budget_s=10
cmd=$(awk '/^```bash/{f=1;next} f&&/^\.\/sketchreal generate/{print;exit}' README.md)
if [ -z "$cmd" ]; then
  echo "no './sketchreal generate' line in README.md's quick start" >&2
  exit 1
fi
out_dir=$(mktemp -d)
trap 'rm -rf "$out_dir"' EXIT
# the README writes into the working directory: send the image to the scratch folder instead
cmd=$(sed -E "s#--out [^ ]+#--out $out_dir/bench.png#" <<<"$cmd")
[[ "$cmd" == *"--out "* ]] || cmd="$cmd --out $out_dir/bench.png"
./sketchreal --version >/dev/null # builds the jar if needed

seconds() { # seconds COMMAND... : wall time of one run, output discarded
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}'
}
median() { sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "main job: $cmd"
job=(); start=()
for i in $(seq 1 "$runs"); do
  j=$(seconds bash -c "$cmd")
  s=$(seconds ./sketchreal --version)
  job+=("$j"); start+=("$s")
  printf 'run %d: main job %.2f s, JVM + CLI start %.2f s\n' "$i" "$j" "$s"
done
[ -s "$out_dir/bench.png" ] || { echo "the main job wrote no image" >&2; exit 1; }
mj=$(printf '%s\n' "${job[@]}" | median)
ms=$(printf '%s\n' "${start[@]}" | median)
printf 'median: main job %.2f s (JVM + CLI start %.2f s, model load + generation + write %.2f s)\n' \
  "$mj" "$ms" "$(awk -v a="$mj" -v b="$ms" 'BEGIN{print a - b}')"
printf 'ratio to the %d s budget: %.2f (< 1 meets it)\n' "$budget_s" "$(awk -v a="$mj" -v b="$budget_s" 'BEGIN{print a / b}')"
