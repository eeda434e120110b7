"""The input side of prediction: which pixels to predict and how to read them by rows.

`RasterSource` resolves the output grid (the whole raster, or an extent / AOI snapped outward to
the raster's pixel grid), checks the bands against the checkpoint header, and reads horizontal
strips of rows with their validity mask (nodata, NaN, GDAL masks and the AOI), reflected beyond
the raster's borders so that every window is full-sized.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from rasterio.windows import Window

from ..core.errors import SatsegError
from ..geo import rasters


@dataclasses.dataclass(frozen=True)
class Strip:
    """Rows [top, top + patch) of the padded canvas.

    `data` (C, patch, canvas_w) float32 raw values; `valid`: not nodata (invalid inputs become 0
    after normalisation); `predict`: valid and inside the AOI (elsewhere outputs are nodata).
    """

    index: int
    top: int
    data: np.ndarray
    valid: np.ndarray
    predict: np.ndarray


def check_bands(src: Any, bands: Sequence[int], header: Mapping[str, Any]) -> list[int]:
    """1-based band indices to read; refuse a raster whose band count the model cannot take."""
    expected = int(header["in_channels"])
    names = list(header.get("band_names") or [])
    described = [d or f"band {i + 1}" for i, d in enumerate(src.descriptions)]
    chosen = rasters.resolve_bands(src, tuple(bands))
    if len(chosen) != expected:
        hint = "choose the model's bands with --bands (1-based indices in the model's order)"
        if names and all(n in described for n in names):
            indices = ",".join(str(described.index(n) + 1) for n in names)
            hint = f"the raster has the model's bands by name: use --bands {indices}"
        raise SatsegError(
            "band_mismatch",
            f"the model expects {expected} bands ({', '.join(names) or 'unnamed'}) but "
            f"{'the selected bands are' if bands else 'the raster has'} {len(chosen)} "
            f"({', '.join(described[b - 1] for b in chosen)})", hint=hint, key="bands")
    return chosen


def snapped_window(src: Any, bounds: Sequence[float]) -> Window:
    """The raster pixels touching `bounds` (raster CRS), snapped outward, clipped to the raster."""
    if src.transform.b != 0 or src.transform.d != 0:
        raise SatsegError("rotated_raster", "an extent cannot be applied to a rotated raster",
                          hint="warp the raster to a north-up grid first (gdalwarp)", key="extent")
    win = rasterio.windows.from_bounds(*bounds, transform=src.transform)
    col0, row0 = math.floor(win.col_off + 1e-6), math.floor(win.row_off + 1e-6)
    col1 = math.ceil(win.col_off + win.width - 1e-6)
    row1 = math.ceil(win.row_off + win.height - 1e-6)
    col0, row0 = max(col0, 0), max(row0, 0)
    col1, row1 = min(col1, src.width), min(row1, src.height)
    if col1 <= col0 or row1 <= row0:
        raise SatsegError("empty_extent", f"the extent {tuple(round(b, 3) for b in bounds)} does "
                          f"not overlap the raster (bounds {tuple(src.bounds)})",
                          hint="give an extent inside the raster, in its CRS or extent_crs",
                          key="extent")
    return Window(col0, row0, col1 - col0, row1 - row0)


def aoi_inside(aoi: Sequence[Any], window: Window, transform: Any) -> np.ndarray:
    """(rows, cols) bool: the window's pixels inside the AOI polygons."""
    from rasterio.features import geometry_mask

    return geometry_mask(aoi, out_shape=(int(window.height), int(window.width)), invert=True,
                         transform=rasterio.windows.transform(window, transform))


#: (start, stop, arrays): the rows last read, each array with its rows on axis -2.
RowCache = tuple[int, int, tuple[np.ndarray, ...]]


def cached_rows(cache: RowCache | None, start: int, stop: int,
                read: Callable[[int, int], tuple[np.ndarray, ...]]
                ) -> tuple[RowCache, tuple[np.ndarray, ...]]:
    """Rows [start, stop) of arrays whose rows are on axis -2, reading with `read` only the rows
    the previous call (`cache`) does not hold; returns the new cache and the arrays."""
    if cache and cache[0] <= start < cache[1] and stop >= cache[1]:
        keep = start - cache[0]
        if stop > cache[1]:
            new = read(cache[1], stop)
            arrays = tuple(np.concatenate([old[..., keep:, :], add], axis=-2)
                           for old, add in zip(cache[2], new, strict=True))
        else:
            arrays = tuple(old[..., keep:, :] for old in cache[2])
    else:
        arrays = read(start, stop)
    return (start, stop, arrays), arrays


def reflect(arrays: Sequence[np.ndarray], pad_rows: tuple[int, int],
            pad_cols: tuple[int, int]) -> tuple[np.ndarray, ...]:
    """Pad the last two axes of each array by reflection (nothing to do: the arrays as they are)."""
    if not (any(pad_rows) or any(pad_cols)):
        return tuple(arrays)
    return tuple(np.pad(a, ((0, 0),) * (a.ndim - 2) + (pad_rows, pad_cols), mode="reflect")
                 for a in arrays)


class RasterSource:
    """Reads strips of the output window, padded by reflection. Use from one thread only."""

    def __init__(self, path: str | Path, bands: Sequence[int], window: Window,
                 aoi: Sequence[Any] | None = None):
        self.src = rasters.open_raster(Path(path), "raster")
        self.bands = list(bands)
        self.window = window
        self.height, self.width = int(window.height), int(window.width)
        self.transform = rasterio.windows.transform(window, self.src.transform)
        self.aoi = aoi
        self._cache: RowCache | None = None

    def close(self) -> None:
        self.src.close()

    def view(self, col_start: int, col_stop: int) -> RasterSource:
        """The same raster limited to output columns [col_start, col_stop) (shares the open
        dataset; use the views one after the other and close only the parent)."""
        window = Window(self.window.col_off + col_start, self.window.row_off,
                        col_stop - col_start, self.height)
        clone = object.__new__(RasterSource)
        clone.src, clone.bands, clone.aoi = self.src, self.bands, self.aoi
        clone.window = window
        clone.height, clone.width = self.height, col_stop - col_start
        clone.transform = rasterio.windows.transform(window, self.src.transform)
        clone._cache = None
        return clone

    def _read(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows [start, stop): float32 data and a uint8 mask (bit 0: not nodata, bit 1: in AOI)."""
        win = Window(self.window.col_off, self.window.row_off + start, self.width, stop - start)
        data = self.src.read(self.bands, window=win, out_dtype="float32")
        mask = rasters.valid_mask(self.src, self.bands, win, data).astype(np.uint8)
        if self.aoi is not None:
            mask |= aoi_inside(self.aoi, win, self.src.transform).astype(np.uint8) << 1
        else:
            mask |= 2
        return data, mask

    def read_rows(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows [start, stop) of the output window (0 <= start < stop <= height), cached so that
        strips that overlap the previous one read only their new rows."""
        self._cache, arrays = cached_rows(self._cache, start, stop, self._read)
        return arrays  # type: ignore[return-value]

    def strip(self, index: int, top: int, patch: int, left: int, canvas_width: int) -> Strip:
        """Canvas rows [top, top + patch), reflected beyond the raster (columns likewise)."""
        start, stop = max(top, 0), min(top + patch, self.height)
        data, mask = self.read_rows(start, stop)
        pad_rows = (start - top, top + patch - stop)
        pad_cols = (left, canvas_width - left - self.width)
        data, mask = reflect((data, mask), pad_rows, pad_cols)
        return Strip(index, top, np.ascontiguousarray(data), (mask & 1).astype(bool),
                     mask == 3)
