"""Augmentation for multispectral patches (numpy, any number of bands).

Geometric transforms (flips, 90° rotations, small scale/shift) move the image and the mask
together; radiometric ones (per-band brightness/contrast, Gaussian noise) touch the image only.
Works on normalised images (C, H, W) float32 and index masks (H, W); pixels shifted in from
outside become 0 in the image and `ignore_value` in the mask.
"""

from __future__ import annotations

import dataclasses

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


def _scale_shift(image: np.ndarray, mask: np.ndarray, zoom: float, dy: float, dx: float,
                 ignore_value: int) -> tuple[np.ndarray, np.ndarray]:
    """Nearest-neighbour zoom about the centre plus a shift (pixels)."""
    h, w = mask.shape
    cy, cx = (h - 1) / 2, (w - 1) / 2
    rows = np.rint((np.arange(h) - cy) / zoom + cy - dy).astype(np.int64)
    cols = np.rint((np.arange(w) - cx) / zoom + cx - dx).astype(np.int64)
    inside = (rows[:, None] >= 0) & (rows[:, None] < h) & (cols[None] >= 0) & (cols[None] < w)
    rr = np.clip(rows, 0, h - 1)[:, None]
    cc = np.clip(cols, 0, w - 1)[None]
    image = np.where(inside[None], image[:, rr, cc], 0.0).astype(np.float32)
    mask = np.where(inside, mask[rr, cc], ignore_value).astype(mask.dtype)
    return image, mask


def augment(image: np.ndarray, mask: np.ndarray, params: AugmentParams,
            rng: np.random.Generator, ignore_value: int) -> tuple[np.ndarray, np.ndarray]:
    """One random augmentation of (image (C,H,W), mask (H,W)); returns contiguous copies."""
    if params.flips:
        if rng.random() < 0.5:
            image, mask = image[:, :, ::-1], mask[:, ::-1]
        if rng.random() < 0.5:
            image, mask = image[:, ::-1, :], mask[::-1, :]
    if params.rotate90 and mask.shape[0] == mask.shape[1]:
        k = int(rng.integers(4))
        image, mask = np.rot90(image, k, axes=(1, 2)), np.rot90(mask, k)
    if (params.scale > 0 or params.shift > 0) and rng.random() < params.probability:
        zoom = 1.0 + rng.uniform(-params.scale, params.scale)
        dy, dx = rng.uniform(-params.shift, params.shift, 2) * np.array(mask.shape)
        image, mask = _scale_shift(image, mask, zoom, dy, dx, ignore_value)
    image = np.ascontiguousarray(image, dtype=np.float32)
    mask = np.ascontiguousarray(mask)
    if (params.brightness > 0 or params.contrast > 0) and rng.random() < params.probability:
        bands = image.shape[0]
        gain = 1.0 + rng.uniform(-params.contrast, params.contrast, bands).astype(np.float32)
        offset = rng.uniform(-params.brightness, params.brightness, bands).astype(np.float32)
        mean = image.mean(axis=(1, 2), keepdims=True)
        image = (image - mean) * gain[:, None, None] + mean + offset[:, None, None]
    if params.noise > 0 and rng.random() < params.probability:
        image = image + rng.normal(0.0, params.noise, image.shape).astype(np.float32)
    return image.astype(np.float32, copy=False), mask
