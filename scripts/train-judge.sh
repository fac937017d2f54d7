#!/usr/bin/env bash
# Trains the layout judge and copies the result to models/sketchworld-judge/.
#   scripts/train-judge.sh            fresh run into runs/judge
#   scripts/train-judge.sh --resume   continue from the newest checkpoint
# Data: ./sketchreal sketchworld generate --out data/sketchworld --count 10000 --size 128 --seed 0
set -euo pipefail
cd "$(dirname "$0")/.."
export SKETCHREAL_THREADS="${SKETCHREAL_THREADS:-1}"
# one intra-op thread: on a shared, oversubscribed machine two OpenMP threads spend most of
# their time waiting for each other (steps 50x slower than when the machine is idle)
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
scripts/frozen-run.sh judge train judge --config configs/judge.json --data data/sketchworld --out runs/judge "$@"
mkdir -p models/sketchworld-judge
cp runs/judge/config.json runs/judge/model.safetensors runs/judge/classes.txt models/sketchworld-judge/
[ -f runs/judge/eval_final.json ] && cp runs/judge/eval_final.json models/sketchworld-judge/eval.json
echo "judge -> models/sketchworld-judge"
