"""Window math for grids of square cells on a raster's own pixel grid (pure Python, no I/O).

A cell is an N×N block of whole pixels: `Cell(row_off, col_off, size)`. Cells are laid on a
lattice of step `stride = size - overlap` anchored at the top-left pixel of the area being
covered; with `cover_edges` a last row/column of cells is added flush with the area's far edge
(overlapping its neighbour) so that the whole area is covered. Every cell lies inside the raster.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Cell:
    """An N×N pixel window: offsets of its top-left pixel in the raster, and its size."""

    row_off: int
    col_off: int
    size: int

    @property
    def row_end(self) -> int:
        return self.row_off + self.size

    @property
    def col_end(self) -> int:
        return self.col_off + self.size

    def touches(self, other: Cell) -> bool:
        """True when the cells overlap or share an edge or a corner (closed extents)."""
        return (self.row_off <= other.row_end and other.row_off <= self.row_end
                and self.col_off <= other.col_end and other.col_off <= self.col_end)


@dataclass(frozen=True)
class PixelArea:
    """A half-open pixel rectangle [row0, row1) × [col0, col1) of a raster."""

    row0: int
    col0: int
    row1: int
    col1: int

    @property
    def height(self) -> int:
        return self.row1 - self.row0

    @property
    def width(self) -> int:
        return self.col1 - self.col0

    def clip(self, height: int, width: int) -> PixelArea:
        return PixelArea(max(self.row0, 0), max(self.col0, 0), min(self.row1, height),
                         min(self.col1, width))

    @property
    def empty(self) -> bool:
        return self.height <= 0 or self.width <= 0


def pixel_area_from_fractional(row0: float, col0: float, row1: float, col1: float,
                               eps: float = 1e-6) -> PixelArea:
    """Smallest whole-pixel area holding a fractional one (tolerant to float noise)."""
    r0, r1 = sorted((row0, row1))
    c0, c1 = sorted((col0, col1))
    return PixelArea(math.floor(r0 + eps), math.floor(c0 + eps), math.ceil(r1 - eps),
                     math.ceil(c1 - eps))


def axis_offsets(start: int, stop: int, size: int, stride: int, cover_edges: bool) -> list[int]:
    """Offsets of cells along one axis inside [start, stop): a lattice from `start`.

    With `cover_edges`, a last offset `stop - size` is added when the lattice leaves a strip of
    fewer than `size` pixels uncovered (that cell overlaps its neighbour; still on the pixel grid).
    """
    if size <= 0 or stride <= 0:
        raise ValueError("size and stride must be positive")
    if stop - start < size:
        return []
    offsets = list(range(start, stop - size + 1, stride))
    if cover_edges and offsets[-1] + size < stop:
        offsets.append(stop - size)
    return offsets


def lattice(area: PixelArea, size: int, stride: int, cover_edges: bool = True) -> list[Cell]:
    """Cells of `size` pixels on a lattice of step `stride` covering `area`, row-major."""
    rows = axis_offsets(area.row0, area.row1, size, stride, cover_edges)
    cols = axis_offsets(area.col0, area.col1, size, stride, cover_edges)
    return [Cell(r, c, size) for r in rows for c in cols]


def grow_area(area: PixelArea, size: int, height: int, width: int) -> PixelArea:
    """Grow an area smaller than a cell to `size` pixels where the raster allows (kept inside)."""
    def grow(lo: int, hi: int, limit: int) -> tuple[int, int]:
        if hi - lo >= size:
            return lo, hi
        lo = max(0, min(lo, limit - size))
        return lo, min(limit, lo + size)

    r0, r1 = grow(area.row0, area.row1, height)
    c0, c1 = grow(area.col0, area.col1, width)
    return PixelArea(r0, c0, r1, c1)


def strips(cells: list[Cell]) -> Iterator[list[Cell]]:
    """Group cells that share a `row_off` (one horizontal strip each), in row order."""
    by_row: dict[int, list[Cell]] = {}
    for cell in cells:
        by_row.setdefault(cell.row_off, []).append(cell)
    for row in sorted(by_row):
        yield sorted(by_row[row], key=lambda c: c.col_off)


def chunk_columns(strip: list[Cell], max_width: int) -> Iterator[list[Cell]]:
    """Split one strip into runs of cells whose joint column span is at most `max_width`."""
    run: list[Cell] = []
    for cell in strip:
        if run and cell.col_end - run[0].col_off > max_width:
            yield run
            run = []
        run.append(cell)
    if run:
        yield run


def block_index(cell: Cell, origin: tuple[int, int], stride: int, block_size: int
                ) -> tuple[int, int]:
    """The spatial block (row, col) of a cell: blocks are `block_size`×`block_size` lattice steps.

    Edge cells added by `cover_edges` fall in the block of their lattice position (floor).
    """
    step = stride * block_size
    return ((cell.row_off - origin[0]) // step, (cell.col_off - origin[1]) // step)
