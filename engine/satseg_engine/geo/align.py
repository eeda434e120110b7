"""Reading any raster on another raster's pixel grid, window by window.

Extraction and prediction read secondary sources (another sensor, CRS, pixel size or extent) on
the primary image's pixel grid. `AlignedReader` wraps the source in a GDAL warped VRT whose grid
is the primary's, so a window is resampled on demand (bilinear for continuous bands, nearest for
categorical ones; never the whole scene), and pixels the source does not cover come back
invalid. A source already on the primary grid is read directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rasterio.enums import Resampling
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window

from ..core.errors import SatsegError
from . import rasters
from .classtable import colour_table, read_class_tag

#: the warper's coordinate approximation error, in pixels (GDAL's default is 0.125: a class
#: edge could move by a pixel where the error peaks; 0.001 cost no measurable time)
TOLERANCE = 0.001
RESAMPLING = {"nearest": Resampling.nearest, "bilinear": Resampling.bilinear,
              "cubic": Resampling.cubic, "average": Resampling.average}


def is_categorical(src: Any) -> bool:
    """A class-like raster: one integer band with a colour table or a satseg class tag."""
    return (src.count == 1 and np.issubdtype(np.dtype(src.dtypes[0]), np.integer)
            and bool(read_class_tag(src) or colour_table(src)))


def resolve_resampling(requested: str, src: Any) -> str:
    """`auto`: nearest for categorical rasters, bilinear otherwise; else the name itself."""
    if requested == "auto":
        return "nearest" if is_categorical(src) else "bilinear"
    if requested not in RESAMPLING:
        raise SatsegError("bad_job", f"unknown resampling {requested!r}", key="resampling",
                          hint=f"valid: auto, {', '.join(RESAMPLING)}")
    return requested


def fill_value(dtype: str, nodata: float | None) -> float:
    """What invalid pixels hold in a patch of this dtype: the nodata value, NaN, or 0."""
    if nodata is not None:
        return float(nodata)
    return float("nan") if np.issubdtype(np.dtype(dtype), np.floating) else 0.0


def overlaps_bounds(src: Any, crs: Any, bounds: Sequence[float]) -> bool:
    """Whether the footprint of `src` meets map `bounds` (left, bottom, right, top) in `crs`."""
    from rasterio.warp import transform_bounds

    try:
        left, bottom, right, top = transform_bounds(src.crs, crs, *src.bounds, densify_pts=21)
    except Exception:  # noqa: BLE001 - an untransformable footprint cannot overlap
        return False
    t_left, t_bottom, t_right, t_top = bounds
    return left < t_right and right > t_left and bottom < t_top and top > t_bottom


def overlaps(src: Any, target: Any) -> bool:
    """Whether the footprint of `src` meets that of `target` (in target's CRS)."""
    return overlaps_bounds(src, target.crs, target.bounds)


class AlignedReader:
    """`read(window)` -> (data (bands, h, w) in the source dtype, valid (h, w) bool) on the
    target grid. Use from one thread; `close()` when done (or use as a context manager)."""

    def __init__(self, path: Path, target: Any, bands: Sequence[int] = (),
                 resampling: str = "auto", key: str = "source"):
        self.path = Path(path)
        self.src = rasters.open_raster(self.path, key)
        try:
            rasters.check_grid(self.src, key)
            self.bands = rasters.resolve_bands(self.src, tuple(bands), key=key)
            self.resampling = resolve_resampling(resampling, self.src)
        except BaseException:
            self.src.close()
            raise
        self.dtype = self.src.dtypes[self.bands[0] - 1]
        self.nodata = self.src.nodata
        self.band_names = rasters.band_names(self.src, self.bands)
        self.aligned = rasters.same_grid(self.src, target)
        self.covers = self.aligned or overlaps(self.src, target)
        if self.aligned:
            self.reader = self.src
        else:
            self.reader = WarpedVRT(
                self.src, crs=target.crs, transform=target.transform, width=target.width,
                height=target.height, resampling=RESAMPLING[self.resampling],
                src_nodata=self.nodata, nodata=self.nodata, init_dest_nodata=True,
                add_alpha=self.nodata is None, tolerance=TOLERANCE)

    def read(self, window: Window, out_dtype: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The window's bands and validity (True: covered and not nodata in some band)."""
        data = self.reader.read(self.bands, window=window, out_dtype=out_dtype)
        if self.aligned or self.nodata is not None:
            valid = rasters.valid_mask(self.reader, self.bands, window, data)
        else:
            valid = self.reader.read(self.reader.count, window=window) > 0  # the alpha band
        if np.issubdtype(data.dtype, np.floating):
            valid &= np.isfinite(data).any(axis=0)
        return data, valid

    def close(self) -> None:
        if self.reader is not self.src:
            self.reader.close()
        self.src.close()

    def __enter__(self) -> AlignedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def target_grid(path: Path, key: str = "image") -> Any:
    """An open primary raster (its crs, transform, width, height and bounds are the target)."""
    src = rasters.open_raster(Path(path), key)
    rasters.check_grid(src, key)
    return src

