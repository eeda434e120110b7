"""What `satseg vectorize` costs on a whole tile, against polygonising it the naive way.

One generated class raster (uint8, 6 classes of irregular patches whose boundaries are ragged
and speckled the way predictions are, nodata 255 in one corner) and its confidence raster, both
tiled and compressed like predict's outputs. Every row is its own process, timed the same way
(benchmarks/measure.py: wall time of the whole process, imports included, and its peak memory):

* (a) naive     what scripts do: the whole raster read into memory, `rasterio.features.shapes`
                over it, every polygon with its class and area written to a GeoPackage;
* (b) satseg    `satseg vectorize` with no sieve and no confidence: the same polygons as (a)
                (the feature counts are checked equal), by 2048² blocks with seams merged;
* (c) full      `satseg vectorize --confidence … --min-size 8`: sieve and mean confidence too.

    python benchmarks/bench_vectorize.py [--size 10000] [--keep DIR]

Prints a table and the ratios (b)/(a) of wall time and of peak memory.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np
from measure import measure

CLASSES = 6
CELL = 160  # pixels between the control points of the class fields
STRIP = 256
PROFILE = {"driver": "GTiff", "count": 1, "crs": "EPSG:32632", "tiled": True,
           "blockxsize": 256, "blockysize": 256, "compress": "deflate"}


def _fields(coarse: np.ndarray, rows: np.ndarray, cols: np.ndarray, cell: int) -> np.ndarray:
    """Bilinear interpolation of control points `coarse` (k, gh, gw) at pixel rows × cols."""
    y, x = rows / cell, cols / cell
    y0, x0 = np.floor(y).astype(int), np.floor(x).astype(int)
    fy, fx = (y - y0)[None, :, None], (x - x0)[None, None, :]
    top = coarse[:, y0][:, :, x0] * (1 - fx) + coarse[:, y0][:, :, x0 + 1] * fx
    bottom = coarse[:, y0 + 1][:, :, x0] * (1 - fx) + coarse[:, y0 + 1][:, :, x0 + 1] * fx
    return (top * (1 - fy) + bottom * fy).astype(np.float32)


def make_rasters(folder: Path, size: int) -> tuple[Path, Path]:
    """classes.tif and confidence.tif, written strip by strip (bounded memory)."""
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    rng = np.random.default_rng(size)
    grid = size // CELL + 2
    broad = rng.random((CLASSES, grid, grid))
    fine = rng.random((CLASSES, size // 24 + 2, size // 24 + 2)) * 0.25
    transform = from_origin(500_000, 5_000_000, 10, 10)
    classes_path, confidence_path = folder / "tile_classes.tif", folder / "tile_confidence.tif"
    cols = np.arange(size)
    with rasterio.open(classes_path, "w", width=size, height=size, dtype="uint8", nodata=255,
                       transform=transform, **PROFILE) as cls, \
            rasterio.open(confidence_path, "w", width=size, height=size, dtype="float32",
                          nodata=-1, transform=transform, **PROFILE) as conf:
        for row in range(0, size, STRIP):
            rows = np.arange(row, min(size, row + STRIP))
            score = _fields(broad, rows, cols, CELL) + _fields(fine, rows, cols, 24)
            score += rng.normal(0, 0.005, score.shape).astype(np.float32)  # speckle at edges
            order = np.sort(score, axis=0)
            labels = (score.argmax(axis=0) + 1).astype(np.uint8)
            confidence = np.clip(0.5 + 2 * (order[-1] - order[-2]), 0, 1).astype(np.float32)
            if row < size // 8:  # a nodata corner
                labels[:, :size // 8] = 255
                confidence[:, :size // 8] = -1
            window = Window(0, row, size, len(rows))
            cls.write(labels, 1, window=window)
            conf.write(confidence, 1, window=window)
    return classes_path, confidence_path


def naive(raster: str, out: str) -> None:
    """(a): whole raster in memory, one shapes() pass, one write."""
    import geopandas as gpd
    import rasterio
    from rasterio.features import shapes
    from shapely.geometry import shape

    with rasterio.open(raster) as src:
        data, transform, crs = src.read(1), src.transform, src.crs
    found = [(shape(g), int(v)) for g, v in shapes(data, mask=data != 255, connectivity=4,
                                                    transform=transform)]
    frame = gpd.GeoDataFrame({"class_value": [v for _, v in found]},
                             geometry=[g for g, _ in found], crs=crs)
    frame["area"] = frame.geometry.area
    frame.to_file(out, layer="polygons", driver="GPKG")
    print(json.dumps({"features": len(frame)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="write the rasters and outputs here")
    parser.add_argument("--naive", nargs=2, metavar=("RASTER", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive:
        naive(*args.naive)
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-vectorize-"))
    folder.mkdir(parents=True, exist_ok=True)
    classes, confidence = make_rasters(folder, args.size)
    engine = [sys.executable, "-m", "satseg_engine", "vectorize", str(classes), "--progress",
              "json"]
    rows = {
        "a naive": [sys.executable, __file__, "--naive", str(classes), str(folder / "a.gpkg")],
        "b satseg": [*engine, "--output", str(folder / "b.gpkg")],
        "c full": [*engine, "--output", str(folder / "c.gpkg"), "--confidence",
                   str(confidence), "--min-size", "8"],
    }
    results = {}
    print(f"{args.size}² class raster, {CLASSES} classes; every row its own process")
    print(f"{'row':<10} {'wall s':>8} {'peak MiB':>9} {'features':>9} {'Mpx/s':>7}")
    for name, cmd in rows.items():
        wall, peak, out = measure(cmd)
        last = json.loads(out.strip().splitlines()[-1])
        features = last.get("features", last.get("summary", {}).get("features"))
        results[name] = (wall, peak, features)
        print(f"{name:<10} {wall:8.1f} {peak:9.0f} {features:9d} "
              f"{args.size ** 2 / 1e6 / wall:7.2f}", flush=True)
    (wa, pa, fa), (wb, pb, fb) = results["a naive"], results["b satseg"]
    print(f"(b)/(a): wall {wb / wa:.2f}×, peak memory {pb / pa:.2f}×; "
          f"same polygons: {'yes' if fa == fb else f'NO ({fa} against {fb})'}")


if __name__ == "__main__":
    main()
