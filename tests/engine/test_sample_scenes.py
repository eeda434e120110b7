"""`satseg sample --scene rare|drift`: the scenes bench_defaults.py judges training recipes on."""

from __future__ import annotations

import io
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio

from satseg_engine.core.cli import run_job
from satseg_engine.core.errors import JobError
from satseg_engine.core.events import Events
from satseg_engine.geo.classtable import CLASSES_TAG

SIZE = 512
B2, B8 = 0, 6  # band indices of the 10-band Sentinel-2 stack


def sample(out: Path, **job) -> dict:
    return run_job("sample", {"output_dir": str(out), "width": SIZE, "height": SIZE, **job},
                   Events(io.StringIO()))


def read(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    with rasterio.open(folder / "scene.tif") as image, rasterio.open(folder / "labels.tif") as lab:
        return image.read().astype(np.float64), lab.read(1)


@pytest.fixture(scope="module")
def scenes(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("scenes")
    for scene in ("plain", "rare", "drift"):
        sample(root / scene, scene=scene)
    return {scene: root / scene for scene in ("plain", "rare", "drift")}


def test_rare_scene_adds_three_small_rare_classes_with_their_own_spectra(scenes) -> None:
    image, labels = read(scenes["rare"])
    table = json.loads((scenes["rare"] / "classes.json").read_text())["classes"]
    assert [c["name"] for c in table][6:] == ["greenhouse", "solar park", "quarry"]
    with rasterio.open(scenes["rare"] / "labels.tif") as src:
        tagged = json.loads(src.tags(1)[CLASSES_TAG])
        assert src.colormap(1)[7][:3] == (247, 247, 247)
    assert [c["value"] for c in tagged] == list(range(1, 10))
    labelled = (labels > 0).sum()
    for value in (7, 8, 9):
        share = (labels == value).sum() / labelled
        assert 0.0005 < share < 0.01, (value, share)
    greenhouse, solar = image[:, labels == 7], image[:, labels == 8]
    assert greenhouse[B2].mean() > 1800 and solar[B8].mean() < 700
    polygons = gpd.read_file(scenes["rare"] / "labels.gpkg", layer="labels")
    assert {"greenhouse", "solar park", "quarry"} <= set(polygons["name"])
    plain_image, plain_labels = read(scenes["plain"])
    untouched = labels <= 6
    assert np.array_equal(labels[untouched], plain_labels[untouched])
    assert np.array_equal(image[:, untouched], plain_image[:, untouched])


def test_drift_scene_keeps_its_left_half_and_changes_the_right(scenes) -> None:
    image, labels = read(scenes["drift"])
    plain_image, plain_labels = read(scenes["plain"])
    half = SIZE // 2
    assert np.array_equal(labels[:, :half], plain_labels[:, :half])
    assert np.array_equal(image[:, :, :half], plain_image[:, :, :half])

    def share(lab: np.ndarray, value: int) -> float:
        return float((lab == value).sum() / (lab > 0).sum())

    right, plain_right = labels[:, half:], plain_labels[:, half:]
    assert share(right, 3) > share(plain_right, 3) + 0.05, "more cropland"
    assert share(right, 2) < share(plain_right, 2), "less forest"
    far = int(0.8 * SIZE)
    same = (labels[:, far:] == plain_labels[:, far:]) & (labels[:, far:] > 0)
    ratio = image[:, :, far:][:, same].mean(axis=1) / plain_image[:, :, far:][:, same].mean(axis=1)
    assert ratio[B2] > 1.05 and 0.93 < ratio[B8] < 0.98, ratio


def test_scene_characters_apply_to_single_scenes_only(tmp_path) -> None:
    with pytest.raises(JobError) as caught:
        sample(tmp_path / "x", scene="rare", sources=True)
    assert caught.value.key == "scene"
    with pytest.raises(JobError) as caught:
        sample(tmp_path / "y", scene="patchy")
    assert caught.value.key == "scene" and "'drift'" in str(caught.value)
