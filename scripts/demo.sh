#!/usr/bin/env bash
# The main job on generated sample data: what `make demo` runs after setup.
set -euo pipefail
engine_py=$1
out=${2:-demo-output}
mkdir -p "$out"
satseg() { "$engine_py" -m satseg_engine "$@" --progress bar; }

echo "== satseg doctor"
satseg doctor --output-dir "$out"
echo "== satseg sample: a synthetic 10-band Sentinel-2-like scene with labels"
satseg sample --output-dir "$out/sample" --width 1024 --height 1024 --overwrite
echo
echo "demo outputs are in $out/"
