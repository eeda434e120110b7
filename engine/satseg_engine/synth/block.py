"""Render one block of a synthetic scene: land-cover labels and the multi-band image.

`render_block` is a pure function of the layout and the block's position on the fixed block grid
(synth.BLOCK), so blocks can be generated in any order, in bounded memory, without seams.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import spectra
from .layout import (
    AGRI_OCTAVES,
    BLOCK,
    FOREST_OCTAVES,
    K_AGRI,
    K_CONIFER,
    K_CROPVAR,
    K_DRY,
    K_EDGE,
    K_FOREST,
    K_HAZE,
    K_ILLUM,
    K_LAKE,
    K_PARCEL,
    K_PARCEL2,
    K_PARCEL3,
    K_TEXTURE,
    K_TOWN,
    K_TURBID,
    K_URBAN,
    K_URBAN2,
    Layout,
)
from .noise import fractal_grid, fractal_points, hash_uniform, value_noise_points
from .spectra import BUILT, CROPLAND, FOREST, GRASS, ROAD, WATER

_E = spectra.ENDMEMBER_INDEX


class PixelWindow:
    """Pixel-centre coordinates of a window of the scene, and noise keyed by the scene's seed."""

    def __init__(self, seed: int, row0: int, col0: int, height: int, width: int):
        self.key = seed
        self.rows = row0 + np.arange(height) + 0.5
        self.cols = col0 + np.arange(width) + 0.5
        self.r = self.rows[:, None]
        self.c = self.cols[None, :]
        self.shape = (height, width)

    def noise(self, key: int | tuple[int, ...], spacings: tuple[float, ...],
              gain: float = 0.5) -> np.ndarray:
        keys = key if isinstance(key, tuple) else (key,)
        return fractal_grid((self.key, *keys), self.rows, self.cols, spacings, gain)

    def window(self, r0: float, r1: float, c0: float, c1: float) -> tuple[slice, slice] | None:
        """Slices of this window covering rows [r0, r1) and cols [c0, c1) (global), or None."""
        top, left = self.rows[0] - 0.5, self.cols[0] - 0.5
        rs = slice(max(int(r0 - top), 0), min(math.ceil(r1 - top), self.shape[0]))
        cs = slice(max(int(c0 - left), 0), min(math.ceil(c1 - left), self.shape[1]))
        return (rs, cs) if rs.start < rs.stop and cs.start < cs.stop else None


class _Block(PixelWindow):
    """One block of the plain sample scene and the per-pixel state being built."""

    def __init__(self, layout: Layout, row0: int, col0: int, height: int, width: int):
        super().__init__(layout.seed, row0, col0, height, width)
        self.layout = layout
        self.labels = np.full(self.shape, GRASS, dtype=np.uint8)
        self.abundance = np.zeros((len(_E), height, width), dtype=np.float32)
        self.brightness = np.ones(self.shape, dtype=np.float32)


def render_block(layout: Layout, band_matrix: np.ndarray, block_row: int, block_col: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(labels uint8 h x w, image uint16 bands x h x w) of block (block_row, block_col)."""
    row0, col0 = block_row * BLOCK, block_col * BLOCK
    height, width = min(BLOCK, layout.height - row0), min(BLOCK, layout.width - col0)
    block = _Block(layout, row0, col0, height, width)
    _grass_and_forest(block)
    _fields(block)
    _settlements(block)
    turbid = _water(block)
    _roads(block)
    valid = _valid(block)
    block.labels[~valid] = 0
    _mix_water(block, turbid)
    reflectance = spectra.ENDMEMBER_MATRIX @ block.abundance.reshape(len(_E), -1)
    reflectance *= (block.brightness * _illumination(block)).reshape(1, -1)
    reflectance += np.outer(spectra.HAZE, _haze(block).ravel())
    image = band_matrix @ reflectance
    rng = np.random.default_rng((layout.seed, block_row, block_col))
    image += rng.standard_normal(image.shape, dtype=np.float32) * (6.0 + 0.012 * image)
    image = np.clip(np.rint(image), 1, 65535).astype(np.uint16).reshape(-1, height, width)
    image[:, ~valid] = 0
    return block.labels, image


def _set(block: _Block, mask: np.ndarray, label: int, **parts: np.ndarray | float) -> None:
    """Give the pixels in `mask` a label and endmember abundances (others reset to 0)."""
    block.labels[mask] = label
    np.copyto(block.abundance, 0.0, where=mask[None])
    for name, value in parts.items():
        np.copyto(block.abundance[_E[name]], value, where=mask, casting="unsafe")


def _grass_and_forest(block: _Block) -> None:
    dry = np.clip((block.noise(K_DRY, (160.0, 40.0, 9.0)) - 0.35) * 1.6, 0.0, 0.7)
    everywhere = np.ones(block.shape, dtype=bool)
    _set(block, everywhere, GRASS, grass=1.0 - dry, grass_dry=dry)
    forest = block.noise(K_FOREST, FOREST_OCTAVES, gain=0.55) > block.layout.forest_threshold
    conifer = np.clip((block.noise(K_CONIFER, (140.0, 50.0)) - 0.35) * 2.5, 0.0, 1.0)
    _set(block, forest, FOREST, conifer=conifer, deciduous=1.0 - conifer)
    crowns = block.noise(K_TEXTURE, (2.5, 5.0))
    block.brightness[forest] = (0.78 + 0.44 * crowns)[forest]


def _fields(block: _Block) -> None:
    """Agricultural parcels: a rotated brick pattern; zone and crop decided per parcel."""
    lay = block.layout
    k, m, inverse, centre_row, centre_col = parcel_grid(lay, block.r, block.c)
    agri = fractal_points((lay.seed, K_AGRI), centre_row, centre_col,
                          AGRI_OCTAVES) > lay.agri_threshold
    kind = hash_uniform(lay.seed, K_PARCEL, k, m)
    vigour = hash_uniform(lay.seed, K_PARCEL2, k, m)
    shade = 0.9 + 0.2 * hash_uniform(lay.seed, K_PARCEL3, k, m)
    # per parcel shares of green crop, ripe crop and bare soil; pasture parcels are grassland
    green = np.select([kind < 0.14, kind < 0.5, kind < 0.68, kind < 0.84],
                      [0.75 + 0.25 * vigour, 0.55 + 0.45 * vigour, 0.0, 0.0],
                      0.15 + 0.35 * vigour)
    ripe = np.where((kind >= 0.5) & (kind < 0.68), 0.7 + 0.3 * vigour, 0.0)
    soil = np.where(kind < 0.14, 0.0, 1.0 - green - ripe)
    pasture = agri & (kind < 0.14)
    variation = (block.noise(K_CROPVAR, (14.0, 6.0)) - 0.5) * 0.2
    green_px = np.clip(green[inverse] + variation, 0.0, 1.0)
    is_crop = (agri & ~pasture)[inverse]
    soil_px = np.clip(soil[inverse] - variation, 0.0, 1.0)
    _set(block, is_crop, CROPLAND, crop_green=green_px, crop_ripe=ripe[inverse], soil=soil_px)
    dry = np.clip(1.0 - green[inverse] - variation, 0.0, 1.0)
    _set(block, pasture[inverse], GRASS, grass=1.0 - dry, grass_dry=dry)
    fielded = agri[inverse]
    block.brightness[fielded] = shade[inverse][fielded]


def parcel_grid(layout: Layout, r: np.ndarray, c: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The parcels of the rotated brick pattern at pixel centres r (column) x c (row vector).

    Returns, per parcel present, its strip k, its segment m and its centre (row, col), and per
    pixel the index of its parcel in those arrays (`inverse`, shaped like the pixels).
    """
    cos, sin = math.cos(layout.angle), math.sin(layout.angle)
    u = c * cos + r * sin
    v = -c * sin + r * cos
    strip = np.clip(np.searchsorted(layout.strip_edges, u, side="right") - 1, 0,
                    len(layout.strip_length) - 1)
    segment = np.floor((v + layout.strip_offset[strip]) / layout.strip_length[strip]
                       ).astype(np.int64)
    first_strip, first_segment = int(strip.min()), int(segment.min())
    segments = int(segment.max()) - first_segment + 1
    parcels, inverse = _compact_unique((strip - first_strip) * segments
                                       + (segment - first_segment))
    k = parcels // segments + first_strip
    m = parcels % segments + first_segment
    uc = (layout.strip_edges[k] + layout.strip_edges[k + 1]) / 2
    vc = (m + 0.5) * layout.strip_length[k] - layout.strip_offset[k]
    return k, m, inverse, uc * sin + vc * cos, uc * cos - vc * sin


def _compact_unique(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(ids, return_inverse=True) for small non-negative ids, without sorting."""
    present = np.zeros(int(ids.max()) + 1, dtype=bool)
    present[ids] = True
    unique = np.flatnonzero(present)
    position = np.zeros(present.size, dtype=np.int64)
    position[unique] = np.arange(unique.size)
    return unique, position[ids]


def blob_field(block: _Block, blobs: np.ndarray, key: int, spacings: tuple[float, ...],
                wobble: float) -> np.ndarray:
    """min over blobs of distance/radius + noise (inside where < 1); inf outside all."""
    field = np.full(block.shape, np.inf, dtype=np.float32)
    reach = 1.6 * blobs[:, 2] * blobs[:, 3]
    near = blobs[(blobs[:, 0] + reach > block.rows[0]) & (blobs[:, 0] - reach < block.rows[-1])
                 & (blobs[:, 1] + reach > block.cols[0]) & (blobs[:, 1] - reach < block.cols[-1])]
    if not len(near):
        return field
    shape_noise = wobble * (block.noise(key, spacings) - 0.5)
    for row, col, radius, elongation, angle in near:
        reach = 1.6 * radius * elongation
        win = block.window(row - reach, row + reach, col - reach, col + reach)
        if win is None:
            continue
        rs, cs = win
        dr, dc = block.rows[rs, None] - row, block.cols[None, cs] - col
        along = (dc * math.cos(angle) + dr * math.sin(angle)) / elongation
        dist = np.hypot(along, dr * math.cos(angle) - dc * math.sin(angle)) / radius
        field[rs, cs] = np.minimum(field[rs, cs], dist + shape_noise[rs, cs])
    return field


def _settlements(block: _Block) -> None:
    field = blob_field(block, block.layout.blobs, K_TOWN, (14.0, 6.0), 0.6)
    built = field < 1.0
    if not built.any():
        return
    garden = np.clip(0.1 + 0.35 * block.noise(K_URBAN, (3.0, 1.5)) + 0.3 * field, 0.05, 0.8)
    roofs = block.noise(K_URBAN2, (2.0, 4.0))
    sealed = 1.0 - garden
    _set(block, built, BUILT, grass=garden, roof_tile=sealed * roofs,
         concrete=sealed * (1.0 - roofs) * 0.65, asphalt=sealed * (1.0 - roofs) * 0.35)
    block.brightness[built] = 1.0


def river_masks(grid: PixelWindow, rivers: Sequence[Any], margin: float = 0.0
                ) -> tuple[np.ndarray, np.ndarray]:
    """(in a river, within `margin` pixels of a river's bank) for the pixels of `grid`."""
    inside = np.zeros(grid.shape, dtype=bool)
    near = np.zeros(grid.shape, dtype=bool)
    for river in rivers:
        along, across = (grid.cols, grid.r) if river.axis == 0 else (grid.rows, grid.c)
        centre, slope, half = river.centre(along)
        shape = (1, -1) if river.axis == 0 else (-1, 1)
        distance = np.abs(across - centre.reshape(shape)) / np.sqrt(1 + slope**2).reshape(shape)
        inside |= distance < half.reshape(shape)
        near |= distance < half.reshape(shape) + margin
    return inside, near


def _water(block: _Block) -> np.ndarray:
    """Lakes and rivers; returns turbidity (0 clear and deep .. 1 turbid and shallow)."""
    lakes = blob_field(block, block.layout.lakes, K_LAKE, (40.0, 16.0, 6.0), 0.9)
    turbid = np.clip(0.75 - 2.5 * (1.0 - lakes), 0.0, 1.0)
    in_river, _near = river_masks(block, block.layout.rivers)
    water = (lakes < 1.0) | in_river
    turbid[in_river] = 0.6
    if water.any():
        turbid = np.clip(turbid + 0.5 * (block.noise(K_TURBID, (60.0, 20.0)) - 0.5), 0.0, 1.0)
    _set(block, water, WATER)
    block.brightness[water] = 1.0
    return turbid


def _mix_water(block: _Block, turbid: np.ndarray) -> None:
    water = block.labels == WATER
    block.abundance[_E["water_deep"], water] = 1.0 - turbid[water]
    block.abundance[_E["water_turbid"], water] = turbid[water]


def _roads(block: _Block) -> None:
    roads = block.layout.roads
    pad = 2.0
    lo_r, hi_r = np.minimum(roads[:, 0], roads[:, 2]), np.maximum(roads[:, 0], roads[:, 2])
    lo_c, hi_c = np.minimum(roads[:, 1], roads[:, 3]), np.maximum(roads[:, 1], roads[:, 3])
    near = ((hi_r + pad > block.rows[0]) & (lo_r - pad < block.rows[-1])
            & (hi_c + pad > block.cols[0]) & (lo_c - pad < block.cols[-1]))
    road = np.zeros(block.shape, dtype=bool)
    for (r0, c0, r1, c1, half), a, b, c, d in zip(roads[near], lo_r[near], hi_r[near],
                                                  lo_c[near], hi_c[near], strict=True):
        win = block.window(a - pad, b + pad, c - pad, d + pad)
        if win is None:
            continue
        rs, cs = win
        pr, pc = block.rows[rs, None] - r0, block.cols[None, cs] - c0
        dr, dc = r1 - r0, c1 - c0
        t = np.clip((pr * dr + pc * dc) / max(dr * dr + dc * dc, 1e-9), 0.0, 1.0)
        road[rs, cs] |= np.hypot(pr - t * dr, pc - t * dc) <= half
    if road.any():
        tar = 0.55 + 0.3 * block.noise(K_URBAN, (3.0,))
        _set(block, road, ROAD, asphalt=tar, grass=1.0 - tar)
        block.brightness[road] = 1.0


def _valid(block: _Block) -> np.ndarray:
    """False in the nodata margin: a slanted, slightly ragged swath edge on one side."""
    lay = block.layout
    top, bottom = lay.nodata_share
    ragged = 3.0 * (value_noise_points((lay.seed, K_EDGE), block.rows, 0.0 * block.rows, 25.0)
                    - 0.5)
    edge = lay.width * (top + (bottom - top) * block.rows / lay.height) + 2 * ragged
    if lay.nodata_side == 0:
        return block.c >= edge[:, None]
    return block.c < (lay.width - edge)[:, None]


def _illumination(block: _Block) -> np.ndarray:
    return 0.93 + 0.14 * block.noise(K_ILLUM, (600.0, 250.0))


def _haze(block: _Block) -> np.ndarray:
    return np.clip((block.noise(K_HAZE, (500.0, 200.0)) - 0.6) * 2.5, 0.0, 1.0) * 350.0
