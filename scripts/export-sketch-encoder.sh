#!/usr/bin/env bash
# Copies the latest exported sketch encoder of a run folder (default runs/sketch-encoder) into
# models/sketchworld-sketch-encoder/ (the run exports it at every checkpoint): the original encoder
# that SketchingReality fine-tunes (into models/sketchworld-mini/sketch_encoder) and whose
# pseudo-masks supervise its hand-drawn samples.
set -euo pipefail
cd "$(dirname "$0")/.."
run="${1:-runs/sketch-encoder}"
dst=models/sketchworld-sketch-encoder
mkdir -p "$dst/tokenizer"
cp "$run/config.json" "$run/model.safetensors" "$run/sketch_encoder.json" "$dst/"
cp "$run"/tokenizer/* "$dst/tokenizer/"
if [ -f "$run/eval.jsonl" ]; then cp "$run/eval.jsonl" "$dst/eval.jsonl"; fi
echo "sketch encoder -> $dst"
