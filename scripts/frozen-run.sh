#!/usr/bin/env bash
# Runs the CLI from a private copy of the jar (runs/bin/<name>/), so rebuilding the project while a
# long training runs cannot change the classes under the running JVM.
#   scripts/frozen-run.sh NAME ARGS...
set -euo pipefail
cd "$(dirname "$0")/.."
name="$1"; shift
if [ ! -f target/sketchreal.jar ] || [ -n "$(find src/main pom.xml -newer target/sketchreal.jar -print -quit)" ]; then
  mvn -B -q -DskipTests package >&2
fi
bin="runs/bin/$name"
rm -rf "$bin" && mkdir -p "$bin"
cp -r target/sketchreal.jar target/lib "$bin/"
export DJL_OFFLINE=true
exec java ${SKETCHREAL_JAVA_OPTS:--Xmx6g} -Dai.djl.offline=true \
  -Dai.djl.pytorch.num_threads="${SKETCHREAL_THREADS:-$(nproc)}" -Dai.djl.pytorch.num_interop_threads=1 \
  -Dsketchreal.home="$PWD" -jar "$bin/sketchreal.jar" "$@"
