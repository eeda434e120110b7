"""Segments cut by block seams, joined back into one polygon each.

Blocks are polygonised in pixel coordinates (whole numbers, so pieces on either side of a seam
share their edge exactly). A piece that touches an inner seam is held here; when the block on
the other side is done, the label columns (rows) facing each other across the seam say which
pieces of equal class are 4-adjacent, and those are joined (union-find). After each row of
blocks, every group none of whose pieces touches the seam below that row is complete: its
pieces are dissolved into one polygon and its counts summed. Only segments that cross the
current row's lower seam stay in memory.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np


@dataclasses.dataclass
class Piece:
    """A segment, or the part of one inside a block (geometry in pixel coordinates)."""

    value: int
    geometry: Any
    pixels: int
    confidence_sum: float
    confidence_pixels: float
    block_row: int = -1
    below: bool = False  # touches the seam below its block


class Seams:
    """Open pieces and their groups (union-find over global piece ids)."""

    def __init__(self) -> None:
        self.pieces: dict[int, Piece] = {}
        self.parent: dict[int, int] = {}

    def add(self, key: int, piece: Piece) -> None:
        self.pieces[key] = piece
        self.parent[key] = key

    def join_edges(self, a: np.ndarray, b: np.ndarray) -> None:
        """Join the pieces facing each other across a seam (ids `a` on one side, `b` on the
        other, pixel for pixel) that hold the same class."""
        both = (a > 0) & (b > 0)
        for x, y in set(zip(a[both].tolist(), b[both].tolist(), strict=True)):
            if self.pieces[x].value == self.pieces[y].value:
                self.join(x, y)

    def root(self, key: int) -> int:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def join(self, a: int, b: int) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def finish_row(self, block_row: int, last: bool) -> list[Piece]:
        """The segments completed by this row of blocks, dissolved; the others stay open."""
        import shapely

        groups: dict[int, list[int]] = {}
        for key in self.pieces:
            groups.setdefault(self.root(key), []).append(key)
        done = []
        for keys in groups.values():
            parts = [self.pieces[k] for k in keys]
            if not last and any(p.below and p.block_row == block_row for p in parts):
                continue
            geometry = parts[0].geometry if len(parts) == 1 else shapely.simplify(
                shapely.union_all([p.geometry for p in parts]), 0.0)
            done.append(Piece(parts[0].value, geometry, sum(p.pixels for p in parts),
                              sum(p.confidence_sum for p in parts),
                              sum(p.confidence_pixels for p in parts)))
            for key in keys:
                del self.pieces[key]
        alive = set(self.pieces)
        self.parent = {k: self.root(k) for k in alive}
        return done
