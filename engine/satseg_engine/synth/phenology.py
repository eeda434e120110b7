"""The optical series of the sources scene: vegetation through the season, one image per date.

Crops follow a cycle (green-up, full cover, senescence, harvest, bare soil); a single-season crop
has one long cycle, a double-season crop two short ones, sown on random days per field, so that
at any one date both classes show every state. Grass dries through the summer, deciduous forest
leafs out in spring and turns in autumn, water turbidity changes. Every date also has its own
haze, illumination, pixel noise and missing areas (`coverage`).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from . import spectra
from .block import PixelWindow
from .cover import Cover
from .layout import K_HAZE, K_ILLUM
from .noise import fractal_grid, hash_uniform, value_noise_points
from .sources_layout import (
    BUILT,
    FOREST,
    GRASS,
    K_CLOUD,
    K_DATE_NOISE,
    K_SWATH,
    WATER,
    WET,
    SourcesLayout,
)

_E = spectra.ENDMEMBER_INDEX
S2_BANDS, S2_WAVELENGTHS, _S2_MATRIX = spectra.band_set(4)  # B2 B3 B4 B8
#: (4 bands x endmembers) reflectance x 10000, and haze per unit in the 4 bands
ENDMEMBERS_4 = _S2_MATRIX @ spectra.ENDMEMBER_MATRIX
HAZE_4 = _S2_MATRIX @ spectra.HAZE


def _ramp(x: np.ndarray | float) -> np.ndarray:
    """Smoothstep of x clipped to [0, 1]."""
    t = np.clip(x, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def cycle(position: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(green cover, ripe cover) at a position 0..1 in a crop cycle (bare soil outside)."""
    green = np.where(position < 0.3, _ramp(position / 0.3),
                     np.where(position < 0.6, 1.0, _ramp((0.9 - position) / 0.3)))
    inside = (position >= 0.0) & (position <= 1.0)
    green = np.where(inside, green, 0.0)
    ripe = np.where(inside & (position >= 0.6), 1.0 - green, 0.0)
    return green, ripe


def crop_state(cover: Cover, doy: float) -> tuple[np.ndarray, np.ndarray]:
    """(green, ripe) cover of crop pixels on day `doy` (0 elsewhere)."""
    with np.errstate(invalid="ignore"):
        green, ripe = cycle((doy - cover.sow1) / cover.len1)
        green2, ripe2 = cycle((doy - cover.sow2) / cover.len2)
    green = np.nan_to_num(green + green2) * cover.vigour
    green = np.clip(green + cover.variation * green, 0.0, 1.0)
    return green.astype(np.float32), np.clip(np.nan_to_num(ripe + ripe2), 0.0, 1.0 - green)


def grass_dryness(cover: Cover, doy: float, date: int) -> np.ndarray:
    """Dry share of grass: high before the spring green-up and in late summer."""
    season = 0.35 * (1.0 - _ramp((doy - 70.0) / 60.0)) + 0.3 * _ramp((doy - 180.0) / 80.0)
    local = cover.window.noise((K_DATE_NOISE, date, 1), (6.0, 2.5)) - 0.5
    return np.clip(cover.dry + season + 0.15 * local, 0.0, 0.95)


def abundances(cover: Cover, doy: float, date: int) -> np.ndarray:
    """(endmembers x h x w) surface cover fractions on day `doy`."""
    labels = cover.labels
    parts = np.zeros((len(_E), *labels.shape), dtype=np.float32)

    def put(mask: np.ndarray, name: str, values: np.ndarray | float) -> None:
        np.copyto(parts[_E[name]], values, where=mask, casting="unsafe")

    dry = grass_dryness(cover, doy, date)
    grass = (labels == GRASS) | (labels == WET)
    put(grass, "grass", 1.0 - dry)
    put(grass, "grass_dry", dry)
    forest = labels == FOREST
    leaves = (1.0 - cover.conifer) * float(_ramp((doy - 100.0) / 40.0)
                                           * (1.0 - 0.8 * _ramp((doy - 270.0) / 40.0)))
    put(forest, "conifer", cover.conifer)
    put(forest, "deciduous", leaves)
    put(forest, "grass_dry", 1.0 - cover.conifer - leaves)
    built = labels == BUILT
    sealed = 1.0 - cover.garden
    put(built, "grass", cover.garden * (1.0 - dry))
    put(built, "grass_dry", cover.garden * dry)
    put(built, "roof_tile", sealed * cover.roofs)
    put(built, "concrete", sealed * (1.0 - cover.roofs) * 0.65)
    put(built, "asphalt", sealed * (1.0 - cover.roofs) * 0.35)
    water = labels == WATER
    if water.any():
        turbid = np.clip(cover.turbid + 0.3 * (cover.window.noise((K_DATE_NOISE, date, 2),
                                                                   (80.0, 25.0)) - 0.5), 0, 1)
        put(water, "water_deep", 1.0 - turbid)
        put(water, "water_turbid", turbid)
    crop = ~np.isnan(cover.sow1)
    green, ripe = crop_state(cover, doy)
    put(crop, "crop_green", green)
    put(crop, "crop_ripe", ripe)
    put(crop, "soil", 1.0 - green - ripe)
    return parts


def optical_images(layout: SourcesLayout, cover: Cover, cell: tuple[int, int]
                   ) -> Iterator[np.ndarray]:
    """The 4-band uint16 image of each date (reflectance x 10000, nodata 0 where not covered);
    pixel noise is seeded by (seed, date, cell)."""
    win, (height, width) = cover.window, cover.labels.shape
    shading = (cover.brightness * (0.98 + 0.04 * win.noise(K_ILLUM, (600.0, 250.0)))).ravel()
    for date, doy in enumerate(layout.doys.tolist()):
        rng = np.random.default_rng((layout.seed, date, *cell))
        parts = abundances(cover, doy, date).reshape(len(_E), -1)
        reflectance = ENDMEMBERS_4 @ parts
        reflectance *= shading * (0.97 + 0.06 * hash_uniform(layout.seed, K_DATE_NOISE, date, 3))
        thickness = 100.0 * float(hash_uniform(layout.seed, K_DATE_NOISE, date, 4))
        haze = 0.6 + 0.4 * win.noise((K_HAZE, date), (1500.0, 600.0))  # thin, nearly uniform
        reflectance += HAZE_4[:, None] * (thickness * haze.ravel())[None, :]
        noise = rng.standard_normal(reflectance.shape, dtype=np.float32)
        noise *= 0.012 * reflectance + 6.0
        reflectance += noise
        np.rint(reflectance, out=reflectance)
        np.clip(reflectance, 1, 65535, out=reflectance)
        image = reflectance.astype(np.uint16).reshape(-1, height, width)
        image[:, ~coverage(layout, date, win)] = 0
        yield image


def coverage(layout: SourcesLayout, date: int, win: PixelWindow) -> np.ndarray:
    """Where `date` sees the ground: not under its cloud blob, inside its swath."""
    valid = np.ones(win.shape, dtype=bool)
    if date == layout.cloud_date:
        cloud = fractal_grid((layout.seed, K_CLOUD), win.rows, win.cols, layout.cloud_spacings)
        valid &= cloud <= layout.cloud_threshold
    if date == layout.swath_date:
        lay = layout.base
        top, bottom = layout.swath_share
        ragged = 3.0 * (value_noise_points((lay.seed, K_SWATH), win.rows, 0.0 * win.rows, 25.0)
                        - 0.5)
        edge = lay.width * (top + (bottom - top) * win.rows / lay.height) + ragged
        if layout.swath_side == 0:
            valid &= win.c >= edge[:, None]
        else:
            valid &= win.c < (lay.width - edge)[:, None]
    return valid
