"""One block of a class raster, cleaned and cut into labelled segments.

A block is a `block_size`² core window. It is read with a margin around it: `smooth // 2`
pixels for the majority filter plus `min_size` pixels for the sieve (both clipped to the
raster). Why that is enough:

* The majority filter at a pixel reads only its `smooth`² window, so every pixel of the core
  and of the sieve margin gets exactly the value a whole-raster filter gives it.
* A 4-connected segment of fewer than `min_size` pixels spans fewer than `min_size` rows and
  columns. One that touches the core therefore lies wholly inside the sieved window without
  touching its edge, and a segment cut by the window's edge that reaches the core has more
  than `min_size` pixels inside the window. So exactly the segments that a whole-raster sieve
  removes are removed from the core. Each takes the class of its largest neighbour as measured
  inside the window (GDAL's rule); a neighbour larger than the window may measure smaller
  than it is, so where a small segment straddles a seam its two sides may take different
  neighbours' classes. Such a difference stays inside that segment: fewer than `min_size`
  pixels, never more than the margin.

Segments of the core are then labelled (4-connected, as `rasterio.features.shapes` and the
sieve count them), with their pixel count and confidence sum.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from rasterio.windows import Window

#: dtypes GDAL's sieve takes as they are; other integer rasters are read as int32
SIEVE_DTYPES = ("uint8", "uint16", "int16", "int32")
FOUR_CONNECTED = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=bool)


@dataclasses.dataclass(frozen=True)
class Block:
    """A core window and where it lies among the blocks."""

    row: int
    col: int
    window: Window
    last_row: bool
    last_col: bool


def plan(height: int, width: int, size: int) -> list[list[Block]]:
    """Blocks in rows, left to right, top to bottom."""
    rows = list(range(0, height, size))
    cols = list(range(0, width, size))
    return [[Block(i, j, Window(c, r, min(size, width - c), min(size, height - r)),
                   i == len(rows) - 1, j == len(cols) - 1)
             for j, c in enumerate(cols)] for i, r in enumerate(rows)]


def grown(window: Window, margin: int, height: int, width: int) -> Window:
    """`window` grown by `margin` pixels on every side, clipped to the raster."""
    r0 = max(0, int(window.row_off) - margin)
    c0 = max(0, int(window.col_off) - margin)
    r1 = min(height, int(window.row_off + window.height) + margin)
    c1 = min(width, int(window.col_off + window.width) + margin)
    return Window(c0, r0, c1 - c0, r1 - r0)


def inner(outer: Window, window: Window) -> tuple[slice, slice]:
    """Array slices of `window` inside an array read over `outer`."""
    r = int(window.row_off - outer.row_off)
    c = int(window.col_off - outer.col_off)
    return slice(r, r + int(window.height)), slice(c, c + int(window.width))


def box_counts(mask: np.ndarray, radius: int) -> np.ndarray:
    """For every pixel, how many True pixels its (2·radius+1)² window holds (int32)."""
    side = 2 * radius + 1
    padded = np.zeros((mask.shape[0] + side, mask.shape[1] + side), dtype=np.int32)
    padded[radius + 1:radius + 1 + mask.shape[0], radius + 1:radius + 1 + mask.shape[1]] = mask
    np.cumsum(padded, axis=0, out=padded)
    np.cumsum(padded, axis=1, out=padded)
    rows, cols = mask.shape
    return (padded[side:side + rows, side:side + cols] - padded[:rows, side:side + cols]
            - padded[side:side + rows, :cols] + padded[:rows, :cols])


def majority(classes: np.ndarray, valid: np.ndarray, size: int) -> np.ndarray:
    """Each valid pixel takes the most frequent class among the valid pixels of its size²
    window; a tie with its own class keeps it. Nodata pixels neither vote nor change."""
    values = np.unique(classes[valid])
    if size < 3 or len(values) < 2:
        return classes
    best = np.zeros(classes.shape, dtype=np.int32)
    own = np.zeros(classes.shape, dtype=np.int32)
    best_value = classes.copy()
    for value in values:
        members = (classes == value) & valid
        counts = box_counts(members, size // 2)
        np.copyto(own, counts, where=members)
        better = counts > best
        np.copyto(best, counts, where=better)
        best_value[better] = value
    return np.where(valid & (own < best), best_value, classes)


def sieve(classes: np.ndarray, valid: np.ndarray, min_size: int) -> np.ndarray:
    """GDAL's sieve (4-connected): segments under `min_size` pixels take their largest
    neighbour's class; nodata is neither sieved nor a neighbour."""
    if min_size <= 1 or not valid.any():
        return classes
    from rasterio.features import sieve as gdal_sieve

    return gdal_sieve(classes, size=min_size, mask=valid, connectivity=4)


@dataclasses.dataclass
class Segments:
    """The labelled segments of one core: labels 1…n (0: nodata), per label its class, pixel
    count, confidence sum and count of pixels with a confidence."""

    labels: np.ndarray
    values: np.ndarray
    pixels: np.ndarray
    confidence_sum: np.ndarray
    confidence_pixels: np.ndarray


def segments(classes: np.ndarray, valid: np.ndarray, confidence: np.ndarray | None,
             confidence_valid: np.ndarray | None) -> Segments:
    """Label the 4-connected segments of equal class among the valid pixels."""
    from scipy import ndimage

    labels = np.zeros(classes.shape, dtype=np.int32)
    values = [np.zeros(1, dtype=np.int64)]
    count = 0
    for value in np.unique(classes[valid]):
        members = (classes == value) & valid
        found, n = ndimage.label(members, structure=FOUR_CONNECTED, output=np.int32)
        found[members] += count
        labels += found
        values.append(np.full(n, int(value), dtype=np.int64))
        count += n
    flat = labels.ravel()
    pixels = np.bincount(flat, minlength=count + 1)
    if confidence is None or confidence_valid is None:
        zero = np.zeros(count + 1)
        return Segments(labels, np.concatenate(values), pixels, zero, zero)
    weights = np.where(confidence_valid, confidence, 0.0).ravel()
    sums = np.bincount(flat, weights=weights, minlength=count + 1)
    seen = np.bincount(flat, weights=confidence_valid.ravel(), minlength=count + 1)
    return Segments(labels, np.concatenate(values), pixels, sums, seen)


def read_block(src: Any, block: Block, min_size: int, smooth: int, valid_of: Any
               ) -> tuple[np.ndarray, np.ndarray]:
    """The cleaned classes and the validity of a block's core (smoothed, then sieved)."""
    height, width = src.height, src.width
    sieve_window = grown(block.window, min_size if min_size > 1 else 0, height, width)
    outer = grown(sieve_window, smooth // 2, height, width)
    classes = src.read(1, window=outer)
    if classes.dtype.name not in SIEVE_DTYPES:
        classes = classes.astype(np.int32)
    valid = valid_of(outer, classes)
    if smooth >= 3:
        classes = majority(classes, valid, smooth)
    rows, cols = inner(outer, sieve_window)
    classes, valid = classes[rows, cols], valid[rows, cols]
    classes = sieve(np.ascontiguousarray(classes), valid, min_size)
    rows, cols = inner(sieve_window, block.window)
    return classes[rows, cols], valid[rows, cols]
