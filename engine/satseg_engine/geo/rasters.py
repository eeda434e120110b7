"""Raster inspection and validation: opening, CRS, pixel grid, rotation, bands, validity masks.

Every check raises `SatsegError` with a stable code, a message naming the file and the problem,
and a hint naming the fix. Imports rasterio (call from verb `run` functions, not at import time
of a verb module).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from rasterio.enums import MaskFlags
from rasterio.transform import Affine
from rasterio.windows import Window

from ..core.errors import SatsegError
from .tiling import Cell, PixelArea, pixel_area_from_fractional


def open_raster(path: Path, key: str) -> Any:
    """Open a raster for reading, or raise `file_not_found` / `not_a_raster`."""
    path = Path(path)
    if not path.exists():
        raise SatsegError("file_not_found", f"{key}: {path} does not exist", key=key,
                          hint="check the path (relative paths are read from the current "
                               "directory)")
    try:
        return rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise SatsegError("not_a_raster", f"{key}: {path} is not a raster GDAL can read ({exc})",
                          key=key, hint="give a GeoTIFF or another GDAL raster") from None


def check_grid(src: Any, key: str, projected: bool = False) -> None:
    """Refuse rasters without a CRS or with a rotated/skewed geotransform; with `projected`
    (the raster a grid is laid on), also a geographic CRS (pixels in degrees)."""
    t = src.transform
    if src.crs is None:
        raise SatsegError("no_crs", f"{key}: {src.name} has no coordinate reference system",
                          key=key, hint="assign its CRS (QGIS: Raster ▸ Projections ▸ Assign "
                                        "Projection, or gdal_edit.py -a_srs EPSG:xxxx)")
    if projected and src.crs.is_geographic:
        raise SatsegError("geographic_crs", f"{key}: {src.name} is in a geographic CRS "
                          f"({crs_text(src.crs)}): its pixels are degrees, not squares on the "
                          "ground", key=key, hint="reproject it to a projected CRS in metres "
                          "(e.g. its UTM zone: gdalwarp -t_srs EPSG:326xx, or QGIS: Raster ▸ "
                          "Projections ▸ Warp)")
    if t.b != 0 or t.d != 0:
        raise SatsegError("rotated_raster", f"{key}: {src.name} has a rotated or skewed "
                          f"geotransform ({t.b:g}, {t.d:g} rotation terms); cells of whole "
                          f"pixels cannot be laid on it", key=key,
                          hint="warp it to a north-up grid first (gdalwarp without -tr keeps "
                               "the resolution)")
    if t.a == 0 or t.e == 0:
        raise SatsegError("bad_geotransform", f"{key}: {src.name} has a zero pixel size",
                          key=key, hint="fix the raster's georeferencing")


def pixel_size(src: Any) -> tuple[float, float]:
    """(x, y) pixel size in CRS units, both positive."""
    return abs(src.transform.a), abs(src.transform.e)


def band_names(src: Any, bands: list[int]) -> list[str]:
    """Band descriptions where set, else `B<index>`."""
    return [src.descriptions[b - 1] or f"B{b}" for b in bands]


def resolve_bands(src: Any, bands: tuple[int, ...], key: str = "bands") -> list[int]:
    """1-based band selection checked against the raster (empty = all bands)."""
    if not bands:
        return list(range(1, src.count + 1))
    bad = [b for b in bands if b < 1 or b > src.count]
    if bad:
        raise SatsegError("bad_bands", f"{key}: band(s) {bad} do not exist in {src.name}, which "
                          f"has {src.count} band(s)", key=key,
                          hint=f"use 1-based band numbers from 1 to {src.count}")
    return list(bands)


def same_grid(a: Any, b: Any, tol: float = 1e-6) -> bool:
    """True when two rasters share CRS, transform and size (pixel for pixel)."""
    if a.crs != b.crs or a.width != b.width or a.height != b.height:
        return False
    scale = max(abs(a.transform.a), abs(a.transform.e))
    return all(math.isclose(x, y, abs_tol=tol * scale) for x, y in
               zip(tuple(a.transform)[:6], tuple(b.transform)[:6], strict=True))


def area_of_bounds(transform: Affine, bounds: tuple[float, float, float, float]) -> PixelArea:
    """Whole-pixel area covering map `bounds` (xmin, ymin, xmax, ymax) on a north-up grid."""
    inverse = ~transform
    xmin, ymin, xmax, ymax = bounds
    c0, r0 = inverse @ (xmin, ymax)
    c1, r1 = inverse @ (xmax, ymin)
    return pixel_area_from_fractional(r0, c0, r1, c1)


def cell_bounds(transform: Affine, cell: Cell) -> tuple[float, float, float, float]:
    """Map bounds (xmin, ymin, xmax, ymax) of a cell."""
    x0, y0 = transform @ (cell.col_off, cell.row_off)
    x1, y1 = transform @ (cell.col_end, cell.row_end)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def cell_window(cell: Cell) -> Window:
    return Window(cell.col_off, cell.row_off, cell.size, cell.size)


def cell_from_bounds(transform: Affine, bounds: tuple[float, float, float, float], size: int,
                     tol: float = 0.01) -> Cell | None:
    """The N×N cell whose map bounds are `bounds`, or None when they are not whole pixels.

    `tol` is in pixels: a polygon edited in QGIS may carry float noise, not half-pixel shifts.
    """
    inverse = ~transform
    xmin, ymin, xmax, ymax = bounds
    c0, r0 = inverse @ (xmin, ymax)
    c1, r1 = inverse @ (xmax, ymin)
    r0, r1 = sorted((r0, r1))
    c0, c1 = sorted((c0, c1))
    row, col = round(r0), round(c0)
    exact = (abs(r0 - row) <= tol and abs(c0 - col) <= tol
             and abs(r1 - r0 - size) <= tol and abs(c1 - c0 - size) <= tol)
    return Cell(row, col, size) if exact else None


def has_nodata(src: Any, bands: list[int]) -> bool:
    """Whether any pixel of these bands can be invalid (nodata value, mask or alpha band)."""
    return any(MaskFlags.all_valid not in src.mask_flag_enums[b - 1] for b in bands)


def valid_mask(src: Any, bands: list[int], window: Window, data: np.ndarray | None = None
               ) -> np.ndarray:
    """Boolean (rows, cols): True where the pixel is valid in at least one of `bands`.

    A pixel is nodata when every selected band is nodata there (GDAL's dataset-mask rule), so a
    legitimate 0 in one band of a multi-band image is not lost. `data` (already read) saves a
    read when validity comes from a nodata value.
    """
    shape = (int(window.height), int(window.width))
    if not has_nodata(src, bands):
        return np.ones(shape, dtype=bool)
    flags = [src.mask_flag_enums[b - 1] for b in bands]
    if data is not None and all(f == [MaskFlags.nodata] for f in flags):
        nodata = src.nodata
        invalid = np.isnan(data) if nodata is not None and np.isnan(nodata) else data == nodata
        if np.issubdtype(data.dtype, np.floating):
            invalid |= np.isnan(data)
        return ~invalid.all(axis=0)
    return src.read_masks(bands, window=window).any(axis=0)


def raster_summary(src: Any) -> dict[str, Any]:
    """Size, CRS, pixel size and dtype for messages."""
    return {"width": src.width, "height": src.height, "crs": crs_text(src.crs),
            "pixel_size": list(pixel_size(src)), "dtype": src.dtypes[0], "bands": src.count}


def crs_text(crs: Any) -> str | None:
    """`EPSG:nnnn` when the CRS has a code, else its WKT."""
    if crs is None:
        return None
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()


def same_crs(a: Any, b: Any) -> bool:
    """CRS equality across pyproj (geopandas) and rasterio objects."""
    if a is None or b is None:
        return a is None and b is None
    from rasterio.crs import CRS

    return CRS.from_user_input(a.to_wkt() if hasattr(a, "to_wkt") else a) == \
        CRS.from_user_input(b.to_wkt() if hasattr(b, "to_wkt") else b)
