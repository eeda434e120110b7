"""Augmentation for multispectral patches (numpy, any number of bands, one or several sources).

Geometric transforms (flips, 90° rotations, small scale/shift) move the image and the mask
together; radiometric ones (per-band brightness/contrast, Gaussian noise) touch the image only.
Works on normalised images (C, H, W) float32 and index masks (H, W); pixels shifted in from
outside become 0 in the image and `ignore_value` in the mask.

`augment_sources` does the same for a sample of several sources: ONE geometric transform for
every source (single-date (C, H, W) and time series (T, C, H, W)) and the mask, so the sources
stay aligned; radiometric changes are drawn per source and band (per date and band for a time
series); absent date slots stay exactly zero.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np


@dataclasses.dataclass(frozen=True)
class AugmentParams:
    flips: bool = True
    rotate90: bool = True
    scale: float = 0.0        # max relative zoom, e.g. 0.1 → factor in [0.9, 1.1]
    shift: float = 0.0        # max shift as a share of the patch side
    brightness: float = 0.0   # max additive offset per band (normalised units)
    contrast: float = 0.0     # max relative gain change per band
    noise: float = 0.0        # Gaussian noise std (normalised units)
    probability: float = 0.5  # chance of each of scale/shift, brightness/contrast, noise


@dataclasses.dataclass(frozen=True)
class Geometry:
    """One drawn geometric transform, applicable to any array (..., H, W)."""

    flip_x: bool = False
    flip_y: bool = False
    rot90: int = 0
    zoom_shift: tuple[float, float, float] | None = None  # (zoom, dy px, dx px)


def draw_geometry(params: AugmentParams, shape: tuple[int, int], rng: np.random.Generator
                  ) -> Geometry:
    flip_x = flip_y = False
    if params.flips:
        flip_x = bool(rng.random() < 0.5)
        flip_y = bool(rng.random() < 0.5)
    k = int(rng.integers(4)) if params.rotate90 and shape[0] == shape[1] else 0
    zoom_shift = None
    if (params.scale > 0 or params.shift > 0) and rng.random() < params.probability:
        zoom = 1.0 + rng.uniform(-params.scale, params.scale)
        dy, dx = rng.uniform(-params.shift, params.shift, 2) * np.array(shape)
        zoom_shift = (float(zoom), float(dy), float(dx))
    return Geometry(flip_x, flip_y, k, zoom_shift)


def _scale_shift_index(h: int, w: int, zoom: float, dy: float, dx: float
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest-neighbour zoom about the centre plus a shift (pixels): (rows, cols, inside)."""
    cy, cx = (h - 1) / 2, (w - 1) / 2
    rows = np.rint((np.arange(h) - cy) / zoom + cy - dy).astype(np.int64)
    cols = np.rint((np.arange(w) - cx) / zoom + cx - dx).astype(np.int64)
    inside = (rows[:, None] >= 0) & (rows[:, None] < h) & (cols[None] >= 0) & (cols[None] < w)
    return np.clip(rows, 0, h - 1)[:, None], np.clip(cols, 0, w - 1)[None], inside


def apply_geometry(array: np.ndarray, geometry: Geometry, fill: float) -> np.ndarray:
    """The transform applied to the last two axes; pixels from outside become `fill`."""
    if geometry.flip_x:
        array = array[..., :, ::-1]
    if geometry.flip_y:
        array = array[..., ::-1, :]
    if geometry.rot90:
        array = np.rot90(array, geometry.rot90, axes=(-2, -1))
    if geometry.zoom_shift is not None:
        rr, cc, inside = _scale_shift_index(*array.shape[-2:], *geometry.zoom_shift)
        array = np.where(inside, array[..., rr, cc], np.asarray(fill, dtype=array.dtype))
    return np.ascontiguousarray(array)


def radiometric(image: np.ndarray, params: AugmentParams, rng: np.random.Generator
                ) -> np.ndarray:
    """Per-band (first axis) gain/offset and Gaussian noise on (B, H, W) float32."""
    image = image.astype(np.float32, copy=False)
    if (params.brightness > 0 or params.contrast > 0) and rng.random() < params.probability:
        bands = image.shape[0]
        gain = 1.0 + rng.uniform(-params.contrast, params.contrast, bands).astype(np.float32)
        offset = rng.uniform(-params.brightness, params.brightness, bands).astype(np.float32)
        mean = image.mean(axis=(1, 2), keepdims=True)
        image = (image - mean) * gain[:, None, None] + mean + offset[:, None, None]
    if params.noise > 0 and rng.random() < params.probability:
        image = image + rng.normal(0.0, params.noise, image.shape).astype(np.float32)
    return image.astype(np.float32, copy=False)


def augment(image: np.ndarray, mask: np.ndarray, params: AugmentParams,
            rng: np.random.Generator, ignore_value: int) -> tuple[np.ndarray, np.ndarray]:
    """One random augmentation of (image (C,H,W), mask (H,W)); returns contiguous copies."""
    geometry = draw_geometry(params, mask.shape, rng)
    image = apply_geometry(image.astype(np.float32, copy=False), geometry, 0.0)
    mask = apply_geometry(mask, geometry, ignore_value)
    return radiometric(image, params, rng), mask


def augment_sources(data: Mapping[str, np.ndarray], present: Mapping[str, np.ndarray],
                    mask: np.ndarray, params: AugmentParams, rng: np.random.Generator,
                    ignore_value: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """One random augmentation of a several-source sample, sources kept aligned.

    `data`: name -> (C, H, W) or (T, C, H, W) float32; `present`: name -> (T,) bool for the
    time series (their absent slots are zero before and after).
    """
    geometry = draw_geometry(params, mask.shape, rng)
    out = {}
    for name, array in data.items():
        shape = array.shape
        moved = apply_geometry(array.astype(np.float32, copy=False), geometry, 0.0)
        moved = radiometric(moved.reshape(-1, *shape[-2:]), params, rng).reshape(shape)
        if name in present and len(shape) == 4:
            moved = np.where(present[name][:, None, None, None], moved, np.float32(0.0))
        out[name] = np.ascontiguousarray(moved, dtype=np.float32)
    return out, apply_geometry(mask, geometry, ignore_value)
