"""How close `satseg predict` comes to the model's own speed, and what it costs in memory.

Same model (an smp U-Net/resnet18 with random weights saved as a satseg checkpoint, training
patch 256; --model tiny: the small custom U-Net), same generated raster (10 bands uint16, nodata
0 in one corner block), one run. Every row is its own process, timed the same way: the wall time
of the whole process (interpreter start and imports included) and its peak resident memory.
Every row ends as satseg's engine does, without the interpreter's teardown (1.3-2 s of freeing
torch's modules), and runs with satseg's allocator setting (large tensors on huge pages, set by
importing satseg_engine):

* (a) bound     the bare model forward (+ softmax) over the minimal set of training-patch
                windows that covers the raster once, on random inputs: no I/O at all; the
                network runs as (b) runs it (precision, layout, batch norms folded);
  a-satseg      the same in the process settings `satseg predict` makes for its helper
                threads (glibc: 2 malloc arenas, buffers of 1 MB and more mapped and unmapped,
                which bounds memory; OpenMP threads that sleep when idle): how much of the gap
                those settings are;
* (b) default   `python -m satseg_engine predict` with its defaults;
* (c) patch     the same with the training patch at half overlap (window patch, overlap 0.5):
                satseg's default before large windows;
* (d) reference what research scripts do: the whole raster in memory, 512-px windows with a
                128-px overlap, a batch of one, probabilities averaged over the whole raster,
                then classes and confidence written (nodata kept).

    python benchmarks/bench_predict.py [--sizes 2000,5000,10000] [--rows a,b,c,d] [--backends]
                                       [--repeats N]

Prints a table (Mpx/s = raster megapixels / wall seconds; CPU s = user + system seconds of the
row's process, all threads: the work done, whatever the cores), the ratios (b)/(a) and (d)/(b) of
wall time, and how well (b) agrees with (c) (class maps, mean |Δ confidence|). --backends adds
rows of (b) with one switch changed each (contiguous layout, 1 thread, bfloat16 autocast,
float32, batch norms not folded), and how (b) agrees with b-float32 (what the default
precision changes).
Then, for (a) and (b), the CPU seconds by thread (Linux): the main thread with its OpenMP workers
(named after the interpreter: startup and the model) and satseg's helpers (satseg-reader,
satseg-blend, satseg-writer, each with the OpenMP workers it starts): what the helpers cost the
model on a machine whose cores are all busy.
--repeats N runs every row N times, round after round (so a machine whose speed drifts slows
all rows alike), and prints each row's median and the ratio of each round besides the medians'.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import run_measured

BANDS = 10
PATCH = 256
CLASSES = [{"value": v, "name": n, "colour": c} for v, n, c in
           ((1, "water", "#1f78b4"), (2, "forest", "#33a02c"), (3, "urban", "#e31a1c"))]
MODELS = {"unet18": ("Unet", "resnet18", {}),
          "tiny": ("custom_unet", None, {"depth": 2, "base_width": 8, "dropout": 0.0})}
BACKEND_ROWS = {"b-contiguous": {"channels_last": False}, "b-1-thread": {"threads": 1},
                "b-bfloat16": {"precision": "bfloat16"}, "b-float32": {"precision": "float32"},
                "b-unfolded": {"fold_batch_norm": False}}


def make_raster(path: Path, size: int) -> None:
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    rng = np.random.default_rng(size)
    tile = rng.integers(200, 4000, (BANDS, 512, 512), dtype=np.uint16)
    with rasterio.open(path, "w", driver="GTiff", width=size, height=size, count=BANDS,
                       dtype="uint16", nodata=0, crs="EPSG:32632", tiled=True,
                       blockxsize=256, blockysize=256, compress="deflate",
                       transform=from_origin(500_000, 4_000_000, 10, 10)) as dst:
        for row in range(0, size, 512):
            rows = min(512, size - row)
            block = np.tile(tile[:, :rows], (1, 1, size // 512 + 1))[:, :, :size]
            block = np.roll(block, row // 512 * 37, axis=2)
            if row < size // 10:                         # a nodata corner
                block[:, :, :size // 10] = 0
            dst.write(block, window=Window(0, row, size, rows))


def make_checkpoint(path: Path, model_name: str) -> None:
    import torch

    from satseg_engine.models import checkpoint
    from satseg_engine.models import registry as models

    architecture, encoder, kwargs = MODELS[model_name]
    header = {"architecture": architecture, "encoder": encoder, "model_kwargs": kwargs,
              "in_channels": BANDS, "band_names": [f"B{i + 1}" for i in range(BANDS)],
              "normalization": {"method": "standardize", "nodata": 0, "bands": [
                  {"name": f"B{i + 1}", "mean": 2000.0, "std": 1000.0} for i in range(BANDS)]},
              "classes": CLASSES, "patch_size": PATCH, "task": "multiclass"}
    torch.manual_seed(0)
    model = models.build_model(architecture, encoder, BANDS, len(CLASSES), kwargs)
    checkpoint.save_checkpoint(path, header, model.state_dict())


# -- workers (each row runs in a process of its own) --------------------------------------------

def worker_bound(args: argparse.Namespace) -> dict:
    """(a): the model alone over ceil(H/256) × ceil(W/256) windows, same backend as (b), with
    glibc's and OpenMP's defaults; a-satseg (worker bound-satseg): the same in the process
    settings of `satseg predict` (its glibc limits and OpenMP wait policy)."""
    if args.worker == "bound-satseg":
        from types import SimpleNamespace

        from satseg_engine.prediction import bound_malloc, resolve_device

        bound_malloc()
        resolve_device(SimpleNamespace(device="cpu"))   # before torch: its OpenMP policy
    import torch

    from satseg_engine.models.checkpoint import load_model
    from satseg_engine.prediction.backend import choose_backend
    from satseg_engine.prediction.model import Predictor

    backend = choose_backend(torch.device("cpu"))
    model, header = load_model(args.checkpoint, "cpu")
    predictor = Predictor(model, header, torch.device("cpu"), backend.dtype,
                          backend.channels_last, fold_batch_norm=backend.fold_batch_norm)
    model = predictor.model            # folded and channels-last like (b)'s
    count = math.ceil(args.size / PATCH) ** 2
    batch = torch.randn(8, BANDS, PATCH, PATCH).contiguous(memory_format=torch.channels_last)
    autocast = torch.autocast("cpu", dtype=backend.dtype or torch.float32,
                              enabled=backend.dtype is not None)
    with torch.inference_mode(), autocast:
        for first in range(0, count, 8):
            torch.softmax(model(batch[:min(8, count - first)]).float(), dim=1)
    return {"windows": count, "computed_mpx": count * PATCH * PATCH / 1e6,
            "backend": f"{backend.describe()}, {predictor.folded} batch norms folded"}


def worker_reference(args: argparse.Namespace) -> dict:
    """(d): whole raster in memory, 512-px windows, 128-px overlap, batch of one."""
    import numpy as np
    import rasterio
    import torch

    from satseg_engine.data.normalization import normalize
    from satseg_engine.models.checkpoint import load_model

    model, header = load_model(args.checkpoint, "cpu")
    model.eval()
    window, stride = 512, 384
    with rasterio.open(args.raster) as src:
        image, profile = src.read(), src.profile            # the whole raster in memory
    height, width = image.shape[1:]
    nodata = (image == 0).all(axis=0)
    total = np.zeros((len(CLASSES), height, width), np.float32)
    count = np.zeros((height, width), np.float32)
    rows = sorted({min(r, max(0, height - window)) for r in range(0, height, stride)})
    cols = sorted({min(c, max(0, width - window)) for c in range(0, width, stride)})
    with torch.inference_mode():
        for r in rows:
            for c in cols:
                chunk = image[:, r:r + window, c:c + window].astype(np.float32)
                x = torch.from_numpy(normalize(chunk, header["normalization"]))[None]
                probs = torch.softmax(model(x), 1)[0].numpy()
                total[:, r:r + window, c:c + window] += probs
                count[r:r + window, c:c + window] += 1
    probs = total / count
    classes = np.asarray([c["value"] for c in CLASSES], np.uint8)[probs.argmax(0)]
    classes[nodata] = 255
    confidence = probs.max(0)
    confidence[nodata] = -1
    profile.update(count=1, dtype="uint8", nodata=255, compress="deflate", tiled=True)
    stem = Path(args.out) / "reference"
    with rasterio.open(f"{stem}_classes.tif", "w", **profile) as dst:
        dst.write(classes, 1)
    profile.update(dtype="float32", nodata=-1, predictor=3)
    with rasterio.open(f"{stem}_confidence.tif", "w", **profile) as dst:
        dst.write(confidence, 1)
    return {"windows": len(rows) * len(cols),
            "computed_mpx": len(rows) * len(cols) * window * window / 1e6}


# -- the driver ----------------------------------------------------------------------------------

def satseg_row(workdir: Path, raster: Path, ckpt: Path, name: str, extra: dict) -> list[str]:
    job = workdir / f"job_{name}.json"
    job.write_text(json.dumps({"schema": 1, "raster": str(raster), "checkpoint": str(ckpt),
                               "output_dir": str(workdir / "out"), "name": name,
                               "device": "cpu", **extra}))
    return [sys.executable, "-m", "satseg_engine", "predict", "--config", str(job)]


def run_row(row: str, size: int, workdir: Path, raster: Path, ckpt: Path) -> dict:
    extra = {"b": {}, "c": {"window": "patch", "overlap": 0.5}, **BACKEND_ROWS}.get(row)
    threads: dict[str, float] = {}       # CPU s by OS thread name, sampled on every row alike
    if extra is not None:
        wall, peak, cpu, out = run_measured(satseg_row(workdir, raster, ckpt, f"{row}_{size}",
                                                       extra), thread_cpu=threads)
        events = [json.loads(line) for line in out.splitlines() if line.strip()]
        summary = events[-1]["summary"]
        logs = [e["message"] for e in events if e["type"] == "log"]
        note = "; ".join(m for m in logs if m.startswith(("backend", "windows", "batch norm")))
        window = summary["prediction_window"]
        result = {"windows": summary["windows"],
                  "computed_mpx": summary["windows"] * window * window / 1e6, "note": note}
    else:
        worker = {"a": "bound", "a-satseg": "bound-satseg", "d": "reference"}[row]
        wall, peak, cpu, out = run_measured([sys.executable, __file__, "--worker", worker,
                                             "--raster", str(raster), "--checkpoint", str(ckpt),
                                             "--size", str(size), "--out", str(workdir / "out")],
                                            thread_cpu=threads)
        result = json.loads(out.strip().splitlines()[-1])
        result["note"] = result.pop("backend", "")
    return {**result, "row": row, "size": size, "wall": wall, "peak_mb": peak, "cpu": cpu,
            "threads": threads}


def thread_breakdown(runs: list[dict]) -> str:
    """A row's CPU seconds by thread name, the mean over its rounds: satseg's helpers (reader,
    blend, writer, with the OpenMP workers each starts) against the main thread's (startup and
    the model, with its OpenMP workers), which keeps the interpreter's name."""
    names = {name for run in runs for name in run["threads"]}
    mean = {name: statistics.fmean(run["threads"].get(name, 0.0) for run in runs)
            for name in names}
    return ", ".join(f"{name} {seconds:.1f}" for name, seconds in
                     sorted(mean.items(), key=lambda item: -item[1]) if seconds >= 0.05)


def agreement(workdir: Path, size: int, row: str = "b", other: str = "c") -> tuple[float, float]:
    """Class agreement and mean |Δ confidence| of one row against another, valid pixels."""
    import numpy as np
    import rasterio

    def read(name: str) -> np.ndarray:
        with rasterio.open(workdir / "out" / name) as src:
            return src.read(1)

    b, c = read(f"{row}_{size}_classes.tif"), read(f"{other}_{size}_classes.tif")
    valid = c != 255
    conf_b, conf_c = read(f"{row}_{size}_confidence.tif"), read(f"{other}_{size}_confidence.tif")
    return float((b[valid] == c[valid]).mean()), float(np.abs(conf_b - conf_c)[valid].mean())


def _ratio(runs: dict[str, list[dict]], top: str, bottom: str) -> str:
    """The wall-time ratio top/bottom: of the medians, and of each round (same minutes)."""
    tops, bottoms = [r["wall"] for r in runs[top]], [r["wall"] for r in runs[bottom]]
    text = f"({top})/({bottom}) wall {statistics.median(tops) / statistics.median(bottoms):.2f}"
    if len(tops) > 1:
        text += " (rounds " + ", ".join(f"{t / b:.2f}" for t, b in zip(tops, bottoms,
                                                                       strict=True)) + ")"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,5000,10000")
    parser.add_argument("--rows", default="a,b,c,d",
                        help="rows to run, in order (a, a-satseg, b, c, d)")
    parser.add_argument("--model", choices=sorted(MODELS), default="unet18")
    parser.add_argument("--backends", action="store_true", help="add (b) with one switch off")
    parser.add_argument("--repeats", type=int, default=1,
                        help="rounds of every row (interleaved); medians and per-round ratios")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--worker", choices=("bound", "bound-satseg", "reference"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--raster", help=argparse.SUPPRESS)
    parser.add_argument("--checkpoint", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        work = {"bound": worker_bound, "bound-satseg": worker_bound,
                "reference": worker_reference}[args.worker]
        print(json.dumps(work(args)), flush=True)
        os._exit(0)   # as satseg ends (core/cli.py): no interpreter teardown, on every row
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="satseg-bench-"))
    (workdir / "out").mkdir(parents=True, exist_ok=True)
    ckpt = workdir / f"model_{args.model}.pt"
    make_checkpoint(ckpt, args.model)
    rows = args.rows.split(",") + (list(BACKEND_ROWS) if args.backends else [])
    print(f"model {args.model} {MODELS[args.model][:2]}, patch {PATCH}, {BANDS} bands uint16, "
          f"{os.cpu_count()} CPUs; wall = whole process, startup included", flush=True)
    print(f"{'size':>6} {'row':<13} {'windows':>7} {'computed Mpx':>12} {'wall s':>8} "
          f"{'Mpx/s':>7} {'peak MB':>8} {'CPU s':>7}  choices", flush=True)
    for size in (int(s) for s in args.sizes.split(",")):
        raster = workdir / f"scene_{size}.tif"
        if not raster.exists():
            make_raster(raster, size)
        runs: dict[str, list[dict]] = {row: [] for row in rows}
        for repeat in range(args.repeats):      # rounds: every row once, in order
            for row in rows:
                result = run_row(row, size, workdir, raster, ckpt)
                runs[row].append(result)
                label = row if args.repeats == 1 else f"{row} #{repeat + 1}"
                print(f"{size:>6} {label:<13} {result['windows']:>7} "
                      f"{result['computed_mpx']:>12.1f} {result['wall']:>8.1f} "
                      f"{size * size / 1e6 / result['wall']:>7.3f} {result['peak_mb']:>8.0f} "
                      f"{result['cpu']:>7.1f}  {result['note']}", flush=True)
        if args.repeats > 1:
            for row in rows:
                walls = [r["wall"] for r in runs[row]]
                print(f"{size:>6} {row + ' median':<13} {'':>7} {'':>12} "
                      f"{statistics.median(walls):>8.1f} "
                      f"{size * size / 1e6 / statistics.median(walls):>7.3f} "
                      f"{max(r['peak_mb'] for r in runs[row]):>8.0f} "
                      f"{statistics.median(r['cpu'] for r in runs[row]):>7.1f}  "
                      f"walls {', '.join(f'{w:.1f}' for w in walls)}; peak: the largest",
                      flush=True)
        ratios = [_ratio(runs, top, bottom) for top, bottom in (("b", "a"), ("b", "a-satseg"),
                                                                 ("d", "b"), ("c", "b"))
                  if top in runs and bottom in runs]
        if all((workdir / "out" / f"{r}_{size}_classes.tif").exists() for r in "bc"):
            agree, mad = agreement(workdir, size)   # (c) may come from an earlier run here
            ratios.append(f"(b) vs (c): classes agree {agree:.4f}, mean |Δconf| {mad:.4f}")
        if {"b", "b-float32"} <= runs.keys():
            agree, mad = agreement(workdir, size, "b", "b-float32")
            ratios.append(f"(b) vs b-float32: classes agree {agree:.4f}, mean |Δconf| {mad:.4f}")
        if ratios:
            print(f"{size:>6} " + "; ".join(ratios), flush=True)
        for row in ("a", "b"):
            if runs.get(row) and runs[row][0]["threads"]:
                print(f"{size:>6} ({row}) CPU s by thread: {thread_breakdown(runs[row])}",
                      flush=True)


if __name__ == "__main__":
    main()
