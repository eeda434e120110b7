"""Blending weights for overlapping prediction windows.

Each window's probabilities are multiplied by a smooth 2-D weight (a Hann window, highest in
the centre) and summed; the sum is divided by the summed weights. Because the result is a
weighted *average*, a model that predicts the same value everywhere gives back exactly that
value (no seams, no darkening at the edges); the smooth taper only decides which window wins
where they disagree — the one whose centre is nearer. A small floor keeps rim pixels from
getting zero weight, so a pixel seen by a single window (a raster corner, no overlap) still has
a defined value.

Large windows use a flat-top ("tukey") profile instead: weight 1 in the interior, tapering as
sin² over the `taper` = 2 × margin pixels at each edge, which is exactly the overlap of two
neighbouring windows. There the two tapers sum to one, so each pixel comes mostly from the
window in which it lies farther from the rim, and interior pixels are computed once.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

DEFAULT_FLOOR = 0.02


def hann_1d(size: int, floor: float = DEFAULT_FLOOR, taper: int = 0) -> np.ndarray:
    """floor + (1 − floor)·sin²(π(i + ½)/size): symmetric, > 0 at both ends, 1 in the middle."""
    if size < 1:
        raise ValueError(f"size must be >= 1, got {size}")
    if not 0.0 < floor <= 1.0:
        raise ValueError(f"floor must be within (0, 1], got {floor}")
    positions = (np.arange(size, dtype=np.float64) + 0.5) / size
    return floor + (1.0 - floor) * np.sin(np.pi * positions) ** 2


def uniform_1d(size: int, floor: float = DEFAULT_FLOOR, taper: int = 0) -> np.ndarray:
    """Flat weights (plain averaging of overlaps)."""
    return np.ones(size, dtype=np.float64)


def tukey_1d(size: int, floor: float = DEFAULT_FLOOR, taper: int = 0) -> np.ndarray:
    """1 in the middle; floor + (1 − floor)·sin²(π(d + ½)/(2·taper)) at distance d < taper from
    an edge (taper 0: flat)."""
    if size < 1 or not 0.0 < floor <= 1.0 or taper < 0:
        raise ValueError(f"bad tukey profile: size {size}, floor {floor}, taper {taper}")
    positions = np.arange(size, dtype=np.float64)
    distance = np.minimum(positions, size - 1 - positions)
    taper = min(taper, size // 2)
    if taper == 0:
        return np.ones(size, dtype=np.float64)
    ramp = floor + (1.0 - floor) * np.sin(np.pi * (distance + 0.5) / (2 * taper)) ** 2
    return np.where(distance < taper, ramp, 1.0)


#: name -> 1-D profile; the 2-D weight is the outer product of the profile with itself.
WEIGHT_PROFILES: dict[str, Callable[[int, float, int], np.ndarray]] = {
    "hann": hann_1d,
    "uniform": uniform_1d,
    "tukey": tukey_1d,
}


def weight_profile(patch: int, profile: str = "hann",
                   floor: float = DEFAULT_FLOOR, taper: int = 0) -> np.ndarray:
    """The 1-D float32 profile whose outer product with itself is the window's weight
    (`taper`: the tukey profile's tapered pixels at each edge)."""
    if profile not in WEIGHT_PROFILES:
        raise ValueError(f"unknown blending profile {profile!r} "
                         f"(valid: {', '.join(WEIGHT_PROFILES)})")
    return WEIGHT_PROFILES[profile](patch, floor, taper).astype(np.float32)


def window_weights(patch: int, profile: str = "hann",
                   floor: float = DEFAULT_FLOOR) -> np.ndarray:
    """patch × patch float32 weights for one window."""
    line = weight_profile(patch, profile, floor)
    return np.outer(line, line)
