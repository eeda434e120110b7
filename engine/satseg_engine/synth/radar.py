"""The radar image of the sources scene: Sentinel-1-like VV and VH backscatter in dB.

It is acquired on its own grid: pixels twice as large as the optical ones, in the neighbouring
UTM zone (another CRS, rotated by the meridian convergence), reaching beyond the optical scene
by a margin. Each radar block renders the land cover of its footprint on the primary grid,
computes the backscatter coefficient (linear power) per class, averages it into the radar
pixels (rasterio reproject, average) and multiplies speckle (gamma, `LOOKS` looks) before dB.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from .cover import Cover, render_cover
from .layout import K_TEXTURE, K_URBAN2
from .phenology import crop_state
from .sources_layout import (
    BUILT,
    FOREST,
    GRASS,
    K_ROUGH,
    K_SPECKLE,
    K_WIND,
    WATER,
    WET,
    SourcesLayout,
)

S1_BANDS = ("VV", "VH")
LOOKS = 8.0              # equivalent number of looks of a 20 m multi-looked GRD pixel
RADAR_DAYS_AFTER = 2     # the radar passes two days after its optical date
#: class -> (VV, VH) mean backscatter in dB, and the amplitude (dB) of its spatial texture
SIGMA0_DB: dict[int, tuple[float, float, float]] = {
    WATER: (-21.0, -28.0, 5.0),
    FOREST: (-7.5, -13.0, 1.5),
    BUILT: (-2.0, -9.0, 8.0),
    GRASS: (-12.5, -19.5, 2.0),
    WET: (-6.5, -15.5, 2.0),
}
#: crops: (VV, VH) dB of bare soil, of full green cover and of ripe cover, mixed in power
CROP_DB = {"soil": (-11.5, -20.5), "green": (-9.5, -14.5), "ripe": (-11.0, -17.0)}


@dataclasses.dataclass(frozen=True)
class RadarGrid:
    crs: Any
    transform: Any
    width: int
    height: int


def radar_crs(crs: Any, lon: float, lat: float) -> Any:
    """The UTM zone next to the primary one (ETRS89 stays ETRS89), on the side of the scene
    centre (lon, lat); for a primary CRS that is not UTM, the UTM zone of the centre."""
    from rasterio.crs import CRS

    epsg = crs.to_epsg() or 0
    etrs = 25828 <= epsg <= 25838
    if not (etrs or 32601 <= epsg <= 32660 or 32701 <= epsg <= 32760):
        return CRS.from_epsg((32600 if lat >= 0 else 32700) + int((lon + 180.0) // 6.0) % 60 + 1)
    zone = epsg % 100 if not etrs else epsg - 25800
    step = 1 if lon >= -183.0 + 6.0 * zone else -1
    neighbour = (zone - 1 + step) % 60 + 1
    if etrs and 28 <= neighbour <= 38:
        return CRS.from_epsg(25800 + neighbour)
    return CRS.from_epsg((32700 if 32701 <= epsg <= 32760 else 32600) + neighbour)


def radar_grid(crs: Any, bounds: tuple[float, float, float, float], pixel_size: float
               ) -> RadarGrid:
    """The radar grid covering the optical `bounds` (in `crs`) with a margin."""
    from rasterio.transform import from_origin
    from rasterio.warp import transform_bounds

    lon_lat = transform_bounds(crs, "EPSG:4326", *bounds, densify_pts=21)
    s1_crs = radar_crs(crs, (lon_lat[0] + lon_lat[2]) / 2, (lon_lat[1] + lon_lat[3]) / 2)
    left, bottom, right, top = transform_bounds(crs, s1_crs, *bounds, densify_pts=21)
    size = 2.0 * pixel_size
    margin = float(np.clip(0.04 * max(right - left, top - bottom), 4 * size, 100 * size))
    left = math.floor((left - margin) / size) * size
    top = math.ceil((top + margin) / size) * size
    width = math.ceil((right + margin - left) / size)
    height = math.ceil((top - bottom + margin) / size)
    return RadarGrid(s1_crs, from_origin(left, top, size, size), width, height)


def footprint(grid: RadarGrid, crs: Any, transform: Any, window: Any, pad: int = 2
              ) -> tuple[int, int, int, int]:
    """(row0, col0, height, width) of the primary pixels under a window of the radar grid."""
    from rasterio.warp import transform_bounds

    left, top = grid.transform @ (window.col_off, window.row_off)
    right, bottom = grid.transform @ (window.col_off + window.width,
                                      window.row_off + window.height)
    left, bottom, right, top = transform_bounds(grid.crs, crs, left, bottom, right, top,
                                                densify_pts=11)
    col0 = math.floor((left - transform.c) / transform.a) - pad
    col1 = math.ceil((right - transform.c) / transform.a) + pad
    row0 = math.floor((top - transform.f) / transform.e) - pad
    row1 = math.ceil((bottom - transform.f) / transform.e) + pad
    return row0, col0, row1 - row0, col1 - col0


def sigma0(layout: SourcesLayout, cover: Cover) -> np.ndarray:
    """(2, h, w) backscatter coefficient (linear power) of VV and VH on the cover's pixels."""
    win, labels = cover.window, cover.labels
    db = np.zeros((2, *labels.shape), dtype=np.float32)
    textures = {WATER: win.noise(K_WIND, (150.0, 40.0)), FOREST: win.noise(K_TEXTURE, (2.5, 5.0)),
                BUILT: win.noise(K_URBAN2, (2.0, 4.0))}
    moisture = win.noise(K_ROUGH, (40.0, 10.0))
    for value, (vv, vh, amplitude) in SIGMA0_DB.items():
        mask = labels == value
        if mask.any():
            texture = amplitude * (textures.get(value, moisture)[mask] - 0.5)
            db[0][mask] = vv + texture
            db[1][mask] = vh + texture * (0.6 if value == WATER else 1.0)
    power = 10.0 ** (db / 10.0)
    crop = ~np.isnan(cover.sow1)
    if crop.any():
        green, ripe = crop_state(cover, float(layout.doys[layout.radar_date]) + RADAR_DAYS_AFTER)
        soil = 1.0 - green - ripe
        rough = 3.0 * (moisture - 0.5)
        for band in (0, 1):
            mixed = (soil * 10.0 ** ((CROP_DB["soil"][band] + rough) / 10.0)
                     + green * 10.0 ** (CROP_DB["green"][band] / 10.0)
                     + ripe * 10.0 ** (CROP_DB["ripe"][band] / 10.0))
            power[band][crop] = mixed[crop]
    return power


def radar_block(layout: SourcesLayout, crs: Any, transform: Any, grid: RadarGrid,
                window: Any, block: tuple[int, int]) -> np.ndarray:
    """(2, h, w) float32 VV, VH in dB of one window of the radar grid (speckled)."""
    from rasterio.transform import Affine
    from rasterio.warp import Resampling, reproject

    row0, col0, height, width = footprint(grid, crs, transform, window)
    power = sigma0(layout, render_cover(layout, row0, col0, height, width))
    out = np.zeros((2, window.height, window.width), dtype=np.float32)
    reproject(power, out, src_transform=transform @ Affine.translation(col0, row0),
              src_crs=crs,
              dst_transform=grid.transform @ Affine.translation(window.col_off, window.row_off),
              dst_crs=grid.crs, resampling=Resampling.average)
    rng = np.random.default_rng((layout.seed, K_SPECKLE, *block))
    out *= rng.gamma(LOOKS, 1.0 / LOOKS, size=out.shape).astype(np.float32)
    columns = window.col_off + np.arange(window.width) + 0.5
    incidence = 0.6 - 1.2 * columns / grid.width  # backscatter falls from near to far range
    return (10.0 * np.log10(np.maximum(out, 1e-6)) + incidence[None, None, :]).astype(np.float32)
