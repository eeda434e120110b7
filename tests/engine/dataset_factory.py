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


# -- several sources ----------------------------------------------------------------------------

S2_DATES = ("2023-04-10", "2023-07-15", None)   # two dates and a padding slot


def _band_stats(names: Sequence[str], pixels: np.ndarray) -> list[dict[str, Any]]:
    """dataset.json statistics of (bands, n) valid training pixels."""
    return [{"name": name, "mean": float(s.mean()), "std": float(s.std()),
             "min": float(s.min()), "max": float(s.max()),
             **{f"p{q}": float(np.percentile(s, q)) for q in (1, 2, 98, 99)},
             "valid_pixels": int(s.size)} for name, s in zip(names, pixels, strict=True)]


def _source_entry(name: str, bands: Sequence[str], dates: Sequence[str | None],
                  dtype: str, nodata: float | None, stats: list[dict[str, Any]],
                  max_nodata_frac: float) -> dict[str, Any]:
    patch_names = ([f"{d or 'nodate'} {b}" for d in dates for b in bands] if dates
                   else list(bands))
    return {"band_names": list(bands), "patch_band_names": patch_names, "dtype": dtype,
            "nodata": nodata, "bands": list(range(1, len(bands) + 1)), "dates": list(dates),
            "slots": max(1, len(dates)), "resampling": "none" if name == "images" else "bilinear",
            "max_nodata_frac": max_nodata_frac,
            "rasters": [f"/synthetic/{name}_{d or 'pad'}.tif" for d in (dates or ["x"])],
            "statistics": {"split": "train", "bands": stats}}


def make_multisource_dataset(root: Path, *, patch_size: int = 32,
                             counts: Mapping[str, int] | None = None,
                             classes: Sequence[Mapping[str, Any]] = DEFAULT_CLASSES,
                             s2_dates: Sequence[str | None] = S2_DATES,
                             ignore_value: int = 255, seed: int = 0) -> Path:
    """A dataset with three sources on one grid (docs/formats.md):

    * `images`: 3 bands uint16 (nodata 0), the primary source;
    * `s2`: a time series of `s2_dates` slots × 2 bands uint16 (nodata 0): date 1 is fully
      clouded (nodata) in every even patch, so masked there; a padding slot is all nodata;
    * `s1`: one date, 2 bands float32 in dB with no nodata value (NaN corner in some patches).

    Each source carries the class signal at its own scale (statistics differ by orders of
    magnitude), so a model only learns with per-source normalisation.
    """
    counts = dict(counts or {"train": 8, "validation": 4, "test": 2})
    rng = np.random.default_rng(seed)
    root = Path(root)
    values = [int(c["value"]) for c in classes]
    slots = len(s2_dates)
    spec = {"images": (["B2", "B3", "B4"], "uint16", 0, (800, 4000)),
            "s2": (["B8", "B11"], "uint16", 0, (2000, 6000)),
            "s1": (["VV", "VH"], "float32", None, (-25.0, -5.0))}
    lut = {}
    for name, (bands, _dtype, _nodata, (low, high)) in spec.items():
        lut[name] = np.zeros((256, len(bands) * (slots if name == "s2" else 1)))
        for v in values:
            lut[name][v] = rng.uniform(low, high, lut[name].shape[1])
    noise = {"images": 60.0, "s2": 80.0, "s1": 0.5}
    pixels: dict[str, list[np.ndarray]] = {name: [] for name in spec}
    splits: dict[str, dict[str, Any]] = {}
    cell = 0
    for split, n in counts.items():
        class_pixels = dict.fromkeys(map(str, values), 0)
        for i in range(n):
            cell += 1
            patch_id = f"scene{'AB'[i % 2]}_{cell:06d}"
            label = _label(rng, patch_size, values)
            transform = from_origin(500000 + cell * patch_size * 10, 5000000, 10, 10)
            for name, (bands, dtype, nodata, _range) in spec.items():
                data = lut[name][label].transpose(2, 0, 1) + rng.normal(
                    0, noise[name], (lut[name].shape[1], patch_size, patch_size))
                if dtype == "uint16":
                    data = np.clip(data, 1, 65535)
                data = data.astype(dtype)
                names = list(bands)
                if name == "s2":
                    per_slot = data.reshape(slots, len(bands), patch_size, patch_size)
                    for slot, date in enumerate(s2_dates):
                        if date is None or (slot == 1 and i % 2 == 0):
                            per_slot[slot] = 0  # padding / a clouded date
                    per_slot[0, :, :3, :] = 0  # a few cloudy rows: date 0 stays present
                    names = [f"{d or 'nodate'} {b}" for d in s2_dates for b in bands]
                elif name == "s1" and i % 3 == 1:
                    data[:, -4:, -4:] = np.nan
                path = root / "Patch" / split / name / f"{patch_id}.tif"
                _write(path, data, transform, nodata, names)
                if name == "s2":
                    with rasterio.open(path, "r+") as dst:
                        dst.update_tags(satseg_dates=json.dumps(list(s2_dates)))
                if split == "train":
                    per_base = data.reshape(-1, len(bands), patch_size * patch_size)
                    for slot_data in per_base:
                        valid = np.isfinite(slot_data).all(axis=0) & (
                            (slot_data != nodata).all(axis=0) if nodata is not None else True)
                        pixels[name].append(slot_data[:, valid].astype(np.float64))
            _write(root / "Patch" / split / "labels" / f"{patch_id}.tif", label[None],
                   transform, ignore_value)
            for v in values:
                class_pixels[str(v)] += int((label == v).sum())
        splits[split] = {"patches": n, "class_pixels": class_pixels, "ignored_pixels": 0}
    sources = {}
    for name, (bands, dtype, nodata, _range) in spec.items():
        stats = _band_stats(bands, np.concatenate(pixels[name], axis=1))
        sources[name] = _source_entry(name, bands, list(s2_dates) if name == "s2" else [],
                                      dtype, nodata, stats, 0.5 if name == "s2" else 1.0)
    images = sources["images"]
    info = {
        "schema": 1, "kind": "satseg-patch-dataset", "engine_version": "0.1.0",
        "created": "2024-01-01T00:00:00Z", "patch_size": patch_size,
        "ignore_value": ignore_value, "sources": sources,
        "band_names": images["band_names"], "dtype": "uint16", "nodata": 0,
        "crs": "EPSG:32632", "pixel_size": [10.0, 10.0], "classes": [dict(c) for c in classes],
        "statistics": images["statistics"], "splits": splits,
        "grid": {"path": "grid.gpkg", "cells": cell, "stride": patch_size,
                 "split_method": "random", "seed": seed, "ratios": [0.7, 0.15, 0.15]},
        "provenance": {"images": ["/synthetic/images.tif"], "labels": [],
                       "label_kind": "raster", "job": {}},
    }
    (root / "dataset.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    return root
