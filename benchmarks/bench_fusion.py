"""Where fusion pays: single-source and single-date models against fusion and temporal models.

On one `satseg sample --sources` scene (a 6-date Sentinel-2-like series on the primary grid and a
Sentinel-1-like radar image at 20 m in the neighbouring UTM zone; two grassland classes differ
only in radar backscatter, two crop classes only in when they green up), every model gets the
same budget: the same patches (64 px, spatially blocked train/validation/test), epochs, batch
size, learning rate, seed and network family (the custom U-Net, or streams of its encoder, base
width 16). Each training runs in its own process (`python -m satseg_engine train`), so its wall
time and peak memory are its own. Reported per model: best validation mIoU, mIoU on the held-out
test blocks (never seen in training or model selection), IoU of the four classes that need
fusion, seconds per epoch and peak resident memory.

    python benchmarks/bench_fusion.py [--size 1536] [--epochs 25] [--only "early,mid film"]
        [--plot docs/fusion-benchmark.png] [--keep DIR]   (DIR/results.json holds the rows)
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from measure import measure

#: name -> (dataset, train flags). Datasets: "date" = one optical date, "all" = series + radar.
MODELS: dict[str, tuple[str, list[str]]] = {
    "s2 one date": ("date", []),
    "s1 only": ("all", ["--data.sources", "s1"]),
    "s2 series (stack)": ("all", ["--data.sources", "images"]),
    "early": ("all", ["--model.fusion", "early"]),
    "mid concat": ("all", ["--model.fusion", "mid", "--model.fusion-method", "concat"]),
    "mid attention": ("all", ["--model.fusion", "mid", "--model.fusion-method", "attention"]),
    "mid film": ("all", ["--model.fusion", "mid", "--model.fusion-method", "film"]),
    "mid cross-attention": ("all", ["--model.fusion", "mid", "--model.fusion-method",
                                    "cross_attention"]),
    "mid film+cross": ("all", ["--model.fusion", "mid", "--model.fusion-method", "film_cross"]),
    "late": ("all", ["--model.fusion", "late"]),
    "s2 series U-TAE": ("all", ["--data.sources", "images", "--model.temporal", "utae"]),
    "U-TAE + s1 (mid)": ("all", ["--model.fusion", "mid", "--model.temporal", "utae"]),
    "3D U-Net + s1 (mid)": ("all", ["--model.fusion", "mid", "--model.temporal", "unet3d"]),
}
FUSION_CLASSES = ("wet grassland", "grassland", "single-season crop", "double-season crop")


def satseg(*args: str) -> dict:
    """A verb's `done` summary (exits with the engine's error otherwise)."""
    _wall, _peak, out = measure([sys.executable, "-m", "satseg_engine", *args,
                                 "--progress", "json"])
    last = json.loads(out.splitlines()[-1])
    if last["type"] != "done":
        raise SystemExit(f"satseg {args[0]} failed: {last}")
    return last["summary"]


def make_data(root: Path, size: int) -> dict[str, Path]:
    """The sample scene and the two datasets (one optical date; series + radar)."""
    sample = root / "sample"
    satseg("sample", "--sources", "--output-dir", str(sample), "--width", str(size),
           "--height", str(size))
    listed = json.loads((sample / "sources.json").read_text())
    series = listed["images"]["rasters"]
    middle = series[len(series) // 2]  # mid-season: the most informative single date
    common = ["--labels", str(sample / "labels.tif"), "--patch-size", "64",
              "--split-method", "blocks", "--block-size", "2", "--seed", "7"]
    satseg("grid", "--image", series[0], "--output", str(root / "grid.gpkg"), *common)
    grid = ["--grid", str(root / "grid.gpkg"), "--labels", str(sample / "labels.tif")]
    satseg("extract", "--image", middle, *grid, "--output-dir", str(root / "date"))
    satseg("extract", "--source", "images=" + ",".join(series), "--source",
           "s1=" + ",".join(listed["s1"]["rasters"]), *grid, "--output-dir", str(root / "all"))
    return {"date": root / "date", "all": root / "all"}


def epoch_seconds(events: list[dict]) -> float:
    """Median time between consecutive validation metrics (one epoch, warm)."""
    times = [e["t"] for e in events if e["type"] == "metric" and e.get("split") == "validation"
             and e.get("step") is None and e.get("stage") == "train"]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    return statistics.median(gaps) if gaps else float("nan")


def train(name: str, data: Path, flags: list[str], root: Path, args: argparse.Namespace
          ) -> dict:
    out = root / "models" / name.replace(" ", "_").replace("+", "").replace("(", "").replace(
        ")", "")
    cmd = [sys.executable, "-m", "satseg_engine", "train", "--dataset", str(data),
           "--output-dir", str(out), "--epochs", str(args.epochs), "--batch-size", "8",
           "--model.architecture", "custom_unet", "--model.base-width", "16",
           "--optim.lr", "0.002", "--seed", "1", "--data.num-workers", "0",
           "--progress", "json", *flags]
    wall, peak, out_text = measure(cmd)
    events = [json.loads(line) for line in out_text.splitlines() if line.strip()]
    summary = events[-1]["summary"]
    test = summary.get("test") or {}
    per_class = test.get("per_class", {})
    return {"model": name, "val_miou": summary["validation"]["miou"],
            "test_miou": test.get("miou"), "epoch_s": epoch_seconds(events),
            "wall_s": wall, "peak_mib": peak,
            **{c: per_class.get(c, {}).get("iou") for c in FUSION_CLASSES}}


def show(rows: list[dict]) -> None:
    head = (f"{'model':22}{'val mIoU':>9}{'test mIoU':>10}{'wet gr.':>8}{'grass':>7}"
            f"{'crop 1':>8}{'crop 2':>8}{'s/epoch':>9}{'peak MiB':>9}")
    print(head)
    for r in rows:
        cells = [r["val_miou"], r["test_miou"], *[r[c] for c in FUSION_CLASSES]]
        text = "".join(f"{v:>{w}.3f}" if v is not None else f"{'-':>{w}}"
                       for v, w in zip(cells, (9, 10, 8, 7, 8, 8), strict=True))
        print(f"{r['model']:22}{text}{r['epoch_s']:>9.1f}{r['peak_mib']:>9.0f}")


def plot(rows: list[dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = [r["model"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 0.42 * len(rows) + 1.6),
                                      gridspec_kw={"width_ratios": [1, 1.4]})
    y = np.arange(len(rows))
    left.barh(y - 0.2, [r["val_miou"] for r in rows], 0.4, label="validation", color="#9ecae1")
    left.barh(y + 0.2, [r["test_miou"] or 0 for r in rows], 0.4, label="held-out test",
              color="#08519c")
    left.set_yticks(y, names)
    left.invert_yaxis()
    left.set_xlabel("mIoU")
    left.set_xlim(0, 1)
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=2, fontsize=8,
                frameon=False)
    grid = np.array([[r[c] if r[c] is not None else np.nan for c in FUSION_CLASSES]
                     for r in rows])
    shown = right.imshow(grid, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    right.set_xticks(range(len(FUSION_CLASSES)), FUSION_CLASSES, rotation=20, fontsize=8)
    right.set_yticks(y, names)
    for (i, j), value in np.ndenumerate(grid):
        if not np.isnan(value):
            right.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7,
                       color="white" if value < 0.6 else "black")
    right.set_title("test IoU of the classes that need radar (grasslands) or dates (crops)",
                    fontsize=9)
    fig.colorbar(shown, ax=right, fraction=0.03)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1536, help="scene side in pixels")
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--only", default="", help="comma-separated model names (default all)")
    parser.add_argument("--plot", type=Path, default=None, help="PNG of the results")
    parser.add_argument("--keep", type=Path, default=None, help="work folder to keep")
    parser.add_argument("--results", type=Path, default=None,
                        help="show (and --plot) the results.json of an earlier run; train nothing")
    args = parser.parse_args()
    title = (f"satseg sample --sources, {args.size}² px, 64-px patches, {args.epochs} epochs "
             f"each, custom U-Net family (width 16)")
    if args.results:
        rows = json.loads(args.results.read_text())
        show(rows)
        if args.plot:
            plot(rows, args.plot, title)
        return
    chosen = [m.strip() for m in args.only.split(",") if m.strip()] or list(MODELS)
    unknown = [m for m in chosen if m not in MODELS]
    if unknown:
        raise SystemExit(f"unknown models {unknown}; valid: {', '.join(MODELS)}")
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_fusion_"))
    root.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    datasets = make_data(root, args.size)
    info = json.loads((datasets["all"] / "dataset.json").read_text())
    print(f"scene {args.size}² px; patches {info['splits']['train']['patches']} train / "
          f"{info['splits']['validation']['patches']} validation / "
          f"{info['splits']['test']['patches']} test; {args.epochs} epochs each; data in "
          f"{time.monotonic() - started:.0f} s\n")
    rows = []
    for name in chosen:
        dataset, flags = MODELS[name]
        rows.append(train(name, datasets[dataset], flags, root, args))
        print(f"  {name}: test mIoU {rows[-1]['test_miou']:.3f} "
              f"({rows[-1]['wall_s']:.0f} s)", flush=True)
    print()
    show(rows)
    (root / "results.json").write_text(json.dumps(rows, indent=2))
    if args.plot:
        plot(rows, args.plot, title)
        print(f"\nplot: {args.plot}")


if __name__ == "__main__":
    main()
