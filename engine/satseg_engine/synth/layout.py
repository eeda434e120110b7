"""Synthetic Sentinel-2-like scenes for `satseg sample`: the global layout of a scene.

A scene is a deterministic function of (seed, width, height) and global pixel coordinates, so
that it can be generated block by block in bounded memory (block.render_block):

* smooth fields (agriculture zones, forest, dryness, illumination ...) are hashed value noise
  (noise), nothing stored;
* discrete features are small global lists made here once: field strips (a rotated brick pattern
  of parcels), lakes, settlements (clustered blobs), roads (a spanning tree between settlements
  plus exits to the scene edge), meandering rivers, and the nodata swath edge.
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np

from .noise import fractal_points

#: the fixed block grid of generation (rows and columns); per-pixel noise is seeded per block.
BLOCK = 512

# noise field keys (seed, key, ...)
K_AGRI, K_FOREST, K_CONIFER, K_TEXTURE, K_LAKE, K_TOWN, K_URBAN, K_DRY = range(1, 9)
K_CROPVAR, K_ILLUM, K_HAZE, K_TURBID, K_EDGE, K_SETTLE, K_PARCEL, K_PARCEL2 = range(9, 17)
K_URBAN2, K_PARCEL3, K_LAYOUT = 17, 18, 19

AGRI_OCTAVES = (700.0, 350.0, 175.0)
FOREST_OCTAVES = (300.0, 150.0, 75.0, 36.0, 18.0, 9.0)
AGRI_SHARE = 0.42     # share of the scene in agricultural zones
FOREST_SHARE = 0.45   # share of the rest that is forest


@dataclasses.dataclass(frozen=True)
class River:
    """A meandering river: centre = offset + sum of sines along one axis (0: row = f(col))."""

    axis: int
    offset: float
    amplitudes: np.ndarray
    wavelengths: np.ndarray
    phases: np.ndarray
    half_width: float

    def centre(self, along: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(centre line, its slope, half width) at positions along the river's axis."""
        angle = 2 * np.pi * along[:, None] / self.wavelengths + self.phases
        centre = self.offset + (self.amplitudes * np.sin(angle)).sum(axis=1)
        slope = (self.amplitudes * 2 * np.pi / self.wavelengths * np.cos(angle)).sum(axis=1)
        half = self.half_width * (1.0 + 0.25 * np.sin(2 * np.pi * along / 900.0 + self.phases[0]))
        return centre, slope, half


@dataclasses.dataclass(frozen=True)
class Layout:
    """Everything global about one scene (small: lists of features, no rasters)."""

    seed: int
    width: int
    height: int
    angle: float                 # rotation of the field pattern (radians)
    strip_edges: np.ndarray      # field strips: boundaries along the rotated u axis
    strip_length: np.ndarray     # parcel length along v in each strip
    strip_offset: np.ndarray
    agri_threshold: float
    forest_threshold: float
    lakes: np.ndarray            # (n, 5): row, col, radius, elongation, orientation
    blobs: np.ndarray            # (n, 5): the same for built-up blobs
    roads: np.ndarray            # (n, 5): row0, col0, row1, col1, half width
    rivers: tuple[River, ...]
    nodata_side: int             # 0: swath edge on the left, 1: on the right
    nodata_share: tuple[float, float]  # share of the width lost at the top and at the bottom


def make_layout(seed: int, width: int, height: int) -> Layout:
    """The global features of the scene for `seed` at this size (deterministic)."""
    rng = np.random.default_rng((seed, K_LAYOUT, width, height))
    area = width * height
    angle = float(rng.uniform(-0.45, 0.45))
    edges, lengths, offsets = _field_strips(rng, angle, width, height)
    agri_t, forest_t = _thresholds(seed, width, height)
    lakes = _lakes(rng, width, height, count=max(1, round(area / 300**2)))
    centres, radii = _settlements(rng, seed, width, height, count=max(1, round(area / 300**2)))
    blobs = _blobs(rng, centres, radii)
    lakes = _away_from(lakes, centres, radii)
    roads = _roads(rng, centres, radii, width, height)
    rivers = tuple(_river(rng, width, height) for _ in range(1 + int(math.sqrt(area) / 5000)))
    share0 = float(rng.uniform(0.02, 0.05))
    return Layout(seed=seed, width=width, height=height, angle=angle, strip_edges=edges,
                  strip_length=lengths, strip_offset=offsets, agri_threshold=agri_t,
                  forest_threshold=forest_t, lakes=lakes, blobs=blobs, roads=roads,
                  rivers=rivers, nodata_side=int(rng.integers(2)),
                  nodata_share=(share0, share0 + float(rng.uniform(0.02, 0.05))))


def _field_strips(rng: np.random.Generator, angle: float, width: int,
                  height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    corners_r = np.array([0, 0, height, height])
    corners_c = np.array([0, width, 0, width])
    u = corners_c * math.cos(angle) + corners_r * math.sin(angle)
    widths = []
    position, end = float(u.min()) - 60.0, float(u.max()) + 60.0
    edges = [position]
    while position < end:
        widths.append(rng.uniform(14.0, 38.0))
        position += widths[-1]
        edges.append(position)
    lengths = rng.uniform(20.0, 65.0, size=len(widths))
    return np.array(edges), lengths, rng.uniform(0.0, 1.0, size=len(widths)) * lengths


def _thresholds(seed: int, width: int, height: int) -> tuple[float, float]:
    return scene_thresholds(seed, width, height, AGRI_SHARE, FOREST_SHARE)


def scene_thresholds(seed: int, width: int, height: int, agri_share: float,
                     forest_share: float) -> tuple[float, float]:
    """Noise thresholds giving these shares of agricultural zones and of forest in the rest,
    from the noise sampled over this scene."""
    rows, cols = np.meshgrid(np.linspace(0.5, height - 0.5, 96), np.linspace(0.5, width - 0.5, 96))
    agri = fractal_points((seed, K_AGRI), rows, cols, AGRI_OCTAVES)
    forest = fractal_points((seed, K_FOREST), rows, cols, FOREST_OCTAVES, gain=0.55)
    agri_t = float(np.quantile(agri, 1.0 - agri_share))
    rest = forest[agri <= agri_t]
    forest_t = float(np.quantile(rest if rest.size > 50 else forest, 1.0 - forest_share))
    return agri_t, forest_t


def _inner_cols(rng: np.random.Generator, width: int, size: int) -> np.ndarray:
    """Columns away from the nodata margins."""
    return rng.uniform(0.12 * width, 0.88 * width, size=size)


def _lakes(rng: np.random.Generator, width: int, height: int, count: int) -> np.ndarray:
    radii = 10.0 + 60.0 * rng.random(count) ** 2
    radii = np.minimum(radii, 0.2 * min(width, height) + 4.0)
    return np.column_stack([rng.uniform(0, height, count), _inner_cols(rng, width, count), radii,
                            rng.uniform(1.0, 2.2, count), rng.uniform(0, np.pi, count)])


def _away_from(lakes: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Drop lakes that would drown a settlement (water is drawn over built-up land)."""
    gap = np.hypot(lakes[:, None, 0] - centres[None, :, 0], lakes[:, None, 1] - centres[None, :, 1])
    reach = 1.2 * (lakes[:, None, 2] * lakes[:, None, 3] + radii[None, :])
    return lakes[(gap > reach).all(axis=1)]


def _settlements(rng: np.random.Generator, seed: int, width: int, height: int,
                 count: int) -> tuple[np.ndarray, np.ndarray]:
    """Settlement centres, clustered where a low-frequency 'settlement' noise is high."""
    accepted: list[tuple[float, float]] = []
    for _ in range(50):
        rows = rng.uniform(0.05 * height, 0.95 * height, 4 * count)
        cols = _inner_cols(rng, width, 4 * count)
        density = fractal_points((seed, K_SETTLE), rows, cols, (900.0, 450.0))
        keep = rng.random(rows.size) < np.clip((density - 0.3) * 2.5, 0.02, 1.0) ** 2
        accepted.extend(zip(rows[keep], cols[keep], strict=True))
        if len(accepted) >= count:
            break
    else:  # a small scene where settlement density is low everywhere: take the densest spots
        best = np.argsort(-density)[:count - len(accepted)]
        accepted.extend(zip(rows[best], cols[best], strict=True))
    centres = np.array(accepted[:count], dtype=np.float64).reshape(-1, 2)
    radii = 10.0 + 45.0 * rng.random(len(centres)) ** 2
    return centres, np.minimum(radii, 0.15 * min(width, height) + 4.0)


def _blobs(rng: np.random.Generator, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """A settlement is a core blob with a few satellite blobs around it."""
    blobs = []
    for (row, col), radius in zip(centres, radii, strict=True):
        blobs.append((row, col, radius, 1.0, 0.0))
        for _ in range(1 + int(radius / 7)):
            direction = rng.uniform(0, 2 * np.pi)
            distance = rng.uniform(0.5, 1.4) * radius
            blobs.append((row + distance * math.sin(direction),
                          col + distance * math.cos(direction),
                          rng.uniform(0.3, 0.65) * radius, 1.0, 0.0))
    return np.array(blobs, dtype=np.float64).reshape(-1, 5)


def _roads(rng: np.random.Generator, centres: np.ndarray, radii: np.ndarray, width: int,
           height: int) -> np.ndarray:
    """A minimum spanning tree between settlements plus exits from the largest to the edge."""
    links: list[tuple[np.ndarray, np.ndarray, float]] = []
    n = len(centres)
    if n > 1:  # Prim's algorithm, O(n^2) on at most a few hundred settlements
        dist = np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
        in_tree = np.zeros(n, dtype=bool)
        in_tree[0] = True
        best, parent = dist[0].copy(), np.zeros(n, dtype=int)
        for _ in range(n - 1):
            candidate = np.where(in_tree, np.inf, best)
            node = int(np.argmin(candidate))
            in_tree[node] = True
            major = max(radii[node], radii[parent[node]]) > 20
            links.append((centres[parent[node]], centres[node], 1.1 if major else 0.75))
            closer = dist[node] < best
            best[closer], parent[closer] = dist[node][closer], node
    for index in np.argsort(-radii)[:2]:
        row, col = centres[index]
        exits = [(-10.0, col), (height + 10.0, col), (row, -10.0), (row, width + 10.0)]
        target = exits[int(rng.integers(4))]
        links.append((centres[index], np.array(target), 1.1))
    segments = []
    for start, end, half in links:
        segments.extend(_polyline(rng, start, end, half))
    return np.array(segments, dtype=np.float64).reshape(-1, 5)


def _polyline(rng: np.random.Generator, start: np.ndarray, end: np.ndarray,
              half: float) -> list[tuple[float, ...]]:
    """A road from start to end as three segments with jittered bends."""
    delta = end - start
    normal = np.array([-delta[1], delta[0]]) / max(float(np.hypot(*delta)), 1e-6)
    points = [start]
    for t in (1 / 3, 2 / 3):
        points.append(start + t * delta + normal * rng.normal(0, 0.06) * np.hypot(*delta))
    points.append(end)
    return [(*a, *b, half) for a, b in itertools.pairwise(points)]


def _river(rng: np.random.Generator, width: int, height: int) -> River:
    axis = int(rng.integers(2))
    along, across = (width, height) if axis == 0 else (height, width)
    wavelengths = np.array([rng.uniform(1.0, 2.5) * along, rng.uniform(150, 400),
                            rng.uniform(50, 110)])
    amplitudes = np.array([rng.uniform(0.03, 0.08) * across, rng.uniform(0.05, 0.12)
                           * wavelengths[1], rng.uniform(0.08, 0.16) * wavelengths[2]])
    amplitudes = np.minimum(amplitudes, 0.1 * across)
    return River(axis=axis, offset=float(rng.uniform(0.25, 0.75) * across),
                 amplitudes=amplitudes, wavelengths=wavelengths,
                 phases=rng.uniform(0, 2 * np.pi, 3), half_width=float(rng.uniform(1.3, 3.0)))
