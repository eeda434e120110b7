"""Throughput and peak memory of `satseg predict` as the raster grows.

For each size (square, or SIZE rows × --tall-width columns; 10 bands uint16, generated) three
runs, each in its own process so that its peak resident memory (ru_maxrss) is its own:

* satseg  — the real CLI: `python -m satseg_engine predict --config job.json` (streams by rows);
* bare    — the model's forward over the same number of windows, no I/O: the throughput bound;
* naive   — what reference scripts do: read the whole raster, keep every window's probabilities
            in memory, blend them at the end, write the outputs.

    python benchmarks/bench_predict.py [--sizes 2000,5000,10000] [--overlap 0.25]

Prints a table. satseg's peak memory depends on the raster's width only (one row of windows is
held), so it stays flat as rasters grow taller (--tall-width) and grows linearly with the side of
square rasters; naive's grows with the area.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BANDS = 10
CLASSES = [{"value": v, "name": n, "colour": c} for v, n, c in
           ((1, "water", "#1f78b4"), (2, "forest", "#33a02c"), (3, "urban", "#e31a1c"))]


def make_raster(path: Path, height: int, size: int) -> None:
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    rng = np.random.default_rng(size)
    tile = rng.integers(200, 4000, (BANDS, 512, 512), dtype=np.uint16)
    with rasterio.open(path, "w", driver="GTiff", width=size, height=height, count=BANDS,
                       dtype="uint16", nodata=0, crs="EPSG:32632", tiled=True,
                       blockxsize=256, blockysize=256,
                       transform=from_origin(500_000, 4_000_000, 10, 10)) as dst:
        for row in range(0, height, 512):
            rows = min(512, height - row)
            block = np.tile(tile[:, :rows], (1, 1, size // 512 + 1))[:, :, :size]
            dst.write(np.roll(block, row // 512, axis=2), window=Window(0, row, size, rows))


def make_checkpoint(path: Path, patch: int, depth: int, width: int) -> None:
    import torch

    from satseg_engine.models import checkpoint
    from satseg_engine.models import registry as models

    kwargs = {"depth": depth, "base_width": width, "dropout": 0.0}
    header = {"architecture": "custom_unet", "encoder": None, "model_kwargs": kwargs,
              "in_channels": BANDS, "band_names": [f"B{i + 1}" for i in range(BANDS)],
              "normalization": {"method": "standardize", "nodata": 0, "bands": [
                  {"name": f"B{i + 1}", "mean": 2000.0, "std": 1000.0} for i in range(BANDS)]},
              "classes": CLASSES, "patch_size": patch, "task": "multiclass"}
    torch.manual_seed(0)
    model = models.build_model("custom_unet", None, BANDS, len(CLASSES), kwargs)
    checkpoint.save_checkpoint(path, header, model.state_dict())


# -- workers (run in a child process each) -----------------------------------------------------

def worker_bare(args: argparse.Namespace) -> dict:
    import torch

    from satseg_engine.models.checkpoint import load_model
    from satseg_engine.prediction.windows import plan_windows

    model, header = load_model(args.checkpoint, "cpu")
    patch = header["patch_size"]
    plan = plan_windows(args.height, args.size, patch, args.overlap)
    batch = torch.randn(args.batch_size, BANDS, patch, patch)
    start = time.perf_counter()
    with torch.inference_mode():
        for first in range(0, plan.count, args.batch_size):
            torch.softmax(model(batch[:min(args.batch_size, plan.count - first)]), dim=1)
    return {"seconds": time.perf_counter() - start, "windows": plan.count}


def worker_naive(args: argparse.Namespace) -> dict:
    import numpy as np
    import rasterio
    import torch

    from satseg_engine.data.normalization import normalize
    from satseg_engine.models.checkpoint import load_model
    from satseg_engine.prediction.blending import window_weights
    from satseg_engine.prediction.windows import plan_windows

    model, header = load_model(args.checkpoint, "cpu")
    patch = header["patch_size"]
    start = time.perf_counter()
    with rasterio.open(args.raster) as src:
        image, profile = src.read(), src.profile          # the whole raster in memory
    plan = plan_windows(args.height, args.size, patch, args.overlap)
    pad = ((0, 0), (plan.left, plan.rows[-1] + patch - args.height),
           (plan.left, plan.cols[-1] + patch - args.size))
    image = np.pad(image, pad, mode="reflect")
    origins = [(r + plan.left, c + plan.left) for r in plan.rows for c in plan.cols]
    outputs = []                                           # every window kept until the end
    with torch.inference_mode():
        for first in range(0, len(origins), args.batch_size):
            chunk = origins[first:first + args.batch_size]
            batch = np.stack([normalize(image[:, r:r + patch, c:c + patch],
                                        header["normalization"]) for r, c in chunk])
            outputs.append(torch.softmax(model(torch.from_numpy(batch)), 1).numpy())
    weights = window_weights(patch)
    total = np.zeros((len(CLASSES), image.shape[1], image.shape[2]), np.float32)
    norm = np.zeros(image.shape[1:], np.float32)
    for (r, c), probs in zip(origins, (p for batch in outputs for p in batch), strict=True):
        total[:, r:r + patch, c:c + patch] += probs * weights
        norm[r:r + patch, c:c + patch] += weights
    inner = (slice(None), slice(plan.left, plan.left + args.height),
             slice(plan.left, plan.left + args.size))
    probs = total[inner] / norm[inner[1:]]
    classes = (probs.argmax(0) + 1).astype(np.uint8)
    profile.update(count=1, dtype="uint8", nodata=255, compress="deflate")
    with rasterio.open(Path(args.raster).with_suffix(".naive.tif"), "w", **profile) as dst:
        dst.write(classes, 1)
    return {"seconds": time.perf_counter() - start, "windows": plan.count}


def measure(command: list[str]) -> tuple[float, float, str]:
    """Run `command` through a fresh helper process so that its peak RSS is reported alone."""
    probe = [sys.executable, "-c",
             "import json,resource,subprocess,sys,time;t=time.perf_counter();"
             "p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
             "w=time.perf_counter()-t;"
             "m=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024;"
             "sys.stderr.write(p.stderr[-3000:] if p.returncode else '');"
             "print(json.dumps({'rc':p.returncode,'wall':w,'peak_mb':m,'out':p.stdout}))",
             *command]
    proc = subprocess.run(probe, capture_output=True, text=True)
    result = json.loads(proc.stdout)
    if result["rc"] != 0:
        raise RuntimeError(f"{' '.join(command[:5])} failed:\n{proc.stderr}")
    return result["wall"], result["peak_mb"], result["out"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,5000,10000")
    parser.add_argument("--overlap", type=float, default=0.25)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--patch", type=int, default=256)
    parser.add_argument("--depth", type=int, default=1, help="custom_unet depth (tiny: 1)")
    parser.add_argument("--width", type=int, default=4, help="custom_unet base width")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--skip-naive-above", type=int, default=20000,
                        help="sizes above this skip the naive run (it needs the raster in RAM)")
    parser.add_argument("--worker", choices=("bare", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--raster", help=argparse.SUPPRESS)
    parser.add_argument("--checkpoint", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--height", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--tall-width", type=int, default=0,
                        help="if set: rasters this wide and SIZE tall (memory vs. height)")
    args = parser.parse_args()
    if args.worker:
        work = {"bare": worker_bare, "naive": worker_naive}[args.worker]
        print(json.dumps(work(args)))
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="satseg-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    ckpt = workdir / "model.pt"
    make_checkpoint(ckpt, args.patch, args.depth, args.width)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        width = args.tall_width or size
        raster = workdir / f"scene_{size}x{width}.tif"
        if not raster.exists():
            make_raster(raster, size, width)
        mpx = size * width / 1e6
        job = workdir / f"job_{size}.json"
        job.write_text(json.dumps({"schema": 1, "raster": str(raster), "checkpoint": str(ckpt),
                                   "output_dir": str(workdir / "out"), "overlap": args.overlap,
                                   "batch_size": args.batch_size, "device": "cpu"}))
        _wall, peak, out = measure([sys.executable, "-m", "satseg_engine", "predict",
                                   "--config", str(job)])
        done = json.loads(out.strip().splitlines()[-1])["summary"]
        seconds = done["prediction_seconds"]
        rows.append((f"{size}x{width}", "satseg", done["windows"], seconds, mpx / seconds, peak))
        common = [sys.executable, __file__, "--raster", str(raster), "--checkpoint", str(ckpt),
                  "--size", str(width), "--height", str(size), "--overlap", str(args.overlap),
                  "--batch-size", str(args.batch_size)]
        for mode in ("bare", "naive"):
            if mode == "naive" and size > args.skip_naive_above:
                continue
            _wall, peak, out = measure([*common, "--worker", mode])
            result = json.loads(out.strip().splitlines()[-1])
            rows.append((f"{size}x{width}", mode, result["windows"], result["seconds"],
                         mpx / result["seconds"], peak))
        for row in rows[-3:]:
            print(f"{row[0]:>11} {row[1]:<7} {row[2]:>7} {row[3]:>9.1f} {row[4]:>8.2f} "
                  f"{row[5]:>9.0f}", file=sys.stderr, flush=True)
    print(f"\npatch {args.patch}, overlap {args.overlap}, batch {args.batch_size}, "
          f"{BANDS} bands uint16, custom_unet depth {args.depth} width {args.width}, "
          f"{os.cpu_count()} CPUs")
    print(f"{'rows x cols':>11} {'run':<7} {'windows':>7} {'seconds':>9} {'Mpx/s':>8} "
          f"{'peak MB':>9}")
    for size, mode, windows, seconds, rate, peak in rows:
        print(f"{size:>11} {mode:<7} {windows:>7} {seconds:>9.1f} {rate:>8.2f} {peak:>9.0f}")


if __name__ == "__main__":
    main()
