"""Class table, Sentinel-2 band set and surface-reflectance endmembers for `satseg sample`.

Reflectances are Sentinel-2 L2A style (reflectance x 10000, no BOA offset), at the centre
wavelengths of the ten 10 m / 20 m bands. Other band counts are derived from them:

* N < 10: a subset of the Sentinel-2 bands, most useful first (B4 B3 B2 = RGB, then B8 = NIR,
  B11 B12 = SWIR, then the red edge B5 B6 B7 B8A), written in wavelength order with S2 names.
* N > 10: N bands evenly spaced from 490 to 2190 nm, spectra linearly interpolated along
  wavelength, named B1..BN (a hyperspectral-like stack).
"""

from __future__ import annotations

import numpy as np

#: value, name, colour (hex) of the label classes; 0 = no label.
CLASSES: tuple[tuple[int, str, str], ...] = (
    (1, "water", "#1f78b4"),
    (2, "forest", "#1b7837"),
    (3, "cropland", "#f2c14e"),
    (4, "built-up", "#e31a1c"),
    (5, "road", "#3d3d3d"),
    (6, "grassland", "#a6d96a"),
)
WATER, FOREST, CROPLAND, BUILT, ROAD, GRASS = 1, 2, 3, 4, 5, 6

S2_NAMES = ("B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B11", "B12")
S2_WAVELENGTHS = np.array([490, 560, 665, 705, 740, 783, 842, 865, 1610, 2190], dtype=np.float64)
#: which Sentinel-2 bands a smaller stack keeps, most useful first.
S2_PRIORITY = ("B4", "B3", "B2", "B8", "B11", "B12", "B5", "B6", "B7", "B8A")

#: endmember -> reflectance x 10000 in the S2 bands above.
ENDMEMBERS: dict[str, tuple[int, ...]] = {
    "water_deep":   (550, 420, 230, 160, 120, 100, 80, 70, 40, 25),
    "water_turbid": (850, 900, 720, 600, 420, 330, 290, 260, 110, 60),
    "conifer":      (220, 400, 220, 620, 1500, 1850, 2050, 2150, 1100, 500),
    "deciduous":    (300, 560, 290, 900, 2500, 3100, 3400, 3500, 1700, 750),
    "crop_green":   (300, 650, 300, 1000, 2900, 3700, 4100, 4200, 2100, 1000),
    "crop_ripe":    (800, 1100, 1300, 1600, 1950, 2150, 2350, 2450, 3000, 2200),
    "soil":         (1100, 1450, 1800, 2000, 2150, 2250, 2350, 2400, 3300, 2800),
    "concrete":     (1600, 1700, 1800, 1850, 1950, 2000, 2100, 2150, 2500, 2300),
    "roof_tile":    (900, 1000, 1600, 1800, 1900, 1950, 2000, 2050, 2400, 2100),
    "asphalt":      (800, 850, 900, 950, 1000, 1050, 1100, 1120, 1300, 1200),
    "grass":        (400, 750, 550, 1200, 2500, 3000, 3300, 3400, 2400, 1400),
    "grass_dry":    (650, 950, 1050, 1400, 1900, 2200, 2400, 2500, 2900, 2100),
}
ENDMEMBER_INDEX = {name: i for i, name in enumerate(ENDMEMBERS)}
#: (10 bands x endmembers)
ENDMEMBER_MATRIX = np.array(list(ENDMEMBERS.values()), dtype=np.float32).T
#: additive haze per S2 band (path radiance falls with wavelength), per unit haze.
HAZE = np.array([1.0, 0.8, 0.6, 0.5, 0.45, 0.4, 0.35, 0.33, 0.1, 0.05], dtype=np.float32)


def class_table() -> list[dict[str, object]]:
    """[{value, name, colour}] as in dataset.json and checkpoints."""
    return [{"value": v, "name": n, "colour": c} for v, n, c in CLASSES]


def band_set(count: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(band names, centre wavelengths in nm, count x 10 matrix mapping S2 bands to them)."""
    if count <= len(S2_NAMES):
        keep = sorted(S2_NAMES.index(name) for name in S2_PRIORITY[:count])
        matrix = np.zeros((count, len(S2_NAMES)), dtype=np.float32)
        matrix[np.arange(count), keep] = 1.0
        return [S2_NAMES[i] for i in keep], S2_WAVELENGTHS[keep], matrix
    wavelengths = np.linspace(S2_WAVELENGTHS[0], S2_WAVELENGTHS[-1], count)
    matrix = np.zeros((count, len(S2_NAMES)), dtype=np.float32)
    for j, wl in enumerate(wavelengths):
        upper = int(np.clip(np.searchsorted(S2_WAVELENGTHS, wl), 1, len(S2_NAMES) - 1))
        lo, hi = S2_WAVELENGTHS[upper - 1], S2_WAVELENGTHS[upper]
        t = float(np.clip((wl - lo) / (hi - lo), 0.0, 1.0))
        matrix[j, upper - 1], matrix[j, upper] = 1.0 - t, t
    return [f"B{i + 1}" for i in range(count)], wavelengths, matrix
