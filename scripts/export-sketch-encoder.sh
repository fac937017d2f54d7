#!/usr/bin/env bash
# Copies the latest exported sketch encoder of runs/sketch-encoder into the model folder.
set -euo pipefail
cd "$(dirname "$0")/.."
dst=models/sketchworld-mini/sketch_encoder
mkdir -p "$dst/tokenizer"
cp runs/sketch-encoder/config.json runs/sketch-encoder/model.safetensors \
  runs/sketch-encoder/sketch_encoder.json "$dst/"
cp runs/sketch-encoder/tokenizer/* "$dst/tokenizer/"
[ -f runs/sketch-encoder/eval.jsonl ] && cp runs/sketch-encoder/eval.jsonl "$dst/eval.jsonl"
echo "sketch encoder -> $dst"
