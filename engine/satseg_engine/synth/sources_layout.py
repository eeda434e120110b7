"""The global layout of the multi-sensor, multi-date scene (`satseg sample --sources`).

The land cover reuses the single scene's machinery (layout: lakes, rivers, settlements, forest
and agricultural zones, rotated field parcels; noise), with its own classes and three more global
things: the acquisition dates of the optical series, the areas each date misses (a cloud blob on
one date, a swath edge on another) and a wetness field that places the wet grassland (with the
banks of lakes and rivers, see cover).

Classes and what tells them apart (`SOURCE_CLASSES`):

* 1 water, 2 forest, 3 built-up: any optical date;
* 4 grassland vs 5 wet grassland: the same optical spectra at every date (drawn from one
  process); only the radar tells them apart (wet grassland backscatters 6 dB more in VV, 4 dB in
  VH);
* 6 single-season crop vs 7 double-season crop: the same spectra family and, thanks to random
  sowing dates per field, the same distribution of states at any single date; only the temporal
  profile tells them apart (one green-up of about 120 days vs two of about 60).
"""

from __future__ import annotations

import dataclasses
import datetime
import math

import numpy as np

from .layout import Layout, make_layout
from .noise import fractal_points

#: value, name, colour (hex) of the label classes of the sources scene; 0 = no label.
SOURCE_CLASSES: tuple[tuple[int, str, str], ...] = (
    (1, "water", "#1f78b4"),
    (2, "forest", "#1b7837"),
    (3, "built-up", "#e31a1c"),
    (4, "grassland", "#a6d96a"),
    (5, "wet grassland", "#41b6c4"),
    (6, "single-season crop", "#f2c14e"),
    (7, "double-season crop", "#e6550d"),
)
WATER, FOREST, BUILT, GRASS, WET, SINGLE, DOUBLE = range(1, 8)
#: the sensor that separates each class from the others most like it.
SEPARATED_BY = {WATER: "optical", FOREST: "optical", BUILT: "optical", GRASS: "radar",
                WET: "radar", SINGLE: "optical time series", DOUBLE: "optical time series"}

# noise and hash keys of the sources scene (the single scene uses 1..19)
K_WET, K_CLOUD, K_SWATH, K_DATES, K_SOW, K_LEN, K_GAP, K_LEN2 = range(40, 48)
K_VIGOUR, K_STRIPS, K_DATE_NOISE, K_ROUGH, K_SPECKLE, K_WIND = range(48, 54)
WET_OCTAVES = (260.0, 110.0, 45.0)
WET_SHARE = 0.22        # share of the scene where the wetness field makes grass wet
YEAR = 2023
SEASON_MIDDLE = 185     # day of year around which the dates are spread


@dataclasses.dataclass(frozen=True)
class SourcesLayout:
    """Everything global about one sources scene (small: no rasters)."""

    base: Layout                 # land-cover features, field strips over the whole radar extent
    dates: tuple[str, ...]       # YYYY-MM-DD of the optical series, sorted
    doys: np.ndarray             # their days of the year
    wet_threshold: float         # wetness noise above which grassland is wet
    cloud_date: int              # index of the partly clouded date
    cloud_threshold: float
    cloud_spacings: tuple[float, ...]
    swath_date: int              # index of the date whose swath edge crosses the scene
    swath_side: int              # 0: the left part is missing, 1: the right part
    swath_share: tuple[float, float]  # share of the width missing at the top and at the bottom
    radar_date: int              # index of the optical date the radar image is closest to

    @property
    def seed(self) -> int:
        return self.base.seed


def series_dates(seed: int, count: int) -> list[str]:
    """`count` dates over the growing season, every 10 to 28 days, a few days of jitter."""
    spacing = int(np.clip(round(210 / (count - 1)), 10, 28))
    rng = np.random.default_rng((seed, K_DATES, count))
    start = SEASON_MIDDLE - spacing * (count - 1) / 2
    doys = start + spacing * np.arange(count) + rng.integers(-3, 4, count)
    first = datetime.date(YEAR, 1, 1)
    return [(first + datetime.timedelta(days=int(d) - 1)).isoformat() for d in doys]


def make_sources_layout(seed: int, width: int, height: int, count: int,
                        extent: tuple[float, float, float, float]) -> SourcesLayout:
    """The layout for `seed` at this size; field strips cover `extent` = (row0, row1, col0, col1)
    in primary pixels (the radar image reaches beyond the optical scene)."""
    base = make_layout(seed, width, height)
    rng = np.random.default_rng((seed, K_STRIPS, width, height))
    edges, lengths, offsets = _field_strips(rng, base.angle, extent)
    base = dataclasses.replace(base, strip_edges=edges, strip_length=lengths,
                               strip_offset=offsets)
    dates = series_dates(seed, count)
    doys = np.array([datetime.date.fromisoformat(d).timetuple().tm_yday for d in dates],
                    dtype=np.float32)
    rows, cols = np.meshgrid(np.linspace(0.5, height - 0.5, 96), np.linspace(0.5, width - 0.5, 96))
    wet_threshold = float(np.quantile(fractal_points((seed, K_WET), rows, cols, WET_OCTAVES),
                                      1.0 - WET_SHARE))
    scale = float(np.clip(0.4 * min(width, height), 48.0, 600.0))
    spacings = (scale, scale / 2.5, scale / 7.0)
    cloud = fractal_points((seed, K_CLOUD), rows, cols, spacings)
    cloud_threshold = float(np.quantile(cloud, 1.0 - rng.uniform(0.2, 0.3)))
    cloud_date = 1 if count >= 3 else 0
    swath_date = count - 2 if count >= 4 else count - 1
    top = float(rng.uniform(0.08, 0.14))
    return SourcesLayout(base=base, dates=tuple(dates), doys=doys, wet_threshold=wet_threshold,
                         cloud_date=cloud_date, cloud_threshold=cloud_threshold,
                         cloud_spacings=spacings, swath_date=swath_date,
                         swath_side=int(rng.integers(2)),
                         swath_share=(top, top + float(rng.uniform(0.02, 0.06))),
                         radar_date=count // 2)


def _field_strips(rng: np.random.Generator, angle: float, extent: tuple[float, float, float, float]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Field strips (edges along the rotated u axis, parcel lengths, offsets) over `extent`."""
    row0, row1, col0, col1 = extent
    corners_r = np.array([row0, row0, row1, row1])
    corners_c = np.array([col0, col1, col0, col1])
    u = corners_c * math.cos(angle) + corners_r * math.sin(angle)
    position, end = float(u.min()) - 60.0, float(u.max()) + 60.0
    edges, widths = [position], []
    while position < end:
        widths.append(rng.uniform(14.0, 38.0))
        position += widths[-1]
        edges.append(position)
    lengths = rng.uniform(20.0, 65.0, size=len(widths))
    return np.array(edges), lengths, rng.uniform(0.0, 1.0, size=len(widths)) * lengths


def class_table() -> list[dict[str, object]]:
    """[{value, name, colour}] of the sources scene, as in dataset.json and checkpoints."""
    return [{"value": v, "name": n, "colour": c} for v, n, c in SOURCE_CLASSES]
