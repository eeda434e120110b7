"""Per-band statistics of a whole raster, read by windows (bounded memory, any size).

Full-width strips of whole block rows, about `STRIP_VALUES` pixels per band each, are read
with every selected band at once (each compressed block is decoded once) and added to one
`BandStats` per band, which runs on NumPy or CuPy (data/array_backend.py). The result does not
depend on the strip height: histograms add up, and a float band's sample is keyed by each valid
value's position in row order, which full-width strips keep.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..geo.rasters import band_names, open_raster, resolve_bands
from . import array_backend
from .band_stats import BandStats

#: pixels per band in one strip (4 Mi: 8 MB of uint16 per band, 16 MB of float32; enough
#: for a GPU kernel to pay off, small enough to keep memory flat)
STRIP_VALUES = 1 << 22


def strips(width: int, height: int, block_rows: int, max_values: int = STRIP_VALUES
           ) -> Iterator[tuple[int, int]]:
    """(row_off, rows) of full-width strips: whole block rows, about `max_values` pixels (one
    block row when that holds up to 4 times as many: each block is then decoded once)."""
    rows = max(1, max_values // max(1, width))
    if block_rows > 1 and rows >= block_rows:
        rows -= rows % block_rows
    elif block_rows > 1 and width * block_rows <= 4 * max_values:
        rows = block_rows
    for top in range(0, height, rows):
        yield top, min(rows, height - top)


def cache_limit(src: Any, block_rows: int) -> dict[str, int]:
    """GDAL's block cache for one row of blocks of every band (each block is decoded once, so
    GDAL's default, 5 % of the RAM, would only hold pixels already counted); none when the user
    set GDAL_CACHEMAX."""
    if "GDAL_CACHEMAX" in os.environ:
        return {}
    row = src.width * block_rows * src.count * max(np.dtype(t).itemsize for t in src.dtypes)
    return {"GDAL_CACHEMAX": row + (32 << 20)}


def raster_statistics(path: Path, bands: tuple[int, ...] = (), arrays: str | None = None,
                      events: Any = None, key: str = "raster",
                      max_values: int = STRIP_VALUES) -> dict[str, Any]:
    """{raster, width, height, dtype, nodata, arrays, bands: [BandStats.result...]}."""
    import rasterio
    from rasterio.windows import Window

    backend = array_backend.select(arrays)
    with open_raster(path, key) as src:
        chosen = resolve_bands(src, bands, "bands")
        dtype, nodata = src.dtypes[chosen[0] - 1], src.nodata
        stats = [BandStats(dtype, nodata, seed=i, arrays=arrays) for i in range(len(chosen))]
        block_rows = src.block_shapes[chosen[0] - 1][0]
        with rasterio.Env(**cache_limit(src, block_rows)):
            for top, rows in strips(src.width, src.height, block_rows, max_values):
                data = src.read(chosen, window=Window(0, top, src.width, rows))
                for band_stats, band in zip(stats, data, strict=True):
                    band_stats.add(band)
                if events is not None:
                    events.progress("statistics", top + rows, src.height, "rows")
        names = band_names(src, chosen)
        return {"raster": str(Path(path).resolve()), "width": src.width, "height": src.height,
                "dtype": dtype, "nodata": nodata, "arrays": backend.summary(),
                "bands": [s.result(n) for s, n in zip(stats, names, strict=True)]}
