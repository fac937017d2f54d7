#!/usr/bin/env bash
# Trains the semantic sketch encoder and copies the CLIPModel folder to
# models/sketchworld-sketch-encoder/ (the original encoder; SketchingReality fine-tunes a copy).
#   scripts/train-sketch-encoder.sh            fresh run into $RUN (default runs/sketch-encoder)
#   scripts/train-sketch-encoder.sh --resume   continue from the newest checkpoint of $RUN
# Data: ./sketchreal sketchworld generate --out data/sketchworld --count 10000 --size 128 --seed 0
set -euo pipefail
cd "$(dirname "$0")/.."
export SKETCHREAL_THREADS="${SKETCHREAL_THREADS:-1}"
# one intra-op thread: on a shared, oversubscribed machine two OpenMP threads spend most of
# their time waiting for each other (steps 50x slower than when the machine is idle)
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
RUN="${RUN:-runs/sketch-encoder}"
scripts/frozen-run.sh sketch-encoder train sketch-encoder --config configs/sketch-encoder.json \
  --data data/sketchworld --out "$RUN" "$@"
scripts/export-sketch-encoder.sh "$RUN"
