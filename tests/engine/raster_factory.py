"""Small georeferenced rasters and vectors for grid/extract tests (real GeoTIFFs via rasterio)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from rasterio.transform import Affine, from_origin

from satseg_engine.core.cli import run_job
from satseg_engine.core.errors import SatsegError
from satseg_engine.core.events import Events

ORIGIN = (500_000.0, 5_000_000.0)
CRS = "EPSG:32632"


def write_raster(path: Path, data: np.ndarray, *, transform: Affine | None = None,
                 crs: str | None = CRS, nodata: float | None = None,
                 names: tuple[str, ...] = (), colormap: dict[int, Any] | None = None,
                 tags: dict[str, str] | None = None) -> Path:
    """Write (bands, rows, cols) or (rows, cols) data as a GeoTIFF (10 m pixels by default)."""
    data = data if data.ndim == 3 else data[None]
    transform = transform or from_origin(*ORIGIN, 10, 10)
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[2], height=data.shape[1],
                       count=data.shape[0], dtype=data.dtype, crs=crs, transform=transform,
                       nodata=nodata) as dst:
        dst.write(data)
        for i, name in enumerate(names):
            dst.set_band_description(i + 1, name)
        if colormap:
            dst.write_colormap(1, colormap)
        if tags:
            dst.update_tags(**tags)
    return path


def scene(tmp: Path, height: int = 130, width: int = 170, bands: int = 3, seed: int = 0,
          nodata_rows: int = 0, classes: tuple[int, ...] = (1, 2, 3),
          transform: Affine | None = None) -> tuple[Path, Path]:
    """An image (uint16, nodata 0, top `nodata_rows` rows nodata) and a class raster (0 = none)."""
    rng = np.random.default_rng(seed)
    image = rng.integers(1, 10_000, (bands, height, width)).astype(np.uint16)
    image[:, :nodata_rows] = 0
    label = rng.choice(np.array((0, *classes), dtype=np.uint8), (height, width))
    names = tuple(f"B{i + 2}" for i in range(bands))
    return (write_raster(tmp / "scene.tif", image, nodata=0, names=names, transform=transform),
            write_raster(tmp / "labels.tif", label, nodata=0, transform=transform))


def polygons(path: Path, geoms: list[Any], crs: str = CRS, **columns: list[Any]) -> Path:
    import geopandas as gpd

    gpd.GeoDataFrame(columns, geometry=geoms, crs=crs).to_file(path)
    return path


def run_verb(verb: str, **job: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run a verb in-process: (summary, events)."""
    stream = io.StringIO()
    summary = run_job(verb, {k: str(v) if isinstance(v, Path) else v for k, v in job.items()},
                      Events(stream))
    return summary, [json.loads(line) for line in stream.getvalue().splitlines()]


def error_code(verb: str, **job: Any) -> str:
    """The code of the SatsegError a verb raises (the test fails if it succeeds)."""
    try:
        run_verb(verb, **job)
    except SatsegError as exc:
        assert exc.message and (exc.hint or exc.key), exc
        return exc.code
    raise AssertionError(f"{verb} succeeded: {job}")


def read_grid(path: Path) -> Any:
    import geopandas as gpd

    return gpd.read_file(path, layer="grid")
