#!/usr/bin/env bash
# The main job on generated sample data, what `make demo` runs after setup:
# sample scene → grid → patch dataset → training → prediction over the whole scene → evaluation
# → overview picture → QGIS project with the styled layers. Training uses the engine's defaults
# ("auto": chosen for this dataset, printed at the start of the run) with a short epoch budget.
set -euo pipefail
engine_py=$1
out=${2:-demo-output}
size=${DEMO_SIZE:-2048}
epochs=${DEMO_EPOCHS:-15}
mkdir -p "$out"
out=$(cd "$out" && pwd)
satseg() { echo; echo "== satseg $1"; "$engine_py" -m satseg_engine "$@" --progress bar; }
summary() {  # the done summary of a JSON-events run, as compact JSON on stdout
    "$engine_py" -m satseg_engine "$@" --progress json | tail -n 1
}

satseg doctor --output-dir "$out"
satseg sample --output-dir "$out/sample" --width "$size" --height "$size" --overwrite
satseg grid --image "$out/sample/scene.tif" --labels "$out/sample/labels.tif" \
    --output "$out/grid.gpkg" --patch-size 128 --split-method blocks --block-size 4 --overwrite
satseg extract --image "$out/sample/scene.tif" --labels "$out/sample/labels.tif" \
    --grid "$out/grid.gpkg" --output-dir "$out/dataset" --overwrite
satseg preview "$out/dataset"
rm -rf "$out/model"
satseg train --dataset "$out/dataset" --output-dir "$out/model" --epochs "$epochs" \
    --optim.lr 0.002
satseg predict --raster "$out/sample/scene.tif" --checkpoint "$out/model/best_iou.pt" \
    --output-dir "$out/prediction" --name scene
evaluation=$(summary evaluate --prediction "$out/prediction/scene_classes.tif" \
    --labels "$out/sample/labels.tif" --output-dir "$out/prediction" --name scene)
miou=$(printf '%s' "$evaluation" | "$engine_py" -c \
    'import json, sys; print(round(json.load(sys.stdin)["summary"]["miou"], 3))')
rare=$(printf '%s' "$evaluation" | "$engine_py" -c '
import json, sys
s = json.load(sys.stdin)["summary"]
pixels = {name: sum(row) for name, row in zip(s["per_class"], s["confusion_matrix"])}
name = min((n for n in pixels if pixels[n]), key=pixels.get)
share, iou = 100 * pixels[name] / sum(pixels.values()), s["per_class"][name]["iou"]
print(f"{name} ({share:.1f} % of the pixels) IoU = {iou:.3f}")')
echo; echo "== satseg evaluate: mIoU over the whole scene = $miou"
echo "== the rarest class, $rare"
satseg overview --image "$out/sample/scene.tif" --labels "$out/sample/labels.tif" \
    --prediction "$out/prediction/scene_classes.tif" \
    --confidence "$out/prediction/scene_confidence.tif" --output "$out/overview.png" \
    --title "satseg demo: U-Net trained for $epochs epochs, scene mIoU $miou, $rare"
echo; echo "== QGIS project with the styled layers"
/usr/bin/python3 "$(dirname "$0")/demo_project.py" "$out" 2>/dev/null
echo
echo "demo outputs are in $out/: overview.png shows the result; open satseg-demo.qgz in QGIS"
