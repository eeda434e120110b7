"""Deterministic noise for `satseg sample`: every value is a pure function of (seed, key, position).

Nothing is stored per scene: lattice values come from an integer hash of their coordinates, so any
window of a scene of any size can be generated on its own and blocks join without seams.
"""

from __future__ import annotations

import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _as_u64(values: np.ndarray | int) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype.kind == "f":
        array = np.floor(array)
    return array.astype(np.int64).view(np.uint64)


def hash_u64(*keys: np.ndarray | int) -> np.ndarray:
    """splitmix64 of a tuple of integer keys (arrays broadcast); uint64 result."""
    with np.errstate(over="ignore"):
        state = np.zeros((), dtype=np.uint64) + _GOLDEN
        for key in keys:
            z = state ^ (_as_u64(key) + _GOLDEN)
            z = (z ^ (z >> np.uint64(30))) * _M1
            z = (z ^ (z >> np.uint64(27))) * _M2
            state = z ^ (z >> np.uint64(31))
        return np.asarray(state)


def hash_uniform(*keys: np.ndarray | int) -> np.ndarray:
    """Uniform float64 in [0, 1) from integer keys (arrays broadcast)."""
    return (hash_u64(*keys) >> np.uint64(11)).astype(np.float64) * (1.0 / 2**53)


def _smooth(t: np.ndarray) -> np.ndarray:
    return t * t * (3.0 - 2.0 * t)


def _axis(coords: np.ndarray, spacing: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lattice nodes covering coords, index of the node below each coord, smoothed fraction)."""
    scaled = np.asarray(coords, dtype=np.float64) / spacing
    base = np.floor(scaled).astype(np.int64)
    frac = _smooth(scaled - base).astype(np.float32)
    nodes = np.arange(base.min(), base.max() + 2)
    return nodes, base - nodes[0], frac


def value_noise_grid(key: tuple[int, ...], rows: np.ndarray, cols: np.ndarray,
                     spacing: float) -> np.ndarray:
    """Smooth value noise in [0, 1] on the grid rows x cols (pixel-centre coordinates).

    Separable: hashed lattice values are interpolated along rows, then along columns.
    """
    r_nodes, r_pos, r_frac = _axis(rows, spacing)
    c_nodes, c_pos, c_frac = _axis(cols, spacing)
    lattice = hash_uniform(*key, r_nodes[:, None], c_nodes[None, :]).astype(np.float32)
    r_frac = r_frac[:, None]
    along_rows = lattice[r_pos] * (1.0 - r_frac) + lattice[r_pos + 1] * r_frac
    return along_rows[:, c_pos] * (1.0 - c_frac) + along_rows[:, c_pos + 1] * c_frac


def value_noise_points(key: tuple[int, ...], rows: np.ndarray, cols: np.ndarray,
                       spacing: float) -> np.ndarray:
    """The same noise as `value_noise_grid`, at scattered points (rows[i], cols[i])."""
    r = np.asarray(rows, dtype=np.float64) / spacing
    c = np.asarray(cols, dtype=np.float64) / spacing
    r0, c0 = np.floor(r), np.floor(c)
    fr, fc = _smooth(r - r0), _smooth(c - c0)
    corner = [[hash_uniform(*key, r0 + dr, c0 + dc) for dc in (0, 1)] for dr in (0, 1)]
    top = corner[0][0] * (1 - fc) + corner[0][1] * fc
    bottom = corner[1][0] * (1 - fc) + corner[1][1] * fc
    return (top * (1 - fr) + bottom * fr).astype(np.float32)


def fractal_grid(key: tuple[int, ...], rows: np.ndarray, cols: np.ndarray,
                 spacings: tuple[float, ...], gain: float = 0.5) -> np.ndarray:
    """Sum of octaves (amplitude x gain per octave), normalised to [0, 1], mean about 0.5."""
    total = np.zeros((len(rows), len(cols)), dtype=np.float32)
    amplitude, norm = 1.0, 0.0
    for octave, spacing in enumerate(spacings):
        total += amplitude * value_noise_grid((*key, octave), rows, cols, spacing)
        norm += amplitude
        amplitude *= gain
    return total / norm


def fractal_points(key: tuple[int, ...], rows: np.ndarray, cols: np.ndarray,
                   spacings: tuple[float, ...], gain: float = 0.5) -> np.ndarray:
    """`fractal_grid` at scattered points."""
    total = np.zeros(np.broadcast(rows, cols).shape, dtype=np.float32)
    amplitude, norm = 1.0, 0.0
    for octave, spacing in enumerate(spacings):
        total += amplitude * value_noise_points((*key, octave), rows, cols, spacing)
        norm += amplitude
        amplitude *= gain
    return total / norm
