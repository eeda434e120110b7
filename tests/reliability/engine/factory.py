"""Bad inputs made from the session's good ones: real GeoTIFFs and GeoPackages, damaged on
purpose."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from rasterio.transform import Affine


def read(path: Path) -> tuple[np.ndarray, dict[str, Any]]:
    with rasterio.open(path) as src:
        return src.read(), dict(src.profile)


def write(path: Path, data: np.ndarray, profile: dict[str, Any], **changes: Any) -> Path:
    profile = {**profile, "count": data.shape[0], "dtype": data.dtype.name,
               "height": data.shape[1], "width": data.shape[2], **changes}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
    return path


def variant(source: Path, target: Path, change: Callable[[np.ndarray], np.ndarray] | None = None,
            **profile: Any) -> Path:
    """A copy of `source` with its pixels passed through `change` and profile keys replaced."""
    data, base = read(source)
    return write(target, change(data) if change else data, base, **profile)


def truncated_tiff(source: Path, target: Path, keep: float = 0.6) -> Path:
    """An uncompressed, tiled copy cut at `keep` of its size: it opens (header and tile index
    are at the start) and its first tiles read, the last ones fail."""
    variant(source, target, tiled=True, blockxsize=16, blockysize=16, compress=None,
            interleave="pixel")
    size = target.stat().st_size
    with open(target, "r+b") as handle:
        handle.truncate(int(size * keep))
    return target


def shifted(transform: Affine, dx: float, dy: float) -> Affine:
    return Affine(transform.a, transform.b, transform.c + dx, transform.d, transform.e,
                  transform.f + dy)


def reprojected(source: Path, target: Path, crs: str) -> Path:
    """`source` warped (nearest neighbour) into another CRS."""
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    data, profile = read(source)
    transform, width, height = calculate_default_transform(
        profile["crs"], crs, profile["width"], profile["height"],
        *rasterio.transform.array_bounds(profile["height"], profile["width"],
                                         profile["transform"]))
    out = np.zeros((data.shape[0], height, width), data.dtype)
    reproject(data, out, src_transform=profile["transform"], src_crs=profile["crs"],
              dst_transform=transform, dst_crs=crs, resampling=Resampling.nearest)
    return write(target, out, profile, crs=crs, transform=transform)


def vector(path: Path, geoms: list[Any], crs: Any, **columns: list[Any]) -> Path:
    import geopandas as gpd

    gpd.GeoDataFrame(columns, geometry=geoms, crs=crs).to_file(path)
    return path


def grid_variant(source: Path, target: Path, change: Callable[[Any], Any]) -> Path:
    """A copy of a grid GeoPackage with its frame passed through `change` (metadata kept)."""
    import geopandas as gpd
    import pyogrio

    frame = gpd.read_file(source, layer="grid")
    meta = pyogrio.read_info(source, layer="grid").get("layer_metadata")
    change(frame).to_file(target, layer="grid", driver="GPKG", metadata=meta)
    return target


def code_pickle(path: Path, marker: Path) -> Path:
    """A torch-style file whose unpickling would run `touch marker` (os.system)."""
    import pickle

    class Payload:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.system, (f"touch {marker}",))

    with open(path, "wb") as handle:
        pickle.dump({"format": "satseg-checkpoint", "schema": 1, "header": Payload()}, handle,
                    protocol=2)
    return path


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
