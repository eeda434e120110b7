"""Tiny patch datasets in the formats.md layout, written with rasterio (for any engine test).

`make_dataset(root, ...)` writes ROOT/Patch/{split}/{images,labels}/<id>.tif and dataset.json.
Classes are separable by their spectra: each class has its own mean reflectance per band, plus
Gaussian noise; labels are random rectangles on a background, with a few ignored pixels and a
nodata corner (image = nodata, label = ignore) in some patches.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from rasterio.transform import from_origin

DEFAULT_CLASSES = ({"value": 1, "name": "water", "colour": "#1f78b4"},
                   {"value": 2, "name": "forest", "colour": "#33a02c"},
                   {"value": 5, "name": "urban", "colour": "#e31a1c"})


def _label(rng: np.random.Generator, size: int, values: Sequence[int]) -> np.ndarray:
    label = np.full((size, size), values[0], dtype=np.uint8)
    for _ in range(int(rng.integers(2, 5))):
        h, w = rng.integers(size // 6, size // 2, 2)
        r, c = rng.integers(0, size - h), rng.integers(0, size - w)
        label[r:r + h, c:c + w] = values[int(rng.integers(len(values)))]
    return label


def _write(path: Path, data: np.ndarray, transform: Any, nodata: float | None,
           names: Sequence[str] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    profile = {"driver": "GTiff", "height": data.shape[1], "width": data.shape[2],
               "count": data.shape[0], "dtype": data.dtype.name, "crs": "EPSG:32632",
               "transform": transform, "nodata": nodata}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
        for i, name in enumerate(names or [], start=1):
            dst.set_band_description(i, name)


def make_dataset(root: Path, *, bands: int = 4, patch_size: int = 32,
                 counts: Mapping[str, int] | None = None,
                 classes: Sequence[Mapping[str, Any]] = DEFAULT_CLASSES,
                 images: Sequence[str] = ("sceneA", "sceneB"), noise: float = 60.0,
                 nodata: int = 0, ignore_value: int = 255, seed: int = 0) -> Path:
    """Write a dataset; returns `root`. `counts`: patches per split."""
    counts = dict(counts or {"train": 8, "validation": 4, "test": 4})
    rng = np.random.default_rng(seed)
    root = Path(root)
    values = [int(c["value"]) for c in classes]
    spectra = {v: rng.uniform(800, 4000, bands) for v in values}
    lut = np.zeros((256, bands))
    for v, spectrum in spectra.items():
        lut[v] = spectrum
    band_names = [f"B{i + 1}" for i in range(bands)]
    class_pixels: dict[str, dict[str, int]] = {}
    train_pixels: list[np.ndarray] = []
    cell = 0
    for split, n in counts.items():
        pixels = dict.fromkeys(map(str, values), 0)
        ignored = 0
        for i in range(n):
            cell += 1
            patch_id = f"{images[i % len(images)]}_{cell:06d}"
            label = _label(rng, patch_size, values)
            image = lut[label].transpose(2, 0, 1).copy()
            image += rng.normal(0, noise, image.shape)
            image = np.clip(image, 1, 65535).astype(np.uint16)
            label[rng.random(label.shape) < 0.01] = ignore_value  # unlabelled pixels
            if i % 3 == 0:  # a nodata corner
                image[:, :4, :4] = nodata
                label[:4, :4] = ignore_value
            transform = from_origin(500000 + cell * patch_size * 10, 5000000, 10, 10)
            _write(root / "Patch" / split / "images" / f"{patch_id}.tif", image, transform,
                   nodata, band_names)
            _write(root / "Patch" / split / "labels" / f"{patch_id}.tif", label[None],
                   transform, ignore_value)
            for v in values:
                pixels[str(v)] += int((label == v).sum())
            ignored += int((label == ignore_value).sum())
            if split == "train":
                train_pixels.append(image.reshape(bands, -1)[:, image[0].ravel() != nodata])
        class_pixels[split] = {"patches": n, "class_pixels": pixels, "ignored_pixels": ignored}
    stats = np.concatenate(train_pixels, axis=1).astype(np.float64)
    band_stats = [{"name": name, "mean": float(s.mean()), "std": float(s.std()),
                   "min": float(s.min()), "max": float(s.max()),
                   **{f"p{q}": float(np.percentile(s, q)) for q in (1, 2, 98, 99)},
                   "valid_pixels": int(s.size)} for name, s in zip(band_names, stats,
                                                                  strict=True)]
    info = {
        "schema": 1, "kind": "satseg-patch-dataset", "engine_version": "0.1.0",
        "created": "2024-01-01T00:00:00Z", "patch_size": patch_size,
        "ignore_value": ignore_value,
        "sources": {"images": {"band_names": band_names, "dtype": "uint16", "nodata": nodata,
                               "bands": list(range(1, bands + 1))}},
        "band_names": band_names, "dtype": "uint16", "nodata": nodata, "crs": "EPSG:32632",
        "pixel_size": [10.0, 10.0], "classes": [dict(c) for c in classes],
        "statistics": {"split": "train", "bands": band_stats}, "splits": class_pixels,
        "grid": {"path": "grid.gpkg", "cells": cell, "stride": patch_size,
                 "split_method": "random", "seed": seed, "ratios": [0.7, 0.15, 0.15]},
        "provenance": {"images": [f"/synthetic/{name}.tif" for name in images],
                       "labels": [], "label_kind": "raster", "job": {}},
    }
    (root / "dataset.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    return root
