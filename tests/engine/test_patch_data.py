"""Normalisation methods, nodata handling, augmentation alignment, label mapping."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from satseg_engine.data.augment import AugmentParams, augment
from satseg_engine.data.normalization import METHODS, make_normalization, normalize
from satseg_engine.data.patch_data import label_lookup

STATS = {"bands": [{"name": "B1", "mean": 100.0, "std": 10.0, "min": 0.0, "max": 200.0,
                    "p1": 50.0, "p2": 60.0, "p98": 140.0, "p99": 150.0}]}


@pytest.mark.parametrize(("method", "value", "expected"), [
    ("standardize", 120.0, 2.0),
    ("percentile_1_99", 100.0, 0.5),
    ("percentile_1_99", 500.0, 1.0),   # clipped
    ("percentile_2_98", 40.0, 0.0),    # clipped
    ("sigma_clip", 85.0, 0.25),        # [70, 130] → 0–1
    ("minmax", 50.0, 0.25),
    ("none", 123.0, 123.0),
])
def test_normalization_methods(method: str, value: float, expected: float) -> None:
    norm = make_normalization(method, STATS, nodata=0)
    image = np.array([[[value, 0.0, np.nan]]], dtype=np.float32)
    before = image.copy()
    out = normalize(image, norm)
    assert out[0, 0, 0] == pytest.approx(expected)
    assert out[0, 0, 1] == 0.0 and out[0, 0, 2] == 0.0  # nodata and NaN become 0
    np.testing.assert_array_equal(image, before)        # the caller's array is not touched
    assert set(METHODS) >= {method}
    if value.is_integer() and value < 500:               # the same from an integer raster
        as_int = normalize(np.array([[[value, 0, 110]]], dtype=np.uint16), norm)
        assert as_int.dtype == np.float32 and as_int[0, 0, 0] == out[0, 0, 0]
        assert as_int[0, 0, 1] == 0.0                    # nodata 0 becomes 0
        assert as_int[0, 0, 2] != 0.0                    # inside every method's range


def test_augmentation_moves_image_and_mask_together() -> None:
    rng = np.random.default_rng(0)
    mask = rng.integers(0, 3, (16, 16)).astype(np.uint8)
    image = np.stack([mask, mask * 2]).astype(np.float32) + 1.0  # image encodes the mask
    params = AugmentParams(scale=0.2, shift=0.2, probability=1.0)
    for seed in range(10):
        aug_image, aug_mask = augment(image, mask, params, np.random.default_rng(seed), 255)
        inside = aug_mask != 255
        assert np.array_equal(aug_image[0][inside] - 1.0, aug_mask[inside])
        assert np.all(aug_image[:, ~inside] == 0.0)


def test_label_values_map_to_class_table_order() -> None:
    lookup = label_lookup([{"value": 5}, {"value": 1}], ignore_value=255)
    labels = np.array([5, 1, 3, 255], dtype=np.uint8)
    assert lookup[labels].tolist() == [0, 1, 255, 255]


def _dataset(root, augmented: bool):
    import json

    from dataset_factory import make_dataset

    from satseg_engine.data.patch_data import PatchDataset, list_items

    make_dataset(root, bands=3, patch_size=16, counts={"train": 6, "validation": 2, "test": 2})
    info = json.loads((root / "dataset.json").read_text())
    norm = make_normalization("standardize", info["statistics"], nodata=info["nodata"])
    params = AugmentParams(scale=0.2, shift=0.2, probability=1.0) if augmented else None
    return PatchDataset(list_items(root, "train"), norm,
                        label_lookup(info["classes"], 255), 255, params, seed=3)


@pytest.mark.parametrize("augmented", [False, True])
def test_preloaded_patches_give_the_same_samples_as_reading_from_disk(tmp_path, augmented):
    from_disk = _dataset(tmp_path / "a", augmented)
    cached = _dataset(tmp_path / "a", augmented)
    held = cached.preload(2**20)
    assert held == 6 * (3 * 16 * 16 * 2 + 16 * 16), "uint16 images + uint8 masks"
    snapshot = cached._images.copy(), cached._masks.copy()
    for epoch in range(2):
        from_disk.set_epoch(epoch)
        cached.set_epoch(epoch)
        for index in range(len(cached)):
            image, mask = cached[index]
            disk_image, disk_mask = from_disk[index]
            assert torch.equal(image, disk_image) and torch.equal(mask, disk_mask)
            mask[:] = 0  # a caller writing into a sample must not reach the cache
    np.testing.assert_array_equal(cached._images, snapshot[0])
    np.testing.assert_array_equal(cached._masks, snapshot[1])


def test_preload_respects_its_budget(tmp_path):
    dataset = _dataset(tmp_path / "b", False)
    assert dataset.preload(100) == 0 and dataset._images is None
    assert dataset.preload(0) == 0
