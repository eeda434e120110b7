"""Per-band statistics of a whole raster: satseg by windows on NumPy and CuPy against a naive
whole-band NumPy baseline.

Two scenes are generated block by block (default 10 000 × 10 000 px, 10 bands, tiled 512,
uncompressed so that decoding does not hide the statistics; a nodata corner): uint16 (nodata 0)
and float32 (nodata NaN). Then, each row in its own process, timed the same way (wall time of
the whole process, start-up included) with its peak memory (benchmarks/measure.py):

* naive  — the baseline: each band read whole, its valid pixels kept, then np.mean, np.std and
           np.percentile(..., [1, 2, 98, 99], method="inverted_cdf"), band after band;
* numpy  — `satseg info SCENE --stats --arrays numpy`: strips of 4 Mi pixels per band,
           histograms (uint16) or moments and a 200 000-value sample (float32);
* cupy   — the same with `--arrays cupy` (every block on the GPU), where CuPy runs; otherwise
           the row says "not available here" and why.

    python benchmarks/bench_stats.py [--size 10000] [--bands 10] [--dtypes uint16,float32]
    python benchmarks/bench_stats.py --check   # on a GPU: CuPy's numbers against NumPy's

Prints a table per dtype with ratios against the baseline, and how far satseg's numbers are
from the baseline's (uint16: identical; float32 percentiles: from a sample, so their rank is
given, |rank - p| in percentage points).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import measure

PERCENTILES = (1, 2, 98, 99)

NAIVE = r'''
import json, sys
import numpy as np, rasterio
out = []
with rasterio.open(sys.argv[1]) as src:
    for b in range(1, src.count + 1):
        band = src.read(b)
        keep = ~np.isnan(band) if band.dtype.kind == "f" else band != src.nodata
        values = band[keep]
        del band, keep
        row = {"mean": float(np.mean(values, dtype=np.float64)),
               "std": float(np.std(values, dtype=np.float64)),
               "valid_pixels": int(values.size)}
        for p, v in zip((1, 2, 98, 99), np.percentile(values, (1, 2, 98, 99),
                                                       method="inverted_cdf")):
            row[f"p{p}"] = float(v)
        out.append(row)
print(json.dumps(out))
'''

RANKS = r'''
import json, sys
import numpy as np, rasterio
thresholds = json.loads(sys.argv[2])
out = []
with rasterio.open(sys.argv[1]) as src:
    for b in range(1, src.count + 1):
        band = src.read(b)
        values = band[~np.isnan(band)]
        out.append([float(np.mean(values <= t)) for t in thresholds[b - 1]])
print(json.dumps(out))
'''


def make_scene(folder: Path, size: int, bands: int, dtype: str) -> Path:
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    rng = np.random.default_rng(size + bands)
    tile = rng.gamma(3.0, 600.0, (bands, 512, 512)).clip(1, 65535)
    tile = tile.astype(np.uint16) if dtype == "uint16" else (tile / 1e4).astype(np.float32)
    nodata = 0 if dtype == "uint16" else float("nan")
    path = folder / f"scene_{dtype}.tif"
    with rasterio.open(path, "w", driver="GTiff", width=size, height=size, count=bands,
                       dtype=dtype, nodata=nodata, crs="EPSG:32632", tiled=True,
                       blockxsize=512, blockysize=512,
                       transform=from_origin(500_000, 5_000_000, 10, 10)) as dst:
        for row in range(0, size, 512):
            for col in range(0, size, 512):
                h, w = min(512, size - row), min(512, size - col)
                block = np.roll(tile, (row // 512 * 7 + col // 512 * 13) % 512, axis=2)
                block = block[:, :h, :w].copy()
                if row < size // 5 and col < size // 4:  # a nodata corner
                    block[:] = nodata
                dst.write(block, window=Window(col, row, w, h))
    return path


def cupy_status() -> str:
    """'' when CuPy runs here, else why not (in a child: the parent stays light)."""
    code = ("from satseg_engine.data.array_backend import probe_cupy\n"
            "cupy, why = probe_cupy()\nprint('' if cupy is not None else why)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return out.stdout.strip() or (out.stderr.strip().splitlines() or [""])[-1]


def run_satseg(scene: Path, arrays: str) -> tuple[float, float, list[dict]]:
    seconds, rss, out = measure([sys.executable, "-m", "satseg_engine", "info", str(scene),
                                 "--stats", "--arrays", arrays])
    return seconds, rss, json.loads(out.strip().splitlines()[-1])["summary"]["statistics"]


def difference(dtype: str, scene: Path, got: list[dict], naive: list[dict]) -> str:
    moments = max(abs(g[k] - n[k]) / abs(n[k]) for g, n in zip(got, naive, strict=True)
                  for k in ("mean", "std"))
    if dtype != "float32":
        same = all(g[f"p{p}"] == n[f"p{p}"] and g["valid_pixels"] == n["valid_pixels"]
                   for g, n in zip(got, naive, strict=True) for p in PERCENTILES)
        return f"percentiles {'identical' if same else 'DIFFER'}; mean/std rel. {moments:.1e}"
    thresholds = [[g[f"p{p}"] for p in PERCENTILES] for g in got]
    ranks = json.loads(subprocess.run([sys.executable, "-c", RANKS, str(scene),
                                       json.dumps(thresholds)], capture_output=True, text=True,
                                      check=True).stdout)
    worst = max(abs(r - p / 100) for band in ranks for r, p in zip(band, PERCENTILES,
                                                                    strict=True))
    return f"percentile rank off by <= {100 * worst:.3f} pp; mean/std rel. {moments:.1e}"


def same_as(got: list[dict], numpy: list[dict]) -> str:
    """'identical' when every number but a float band's mean/std (summation order) matches."""
    exact = ("valid_pixels", "min", "max", *(f"p{p}" for p in PERCENTILES))
    if any(g[k] != n[k] for g, n in zip(got, numpy, strict=True) for k in exact):
        return "NO"
    moments = max(abs(g[k] - n[k]) / abs(n[k]) for g, n in zip(got, numpy, strict=True)
                  for k in ("mean", "std"))
    return "identical" if moments == 0 else f"identical but mean/std rel. {moments:.1e}"


def check() -> None:
    """BandStats on NumPy and on CuPy (every block on the GPU) over the same blocks of each
    dtype, nodata and NaN included, small and large: prints whether the results are the same."""
    import numpy as np

    from satseg_engine.data.band_stats import BandStats

    rng = np.random.default_rng(0)
    for dtype, nodata in (("uint8", 0), ("uint16", 0), ("int16", -32768),
                          ("float32", -9999.0)):
        blocks = []
        for shape in ((128, 128), (2048, 1500), (8, 70)):
            block = rng.gamma(2.0, 900.0, shape)
            block = (block / 1e4 if dtype == "float32" else block.clip(-30000, 250)
                     if dtype == "uint8" else block - 500 if dtype == "int16" else block)
            block = block.astype(dtype)
            block[: shape[0] // 4] = nodata
            if dtype == "float32":
                block[-2:] = np.nan
            blocks.append(block)
        blocks.append(np.full((64, 64), nodata, dtype=dtype))
        results = {}
        for arrays in ("numpy", "cupy"):
            stats = BandStats(dtype, nodata, seed=3, arrays=arrays)
            for block in blocks:
                stats.add(block)
            results[arrays] = [stats.result("B1")]
        print(f"{dtype:<8} cupy against numpy: {same_as(results['cupy'], results['numpy'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="scene side in pixels")
    parser.add_argument("--bands", type=int, default=10)
    parser.add_argument("--dtypes", default="uint16,float32")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--check", action="store_true", help="only compare CuPy with NumPy")
    args = parser.parse_args()
    cupy_missing = cupy_status()
    if args.check:
        if cupy_missing:
            raise SystemExit(f"--check needs CuPy on a GPU: {cupy_missing}")
        return check()
    tmp = Path(tempfile.mkdtemp(prefix="bench_stats_"))
    try:
        for dtype in args.dtypes.split(","):
            t0 = time.monotonic()
            scene = make_scene(tmp, args.size, args.bands, dtype)
            print(f"scene {args.size}×{args.size}×{args.bands} {dtype} "
                  f"({scene.stat().st_size / 2**20:.0f} MiB) generated in "
                  f"{time.monotonic() - t0:.1f} s", file=sys.stderr)
            seconds, rss, out = measure([sys.executable, "-c", NAIVE, str(scene)])
            naive = json.loads(out)
            print(f"\nstatistics of {args.size}×{args.size} px, {args.bands} bands {dtype}; "
                  f"baseline: naive whole-band numpy; cpu count {os.cpu_count()}")
            print(f"{'run':<7}{'seconds':>9}{'peak MiB':>10}{'speed ×':>9}{'mem ×':>7}  "
                  "numbers against the baseline")
            print(f"{'naive':<7}{seconds:>9.1f}{rss:>10.0f}{1:>9.2f}{1:>7.2f}  -")
            base, results = (seconds, rss), {}
            for arrays in ("numpy", "cupy"):
                if arrays == "cupy" and cupy_missing:
                    print(f"{'cupy':<7}  not available here: {cupy_missing}")
                    continue
                seconds, rss, results[arrays] = run_satseg(scene, arrays)
                text = difference(dtype, scene, results[arrays], naive)
                if arrays == "cupy":
                    text += f"; same as numpy: {same_as(results['cupy'], results['numpy'])}"
                print(f"{arrays:<7}{seconds:>9.1f}{rss:>10.0f}{base[0] / seconds:>9.2f}"
                      f"{rss / base[1]:>7.2f}  {text}")
            scene.unlink()
        print("speed ×: baseline time / run time (higher is faster); mem ×: run / baseline "
              "peak memory; each row is one whole process")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
