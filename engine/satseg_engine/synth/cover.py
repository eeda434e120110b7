"""Land cover of the sources scene over any window of primary pixels (also outside the scene).

`render_cover` is a pure function of the layout and global pixel coordinates (hashed noise only,
no random generator), so the optical blocks and the radar footprints, which do not share a grid,
see the same fields, parcels, lakes and towns.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .block import PixelWindow, blob_field, parcel_grid, river_masks
from .layout import (
    AGRI_OCTAVES,
    FOREST_OCTAVES,
    K_AGRI,
    K_CONIFER,
    K_CROPVAR,
    K_DRY,
    K_FOREST,
    K_LAKE,
    K_PARCEL,
    K_PARCEL3,
    K_TEXTURE,
    K_TOWN,
    K_TURBID,
    K_URBAN,
    K_URBAN2,
    Layout,
)
from .noise import fractal_points, hash_uniform
from .sources_layout import (
    BUILT,
    DOUBLE,
    FOREST,
    GRASS,
    K_GAP,
    K_LEN,
    K_LEN2,
    K_SOW,
    K_VIGOUR,
    K_WET,
    SINGLE,
    WATER,
    WET,
    WET_OCTAVES,
    SourcesLayout,
)

SINGLE_SHARE, DOUBLE_SHARE = 0.42, 0.42   # of the agricultural parcels; the rest are meadows
SOWING = (40.0, 160.0)                     # day of year of the (first) sowing, uniform
SINGLE_DAYS, DOUBLE_DAYS = 120.0, 60.0     # length of one crop cycle (+-15 % per field)
MARGIN = 0.6                               # half width (pixels) of the grass between parcels


@dataclasses.dataclass
class Cover:
    """Labels and the per-pixel state the optical and radar renderers need (float32 arrays)."""

    window: PixelWindow
    labels: np.ndarray       # uint8 classes (sources_layout.SOURCE_CLASSES)
    brightness: np.ndarray   # multiplicative (crowns, field shade)
    dry: np.ndarray          # static dryness of grass (grassland, wet grassland, gardens)
    conifer: np.ndarray      # conifer share of forest
    turbid: np.ndarray       # water turbidity 0..1
    garden: np.ndarray       # vegetated share of built-up pixels
    roofs: np.ndarray        # tiled share of the sealed part of built-up pixels
    sow1: np.ndarray         # crops: first sowing day; NaN elsewhere
    len1: np.ndarray         # crops: first cycle length (days)
    sow2: np.ndarray         # double-season crops: second sowing day; NaN elsewhere
    len2: np.ndarray
    vigour: np.ndarray       # crops: peak green cover
    variation: np.ndarray    # crops: within-field variation of green cover


def render_cover(layout: SourcesLayout, row0: int, col0: int, height: int, width: int) -> Cover:
    """The land cover of primary pixels [row0, row0+height) x [col0, col0+width)."""
    win = PixelWindow(layout.seed, row0, col0, height, width)
    shape = win.shape
    labels = np.full(shape, GRASS, dtype=np.uint8)
    nan = np.full(shape, np.nan, dtype=np.float32)
    conifer = np.clip((win.noise(K_CONIFER, (140.0, 50.0)) - 0.35) * 2.5, 0.0, 1.0)
    cover = Cover(window=win, labels=labels, brightness=np.ones(shape, dtype=np.float32),
                  dry=np.clip((win.noise(K_DRY, (6.0, 3.0, 1.5)) - 0.3) * 1.5, 0.0, 0.6),
                  conifer=conifer, turbid=np.zeros(shape, np.float32),
                  garden=np.zeros(shape, np.float32), roofs=np.zeros(shape, np.float32),
                  sow1=nan, len1=nan.copy(), sow2=nan.copy(), len2=nan.copy(),
                  vigour=np.zeros(shape, np.float32),
                  variation=(win.noise(K_CROPVAR, (14.0, 6.0)) - 0.5) * 0.25)
    forest = win.noise(K_FOREST, FOREST_OCTAVES, gain=0.55) > layout.base.forest_threshold
    labels[forest] = FOREST
    cover.brightness[forest] = (0.8 + 0.4 * win.noise(K_TEXTURE, (2.5, 5.0)))[forest]
    agri = _fields(layout, cover)
    wet = win.noise(K_WET, WET_OCTAVES) > layout.wet_threshold
    labels[wet & ~agri & (labels == GRASS)] = WET
    _settlements(layout, cover)
    _water(layout, cover)
    return cover


def _fields(layout: SourcesLayout, cover: Cover) -> np.ndarray:
    """Agricultural parcels: single- or double-season crop or meadow, decided per parcel."""
    lay, win = layout.base, cover.window
    k, m, inverse, centre_row, centre_col = parcel_grid(lay, win.r, win.c)
    agri = fractal_points((lay.seed, K_AGRI), centre_row, centre_col,
                          AGRI_OCTAVES) > lay.agri_threshold
    kind = hash_uniform(lay.seed, K_PARCEL, k, m)
    single = agri & (kind < SINGLE_SHARE)
    double = agri & (kind >= SINGLE_SHARE) & (kind < SINGLE_SHARE + DOUBLE_SHARE)
    meadow = agri & ~single & ~double
    wet = fractal_points((lay.seed, K_WET), centre_row, centre_col,
                         WET_OCTAVES) > layout.wet_threshold
    cycle = np.where(single, SINGLE_DAYS, DOUBLE_DAYS)
    sow1 = SOWING[0] + (SOWING[1] - SOWING[0]) * hash_uniform(lay.seed, K_SOW, k, m)
    len1 = cycle * (0.85 + 0.3 * hash_uniform(lay.seed, K_LEN, k, m))
    len2 = DOUBLE_DAYS * (0.85 + 0.3 * hash_uniform(lay.seed, K_LEN2, k, m))
    sow2 = np.where(double, sow1 + len1 + 15.0 * hash_uniform(lay.seed, K_GAP, k, m), np.nan)
    parcel_label = np.select([single, double, meadow & wet, meadow], [SINGLE, DOUBLE, WET, GRASS],
                             0).astype(np.uint8)
    pixel_label = parcel_label[inverse]
    margin = (pixel_label != WET) & (pixel_label > 0) & (_edge_distance(lay, win) < MARGIN)
    pixel_label[margin] = GRASS
    fielded = pixel_label > 0
    cover.labels[fielded] = pixel_label[fielded]
    crop = (pixel_label == SINGLE) | (pixel_label == DOUBLE)
    for name, values in (("sow1", sow1), ("len1", len1), ("sow2", sow2), ("len2", len2),
                         ("vigour", 0.6 + 0.4 * hash_uniform(lay.seed, K_VIGOUR, k, m))):
        np.copyto(getattr(cover, name), values[inverse], where=crop, casting="unsafe")
    shade = 0.92 + 0.16 * hash_uniform(lay.seed, K_PARCEL3, k, m)
    cover.brightness[crop] = shade[inverse][crop]
    return pixel_label > 0


def _edge_distance(lay: Layout, win: PixelWindow) -> np.ndarray:
    """Distance (pixels) from each pixel centre to the nearest edge of its parcel."""
    cos, sin = math.cos(lay.angle), math.sin(lay.angle)
    u = win.c * cos + win.r * sin
    v = -win.c * sin + win.r * cos
    strip = np.clip(np.searchsorted(lay.strip_edges, u, side="right") - 1, 0,
                    len(lay.strip_length) - 1)
    across = np.minimum(u - lay.strip_edges[strip], lay.strip_edges[strip + 1] - u)
    along = np.mod(v + lay.strip_offset[strip], lay.strip_length[strip])
    return np.minimum(across, np.minimum(along, lay.strip_length[strip] - along))


def _settlements(layout: SourcesLayout, cover: Cover) -> None:
    win = cover.window
    field = blob_field(win, layout.base.blobs, K_TOWN, (14.0, 6.0), 0.6)
    built = field < 1.0
    if not built.any():
        return
    _clear(cover, built, BUILT)
    garden = np.clip(0.1 + 0.35 * win.noise(K_URBAN, (3.0, 1.5)) + 0.3 * field, 0.05, 0.8)
    cover.garden[built] = garden[built]
    cover.roofs[built] = win.noise(K_URBAN2, (2.0, 4.0))[built]


def _water(layout: SourcesLayout, cover: Cover) -> None:
    """Lakes and rivers, and the wet grassland along their banks (replacing grass and crops)."""
    win = cover.window
    lakes = blob_field(win, layout.base.lakes, K_LAKE, (40.0, 16.0, 6.0), 0.9)
    turbid = np.clip(0.75 - 2.5 * (1.0 - lakes), 0.0, 1.0)
    in_river, near_river = river_masks(win, layout.base.rivers, margin=9.0)
    water = (lakes < 1.0) | in_river
    banks = (lakes < 1.45) | near_river
    turbid[in_river] = 0.6
    banks &= np.isin(cover.labels, (GRASS, SINGLE, DOUBLE))
    _clear(cover, banks, WET)
    if water.any():
        turbid = np.clip(turbid + 0.5 * (win.noise(K_TURBID, (60.0, 20.0)) - 0.5), 0.0, 1.0)
        _clear(cover, water, WATER)
        cover.turbid[water] = turbid[water]


def _clear(cover: Cover, mask: np.ndarray, label: int) -> None:
    """Give `mask` a new label and forget the crop state and shading it had."""
    cover.labels[mask] = label
    for array in (cover.sow1, cover.len1, cover.sow2, cover.len2):
        array[mask] = np.nan
    cover.vigour[mask] = 0.0
    cover.brightness[mask] = 1.0
