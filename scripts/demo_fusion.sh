#!/usr/bin/env bash
# Several sensors and dates, what `make demo-fusion` runs after setup: a 6-date optical series on
# the primary grid + a radar image at 20 m in the neighbouring UTM zone → grid → a patch dataset
# with both sources → an early-fusion U-Net over every date and both sensors (the best model of
# benchmarks/bench_fusion.py at this budget) → prediction from the same rasters → evaluation →
# overview picture. Other fusion levels, methods and temporal models: --model.fusion mid
# --model.fusion-method film_cross, --model.temporal utae|unet3d (see README).
set -euo pipefail
engine_py=$1
out=${2:-demo-fusion-output}
size=${DEMO_SIZE:-1536}
epochs=${DEMO_EPOCHS:-25}
mkdir -p "$out"
out=$(cd "$out" && pwd)
satseg() { echo; echo "== satseg $1"; "$engine_py" -m satseg_engine "$@" --progress bar; }
summary() {  # the done summary of a JSON-events run, as compact JSON on stdout
    "$engine_py" -m satseg_engine "$@" --progress json | tail -n 1
}
satseg sample --sources --output-dir "$out/sample" --width "$size" --height "$size" --overwrite
series=$("$engine_py" -c 'import json, sys; print(",".join(json.load(open(sys.argv[1]))
                          ["images"]["rasters"]))' "$out/sample/sources.json")
first=${series%%,*}
middle=$("$engine_py" -c 'import sys; r = sys.argv[1].split(","); print(r[len(r) // 2])' \
         "$series")
satseg grid --image "$first" --labels "$out/sample/labels.tif" --output "$out/grid.gpkg" \
    --patch-size 64 --split-method blocks --block-size 2 --overwrite
satseg extract --source "images=$series" --source "s1=$out/sample/s1.tif" \
    --labels "$out/sample/labels.tif" --grid "$out/grid.gpkg" --output-dir "$out/dataset" \
    --overwrite
satseg info "$out/dataset"
rm -rf "$out/model"
satseg train --dataset "$out/dataset" --output-dir "$out/model" --epochs "$epochs" \
    --batch-size 8 --model.architecture custom_unet --model.base-width 16 \
    --model.fusion early --optim.lr 0.002 --data.num_workers 2
satseg predict --checkpoint "$out/model/best_iou.pt" --source "images=$series" \
    --source "s1=$out/sample/s1.tif" --output-dir "$out/prediction" --name scene
evaluation=$(summary evaluate --prediction "$out/prediction/scene_classes.tif" \
    --labels "$out/sample/labels.tif" --output-dir "$out/prediction" --name scene)
miou=$(printf '%s' "$evaluation" | "$engine_py" -c \
    'import json, sys; print(round(json.load(sys.stdin)["summary"]["miou"], 3))')
echo; echo "== satseg evaluate: mIoU over the whole scene = $miou"
satseg overview --image "$middle" --labels "$out/sample/labels.tif" \
    --prediction "$out/prediction/scene_classes.tif" \
    --confidence "$out/prediction/scene_confidence.tif" --output "$out/overview.png" \
    --title "satseg demo-fusion: 6 optical dates + radar, early fusion, scene mIoU $miou"
echo
echo "demo-fusion outputs are in $out/: overview.png shows the result"
