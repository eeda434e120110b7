"""Patches per second and peak memory of `satseg extract` against a naive per-cell masked crop.

A scene (default 10 000 × 10 000 px, 10 bands uint16, tiled 512 and DEFLATE-compressed like a
typical analysis-ready product) and a class raster are generated block by block. Then, each in
its own process, timed the same way (wall time of the whole process, start-up included):

* naive    — the baseline, one process: what reference scripts do: for each cell of the same
             grid, `rasterio.mask.mask(src, [cell_polygon], crop=True)` on the image and on the
             labels, then write both patches (same compression);
* satseg-1 — `python -m satseg_engine extract --workers 1`: one process, like the baseline;
* satseg   — the same with `--workers` (0 = auto: a process pool).

    python benchmarks/bench_extract.py [--size 5000] [--patch-size 256] [--workers 0]

Prints a table with ratios against the baseline. Peak memory is the summed resident memory of a
run's process and all its workers (benchmarks/measure.py), so a pool pays for every worker.
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

from measure import measure

BANDS = 10


def make_scene(folder: Path, size: int) -> tuple[Path, Path]:
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    rng = np.random.default_rng(size)
    tile = rng.integers(200, 4000, (BANDS, 512, 512), dtype=np.uint16)
    classes = rng.integers(0, 7, (512, 512), dtype=np.uint8)
    common = {"driver": "GTiff", "width": size, "height": size, "crs": "EPSG:32632",
              "transform": from_origin(500_000, 5_000_000, 10, 10), "tiled": True,
              "blockxsize": 512, "blockysize": 512, "compress": "deflate"}
    image, labels = folder / "scene.tif", folder / "labels.tif"
    with rasterio.open(image, "w", count=BANDS, dtype="uint16", nodata=0, **common) as dst, \
            rasterio.open(labels, "w", count=1, dtype="uint8", nodata=0, **common) as lab:
        for row in range(0, size, 512):
            for col in range(0, size, 512):
                h, w = min(512, size - row), min(512, size - col)
                shift = (row // 512 * 7 + col // 512 * 13) % 512
                window = Window(col, row, w, h)
                dst.write(np.roll(tile, shift, axis=2)[:, :h, :w], window=window)
                lab.write(np.roll(classes, shift, axis=1)[None, :h, :w], window=window)
    return image, labels


NAIVE = r'''
import sys, json, time
from pathlib import Path
import geopandas as gpd, rasterio, rasterio.mask
image, labels, grid, out = sys.argv[1:5]
cells = gpd.read_file(grid, layer="grid")
out = Path(out); out.mkdir(parents=True, exist_ok=True)
bad = 0
start = time.monotonic()
with rasterio.open(image) as src, rasterio.open(labels) as lab:
    for i, geom in enumerate(cells.geometry):
        data, transform = rasterio.mask.mask(src, [geom], crop=True)
        label, _ = rasterio.mask.mask(lab, [geom], crop=True)
        bad += data.shape[1:] != (int(cells["size"].iloc[i]),) * 2
        profile = {"driver": "GTiff", "height": data.shape[1], "width": data.shape[2],
                   "crs": src.crs, "transform": transform, "compress": "deflate",
                   "predictor": 2}
        with rasterio.open(out / f"{i}.tif", "w", count=data.shape[0], dtype=data.dtype,
                           nodata=src.nodata, **profile) as dst:
            dst.write(data)
        with rasterio.open(out / f"{i}_label.tif", "w", count=1, dtype="uint8", nodata=255,
                           **profile) as dst:
            dst.write(label)
print(json.dumps({"patches": len(cells), "bad_shapes": bad,
                  "seconds": time.monotonic() - start}))
'''


def run_satseg(tmp: Path, image: Path, labels: Path, args: argparse.Namespace, workers: int,
               name: str) -> dict[str, float]:
    job = {"schema": 1, "image": str(image), "labels": str(labels), "grid": str(tmp / "grid.gpkg"),
           "output_dir": str(tmp / name), "workers": workers, "max_nodata_frac": 1.0}
    (tmp / f"{name}.json").write_text(json.dumps(job))
    seconds, rss, out = measure([sys.executable, "-m", "satseg_engine", "extract", "--config",
                                 str(tmp / f"{name}.json")])
    summary = json.loads(out.strip().splitlines()[-1])["summary"]
    return {"patches": summary["patches"], "seconds": seconds, "rss": rss,
            "workers": summary["workers"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="scene side in pixels")
    parser.add_argument("--patch-size", type=int, default=256)
    parser.add_argument("--workers", type=int, default=0, help="satseg workers (0 = auto)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_extract_"))
    t0 = time.monotonic()
    image, labels = make_scene(tmp, args.size)
    print(f"scene {args.size}×{args.size}×{BANDS} uint16 ({image.stat().st_size / 2**20:.0f} MiB "
          f"on disk) generated in {time.monotonic() - t0:.1f} s; cpu count {os.cpu_count()}",
          file=sys.stderr)
    subprocess.run([sys.executable, "-m", "satseg_engine", "grid", "--image", str(image),
                    "--output", str(tmp / "grid.gpkg"), "--patch-size", str(args.patch_size)],
                   check=True, capture_output=True)  # one grid for every run (not timed)
    seconds, rss, out = measure([sys.executable, "-c", NAIVE, str(image), str(labels),
                                 str(tmp / "grid.gpkg"), str(tmp / "naive")])
    naive = json.loads(out)
    rows = {"naive": {"patches": naive["patches"], "seconds": seconds, "rss": rss,
                      "workers": 1},
            "satseg-1": run_satseg(tmp, image, labels, args, 1, "ds1"),
            "satseg": run_satseg(tmp, image, labels, args, args.workers, "ds")}
    base = rows["naive"]
    print(f"\nextract {args.size}×{args.size} px, {BANDS} bands uint16, patch "
          f"{args.patch_size}; baseline: naive (one process); cpu count {os.cpu_count()}")
    print(f"{'run':<10}{'workers':>8}{'patches':>9}{'seconds':>9}{'patches/s':>11}"
          f"{'peak MiB':>10}{'speed ×':>9}{'mem ×':>7}")
    for name, r in rows.items():
        rate = r["patches"] / r["seconds"]
        print(f"{name:<10}{r['workers']:>8}{r['patches']:>9}{r['seconds']:>9.1f}{rate:>11.1f}"
              f"{r['rss']:>10.0f}{base['seconds'] / r['seconds']:>9.2f}"
              f"{r['rss'] / base['rss']:>7.2f}")
    print("speed ×: baseline time / run time (higher is faster); mem ×: run / baseline peak "
          "memory, summed over each run's processes")
    print(f"naive patches not {args.patch_size}×{args.patch_size} px (mask.mask crop rounding): "
          f"{naive['bad_shapes']}")
    if not args.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
