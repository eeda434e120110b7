"""Scene characters for `satseg sample --scene`, for judging training recipes on held-out areas.

* ``plain``: the sample scene (water, forest, cropland, built-up, road, grassland).
* ``rare``: the same scene plus three small, rare classes scattered over the land: greenhouses
  (a few pixels each, bright plastic), solar parks (dark panels) and quarries (bright rock, close
  to bare soil), each covering well under 1 % of the scene.
* ``drift``: the right part of the scene differs from its left: from `DRIFT_START` of the width
  on, more of the land is cropland and less is forest, and the spectra shift gradually (another
  season or sensor: brighter visible bands, a weaker near infrared) to full strength at
  `DRIFT_FULL` of the width.

Every character keeps the block-by-block generation of synth.block: `renderer` returns a pure
function of a block's position.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from .block import render_block
from .layout import BLOCK, Layout, scene_thresholds
from .spectra import CLASSES, CROPLAND, FOREST, GRASS

SCENES = ("plain", "rare", "drift")
K_RARE = 41

#: value, name, colour; the extra classes of the ``rare`` scene.
RARE_CLASSES: tuple[tuple[int, str, str], ...] = (
    (7, "greenhouse", "#f7f7f7"),
    (8, "solar park", "#542788"),
    (9, "quarry", "#bf812d"),
)
#: reflectance x 10000 in the ten S2 bands of each rare class.
RARE_SPECTRA: dict[int, tuple[int, ...]] = {
    7: (2100, 2250, 2300, 2350, 2450, 2550, 2650, 2700, 2500, 2100),
    8: (650, 600, 480, 470, 500, 520, 540, 550, 720, 660),
    9: (1700, 2000, 2400, 2600, 2750, 2850, 2950, 3000, 3800, 3300),
}
#: objects per million pixels and (min, max) half size in pixels of each rare class.
RARE_OBJECTS: dict[int, tuple[float, tuple[float, float]]] = {
    7: (160.0, (1.0, 2.5)),
    8: (40.0, (2.5, 5.0)),
    9: (14.0, (4.0, 8.0)),
}

DRIFT_START, DRIFT_FULL = 0.5, 0.8
DRIFT_SHARES = (0.7, 0.25)  # agricultural share and forest share of the rest, right part
#: per S2 band gain and offset (reflectance x 10000) at full drift.
DRIFT_GAIN = np.array([1.08, 1.07, 1.06, 1.03, 0.99, 0.96, 0.95, 0.95, 1.04, 1.06],
                      dtype=np.float32)
DRIFT_OFFSET = np.array([90, 70, 50, 40, 30, 20, 20, 20, 0, 0], dtype=np.float32)

Renderer = Callable[[int, int], tuple[np.ndarray, np.ndarray]]


def scene_classes(scene: str) -> tuple[tuple[int, str, str], ...]:
    """The class table (value, name, colour) of a scene character."""
    return CLASSES + RARE_CLASSES if scene == "rare" else CLASSES


def renderer(scene: str, layout: Layout, band_matrix: np.ndarray) -> Renderer:
    """(block_row, block_col) -> (labels, image) for the scene character."""
    if scene == "rare":
        objects = rare_objects(layout)
        return lambda row, col: _with_rare(layout, band_matrix, objects, row, col)
    if scene == "drift":
        agri_t, forest_t = scene_thresholds(layout.seed, layout.width, layout.height,
                                            *DRIFT_SHARES)
        right = dataclasses.replace(layout, agri_threshold=agri_t, forest_threshold=forest_t)
        return lambda row, col: _with_drift(layout, right, band_matrix, row, col)
    return lambda row, col: render_block(layout, band_matrix, row, col)


def rare_objects(layout: Layout) -> np.ndarray:
    """(n, 5) rectangles: centre row, centre col, half height, half width, class value."""
    rng = np.random.default_rng((layout.seed, K_RARE, layout.width, layout.height))
    rows = []
    for value, (density, (low, high)) in RARE_OBJECTS.items():
        count = max(3, round(density * layout.width * layout.height / 1e6))
        half = rng.uniform(low, high, size=(count, 2))
        centre = rng.uniform((0, 0.1 * layout.width), (layout.height, 0.9 * layout.width),
                             size=(count, 2))
        rows.append(np.column_stack([centre, half, np.full(count, value)]))
    return np.concatenate(rows)


def _with_rare(layout: Layout, band_matrix: np.ndarray, objects: np.ndarray, block_row: int,
               block_col: int) -> tuple[np.ndarray, np.ndarray]:
    labels, image = render_block(layout, band_matrix, block_row, block_col)
    row0, col0 = block_row * BLOCK, block_col * BLOCK
    rows = row0 + np.arange(labels.shape[0])[:, None] + 0.5
    cols = col0 + np.arange(labels.shape[1])[None, :] + 0.5
    near = ((objects[:, 0] + objects[:, 2] > row0) & (objects[:, 0] - objects[:, 2] < row0 + BLOCK)
            & (objects[:, 1] + objects[:, 3] > col0)
            & (objects[:, 1] - objects[:, 3] < col0 + BLOCK))
    land = np.isin(labels, (FOREST, CROPLAND, GRASS))
    rng = np.random.default_rng((layout.seed, K_RARE, block_row, block_col))
    for r, c, hr, hc, value in objects[near]:
        inside = land & (np.abs(rows - r) <= hr) & (np.abs(cols - c) <= hc)
        if not inside.any():
            continue
        spectrum = band_matrix @ np.asarray(RARE_SPECTRA[int(value)], dtype=np.float32)
        shade = rng.uniform(0.9, 1.1)
        pixels = spectrum[:, None] * shade * (1.0 + 0.03 * rng.standard_normal(
            (1, int(inside.sum()))))
        image[:, inside] = np.clip(np.rint(pixels), 1, 65535).astype(np.uint16)
        labels[inside] = int(value)
    return labels, image


def _with_drift(left: Layout, right: Layout, band_matrix: np.ndarray, block_row: int,
                block_col: int) -> tuple[np.ndarray, np.ndarray]:
    labels, image = render_block(left, band_matrix, block_row, block_col)
    col0 = block_col * BLOCK
    cols = col0 + np.arange(labels.shape[1]) + 0.5
    start, full = DRIFT_START * left.width, DRIFT_FULL * left.width
    if cols[-1] < start:
        return labels, image
    r_labels, r_image = render_block(right, band_matrix, block_row, block_col)
    take = cols >= start
    labels[:, take], image[:, :, take] = r_labels[:, take], r_image[:, :, take]
    ramp = np.clip((cols - start) / (full - start), 0.0, 1.0).astype(np.float32)
    gain = band_matrix @ DRIFT_GAIN / band_matrix.sum(axis=1)
    offset = band_matrix @ DRIFT_OFFSET
    shifted = image.astype(np.float32) * (1.0 + (gain[:, None, None] - 1.0) * ramp) \
        + offset[:, None, None] * ramp
    valid = labels > 0
    out = np.clip(np.rint(shifted), 1, 65535).astype(np.uint16)
    return labels, np.where(valid[None], out, 0).astype(np.uint16)

