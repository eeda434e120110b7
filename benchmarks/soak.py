"""Soak and load: the real CLI at scale, with the memory of the engine and its workers.

    python benchmarks/soak.py [--cells 100000] [--patch 16] [--epochs 50] [--predict-size 20000]
                              [--workdir DIR] [--doc docs/reliability-soak.md]

Each stage runs `python -m satseg_engine VERB --config job.json` in its own process; memory is the
summed resident memory (RSS) of the engine and all its descendants (extraction pool, DataLoader
workers), sampled with psutil every 50 ms (see benchmarks/measure.py; shared pages count once per
process, so the sum is an upper bound).

1. grid + extract: a generated 3-band uint16 raster just large enough for `--cells` cells of
   `--patch` px (100 000 cells of 16 px: 5 072² px), with class labels 1–4; a random split of
   98/1/1 % (validation is scored every epoch of stage 2); wall time and peak memory of each.
2. train: `--epochs` epochs of a small custom U-Net (depth 2, width 8, batch 32, 40 steps per
   epoch, no augmentation) on that dataset; the engine's tree RSS is sampled when each epoch's
   validation metric arrives. Reported: first, last, max, and the least-squares slope over the
   epochs after the first five, with the noise (standard deviation of the residuals) to judge it.
3. predict: a generated `--predict-size`² 3-band raster with a tiny custom U-Net (depth 1, width
   4, 256-px windows, random weights). The model is tiny on purpose: what is measured is the
   pipeline's memory (reading, blending, writing by rows), not the network's.

Prints a table and writes it, with the machine and the command, to `--doc` after every stage.
Each stage's figures are also kept in WORKDIR/soak-results.json, and the doc shows every stage
measured in that workdir: `--stages predict` (say) runs some stages only, in parallel with another
invocation or later; `--stages none` just writes the doc again.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from measure import TreeMemory, _tree_rss, measure

ROOT = Path(__file__).resolve().parents[1]
BANDS = 3
MIB = 2**20
TRAIN = {"epochs": 0, "batch_size": 32, "device": "cpu", "seed": 0,
         "model": {"architecture": "custom_unet", "depth": 2, "base_width": 8},
         "data": {"steps_per_epoch": 40}, "augment": {"enabled": False},
         "schedule": {"name": "none"}, "early_stopping": {"patience": 0}}
WARMUP_EPOCHS = 5
STAGES = ("grid", "extract", "train", "predict")


# -- inputs -------------------------------------------------------------------------------------
def write_scene(image: Path, labels: Path | None, size: int, seed: int = 0) -> None:
    """A smooth, compressible 3-band uint16 raster (+ labels 1–4 in irregular blocks),
    written in 512-row strips (memory stays small for any size)."""
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    profile = {"driver": "GTiff", "width": size, "height": size, "crs": "EPSG:32632",
               "transform": from_origin(500_000, 5_000_000, 10, 10), "tiled": True,
               "blockxsize": 256, "blockysize": 256, "compress": "deflate"}
    rng = np.random.default_rng(seed)
    cols = np.arange(size, dtype=np.float32)
    with rasterio.open(image, "w", count=BANDS, dtype="uint16", nodata=0, predictor=2,
                       **profile) as img:
        lab = rasterio.open(labels, "w", count=1, dtype="uint8", nodata=0, **profile) \
            if labels else None
        for row in range(0, size, 512):
            rows = min(512, size - row)
            y = np.arange(row, row + rows, dtype=np.float32)[:, None]
            base = [1000 + 400 * np.sin(cols / (37 + 11 * b)) * np.cos(y / (53 + 7 * b))
                    for b in range(BANDS)]
            noise = rng.integers(0, 64, (BANDS, rows, size))
            img.write((np.stack(base) + 500 + noise).astype(np.uint16),
                      window=Window(0, row, size, rows))
            if lab is not None:
                block = ((cols[None] // 97).astype(int) + (y // 61).astype(int)) % 4 + 1
                lab.write(block.astype(np.uint8)[None], window=Window(0, row, size, rows))
        if lab is not None:
            lab.close()


def write_checkpoint(path: Path, patch: int) -> None:
    """A tiny custom U-Net checkpoint (random weights) for `BANDS` bands and 3 classes."""
    import torch

    from satseg_engine.models import checkpoint
    from satseg_engine.models import registry as models

    classes = [{"value": v, "name": n, "colour": c} for v, n, c in
               ((1, "water", "#1f78b4"), (2, "forest", "#33a02c"), (3, "urban", "#e31a1c"))]
    kwargs = {"depth": 1, "base_width": 4, "dropout": 0.0}
    header = {"architecture": "custom_unet", "encoder": None, "model_kwargs": kwargs,
              "in_channels": BANDS, "band_names": [f"B{i + 1}" for i in range(BANDS)],
              "normalization": {"method": "standardize", "nodata": 0, "bands": [
                  {"name": f"B{i + 1}", "mean": 1500.0, "std": 400.0} for i in range(BANDS)]},
              "classes": classes, "patch_size": patch, "task": "multiclass"}
    torch.manual_seed(0)
    model = models.build_model("custom_unet", None, BANDS, len(classes), kwargs)
    checkpoint.save_checkpoint(path, header, model.state_dict())


# -- runs ---------------------------------------------------------------------------------------
def engine(verb: str, job: dict, folder: Path) -> tuple[float, float, dict]:
    """(wall seconds, peak tree RSS in MiB, done summary) of one verb."""
    path = folder / f"{verb}.json"
    path.write_text(json.dumps({"schema": 1, **job}))
    wall, peak, out = measure([sys.executable, "-m", "satseg_engine", verb, "--config",
                               str(path), "--progress", "json"])
    return wall, peak, json.loads(out.strip().splitlines()[-1])["summary"]


def train_sampled(job: dict, folder: Path) -> tuple[float, float, list[float]]:
    """Train, sampling the tree RSS (MiB) at each epoch's validation metric: (wall s, peak
    MiB, per-epoch MiB)."""
    path = folder / "train.json"
    path.write_text(json.dumps({"schema": 1, **job}))
    start = time.monotonic()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-m", "satseg_engine", "train", "--config",
                                 str(path), "--progress", "json"], stdout=subprocess.PIPE,
                                stderr=err, text=True)
        root = psutil.Process(proc.pid)
        sampler = TreeMemory(proc.pid)
        sampler.start()
        per_epoch: list[float] = []
        last = None
        for line in proc.stdout:
            event = json.loads(line)
            if event["type"] == "metric" and event["split"] == "validation":
                per_epoch.append(_tree_rss(root) / MIB)
            last = event
        sampler.halt.set()
        sampler.join()
        if proc.wait() != 0 or last is None or last["type"] != "done":
            err.seek(0)
            raise SystemExit(f"train failed: {last}\n{err.read()[-3000:]}")
    return time.monotonic() - start, sampler.peak / MIB, per_epoch


def slope(values: list[float]) -> tuple[float, float]:
    """Least-squares slope per step and the standard deviation of the residuals."""
    n = len(values)
    if n < 3:
        return 0.0, 0.0
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    sxx = sum((x - mean_x) ** 2 for x in range(n))
    b = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values)) / sxx
    residuals = [y - (mean_y + b * (x - mean_x)) for x, y in enumerate(values)]
    return b, math.sqrt(sum(r * r for r in residuals) / (n - 2))


# -- report -------------------------------------------------------------------------------------
def table(rows: list[tuple[str, ...]]) -> str:
    head = ("stage", "size", "wall", "peak memory", "notes")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def previous(path: Path) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Rows by stage and training paragraphs of an earlier `--doc` (kept by `--stages`)."""
    if not path.exists():
        return {}, []
    rows, training = {}, []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        if block.startswith("| stage"):
            for line in block.splitlines()[2:]:
                cells = tuple(c.strip() for c in line.strip().strip("|").split("|"))
                rows[cells[0]] = cells
        elif block.startswith(("Training memory", "Per-epoch")):
            training.append(block.strip())
    return rows, training


def ordered(rows: dict[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    return [rows[name] for name in ("grid", "extract", "train", "predict") if name in rows]


def write_doc(path: Path, rows: list[tuple[str, ...]], memory: dict | list[str] | None,
              command: str, note: str = "") -> None:
    """The figures so far as Markdown (written after every stage: a stopped run keeps them)."""
    machine = (f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU cores, "
               f"{psutil.virtual_memory().total / 2**30:.0f} GiB RAM, no GPU used")
    paragraphs = [
        "## Soak and load",
        f"Measured by `{command}` on {datetime.date.today().isoformat()} ({machine}). Each "
        "stage is one real `python -m satseg_engine` process; memory is the summed resident "
        "memory of the engine and its worker processes, sampled every 50 ms (shared library "
        "pages count once per process, so it is an upper bound). Prediction uses a tiny model "
        "on purpose (custom U-Net, depth 1, width 4, random weights): the memory measured is "
        "the pipeline's (reading, blending, writing), not the network's. Wall times depend on "
        "what else runs on the machine; the memory figures do not." + (f" {note}" if note else ""),
        table(rows),
    ]
    if isinstance(memory, dict):
        paragraphs += training_paragraphs(memory)
    elif memory:
        paragraphs += memory
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")


def training_paragraphs(memory: dict) -> list[str]:
    later = memory["epochs"] - WARMUP_EPOCHS
    return [
        f"Training memory per epoch (engine and DataLoader workers, sampled at each "
        f"validation): first {memory['first']:.0f} MiB, last {memory['last']:.0f} MiB, max "
        f"{memory['max']:.0f} MiB. After epoch {WARMUP_EPOCHS}, the least-squares slope is "
        f"{memory['slope']:+.2f} MiB/epoch against a noise of {memory['noise']:.2f} MiB "
        f"(standard deviation of the residuals), {memory['drift']:+.1f} MiB over {later} "
        f"epochs: {memory['verdict']}.",
        "Per-epoch resident memory (MiB): " + ", ".join(f"{v:.0f}" for v in memory["series"]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--patch", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--predict-size", type=int, default=20_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "reliability-soak.md")
    parser.add_argument("--steps-per-epoch", type=int, default=40)
    parser.add_argument("--note", default="", help="a sentence on the run (load, deviations)")
    parser.add_argument("--train-dataset", type=Path, default=None,
                        help="train on this patch dataset (default: the one stage 1 extracts)")
    parser.add_argument("--stages", default=",".join(STAGES),
                        help=f"stages to run, of {','.join(STAGES)}")
    args = parser.parse_args()
    stages = set(args.stages.split(",")) - {"none"}
    work = args.workdir or Path(tempfile.mkdtemp(prefix="satseg-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    side = math.ceil(math.sqrt(args.cells)) * args.patch
    for stale, stage in (("model", "train"), ("prediction", "predict")):
        if stage in stages:  # outputs of an earlier run of that stage in this workdir
            shutil.rmtree(work / stale, ignore_errors=True)
    command = (f"python benchmarks/soak.py --cells {args.cells} --patch {args.patch} --epochs "
               f"{args.epochs} --predict-size {args.predict_size}")
    results = work / "soak-results.json"
    header = (command, args.note)
    if "grid" in stages:
        publish(results, args.doc, header, "grid", grid(work, side, args.patch))
    if "extract" in stages:
        publish(results, args.doc, header, "extract", extract(work, args.patch))
    if "train" in stages:
        row, memory = train(work, args.epochs, args.train_dataset or work / "dataset",
                            args.steps_per_epoch)
        publish(results, args.doc, header, "train", row, training_paragraphs(memory))
    if "predict" in stages:
        publish(results, args.doc, header, "predict", predict(work, args.predict_size))
    publish(results, args.doc, header)
    print(f"\nwritten: {args.doc}")


def publish(results: Path, doc: Path, command: tuple[str, str], stage: str = "",
            row: tuple[str, ...] = (), training: list[str] | None = None) -> None:
    """Record a stage's figures in `results` and write the doc with every stage measured so far
    (rows of an earlier doc are kept for stages `results` does not have)."""
    kept, kept_training = previous(doc)
    data = json.loads(results.read_text()) if results.exists() else {"rows": {}, "training": []}
    if stage:
        data["rows"][stage] = list(row)
    if training is not None:
        data["training"] = training
    results.write_text(json.dumps(data, indent=1))
    rows = {**kept, **{name: tuple(cells) for name, cells in data["rows"].items()}}
    write_doc(doc, ordered(rows), data["training"] or kept_training, *command)
    if row:
        print(table([row]), flush=True)


def grid(work: Path, side: int, patch: int) -> tuple[str, ...]:
    scene, labels = work / "scene.tif", work / "labels.tif"
    if not scene.exists():
        write_scene(scene, labels, side)
    wall, peak, done = engine("grid", {
        "image": str(scene), "labels": str(labels), "output": str(work / "grid.gpkg"),
        "patch_size": patch, "split_method": "random", "ratios": [0.98, 0.01, 0.01],
        "overwrite": True}, work)
    return ("grid", f"{side}² px → {done['cells']:,} cells", f"{wall:.0f} s", f"{peak:.0f} MiB",
            f"{done['cells'] / wall:,.0f} cells/s")


def extract(work: Path, patch: int) -> tuple[str, ...]:
    wall, peak, done = engine("extract", {
        "image": str(work / "scene.tif"), "labels": str(work / "labels.tif"),
        "grid": str(work / "grid.gpkg"), "output_dir": str(work / "dataset"),
        "overwrite": True}, work)
    return ("extract", f"{done['patches']:,} patches of {patch} px", f"{wall:.0f} s",
            f"{peak:.0f} MiB", f"{done['patches'] / wall:,.0f} patches/s")


def train(work: Path, epochs: int, dataset: Path, steps: int
          ) -> tuple[tuple[str, ...], dict]:
    job = {**TRAIN, "epochs": epochs, "dataset": str(dataset), "output_dir": str(work / "model"),
           "data": {**TRAIN["data"], "steps_per_epoch": steps}}
    splits = json.loads((dataset / "dataset.json").read_text())["splits"]
    patches = sum(int(split["patches"]) for split in splits.values())
    wall, peak, per_epoch = train_sampled(job, work)
    b, noise = slope(per_epoch[WARMUP_EPOCHS:])
    drift = b * max(0, len(per_epoch) - WARMUP_EPOCHS)
    memory = {"first": per_epoch[0], "last": per_epoch[-1], "max": max(per_epoch),
              "series": per_epoch, "slope": b, "noise": noise, "drift": drift,
              "epochs": len(per_epoch),
              "verdict": "no growth beyond noise" if abs(drift) <= max(3 * noise, 8.0)
              else "GROWTH beyond noise"}
    row = ("train", f"{len(per_epoch)} epochs × {steps} batches of "
           f"{TRAIN['batch_size']} ({patches:,}-patch dataset)", f"{wall:.0f} s",
           f"{peak:.0f} MiB",
           f"RSS/epoch first {memory['first']:.0f}, last {memory['last']:.0f}, max "
           f"{memory['max']:.0f} MiB; slope {b:+.2f} MiB/epoch (noise {noise:.2f})")
    return row, memory


def predict(work: Path, size: int) -> tuple[str, ...]:
    big = work / f"predict_{size}.tif"
    if not big.exists():
        write_scene(big, None, size, seed=1)
    write_checkpoint(work / "tiny.pt", 256)
    wall, peak, done = engine("predict", {
        "raster": str(big), "checkpoint": str(work / "tiny.pt"),
        "output_dir": str(work / "prediction"), "device": "cpu"}, work)
    mpx = size ** 2 / 1e6
    return ("predict", f"{size:,}² px ({mpx:,.0f} Mpx), tiny model", f"{wall:.0f} s",
            f"{peak:.0f} MiB", f"{done.get('windows', '?')} windows of "
            f"{done.get('prediction_window', '?')} px; {mpx / wall:.2f} Mpx/s whole process")


if __name__ == "__main__":
    main()
