"""`satseg sample`: a synthetic Sentinel-2-like scene with aligned labels, raster and vector."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.features import rasterize

from satseg_engine.core.cli import run_job
from satseg_engine.core.errors import JobError
from satseg_engine.core.events import Events
from satseg_engine.geo.classtable import CLASSES_TAG

SIZE = 256
NAMES = {1: "water", 2: "forest", 3: "cropland", 4: "built-up", 5: "road", 6: "grassland"}
S2 = ["B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B11", "B12"]


def run_cli(*args: str) -> tuple[int, list[dict], str]:
    """The real engine as a subprocess; stdout must be JSON lines only."""
    proc = subprocess.run([sys.executable, "-m", "satseg_engine", "sample", *args],
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines()], proc.stderr


def sample(out: Path, **job) -> dict:
    """Run the verb in-process; returns the `done` summary."""
    return run_job("sample", {"output_dir": str(out), **job}, Events(io.StringIO()))


def read(folder: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    with rasterio.open(folder / "scene.tif") as image, rasterio.open(folder / "labels.tif") as lab:
        return image.read(), lab.read(1), list(image.descriptions)


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("sample") / "scene"
    code, events, stderr = run_cli("--output-dir", str(out), "--width", str(SIZE), "--height",
                                   str(SIZE))
    assert code == 0, stderr
    return out, events


def test_cli_run_reports_outputs_progress_and_class_counts(scene):
    out, events = scene
    assert [events[0]["type"], events[-1]["type"]] == ["started", "done"]
    progress = [e for e in events if e["type"] == "progress"]
    assert progress[-1]["done"] == progress[-1]["total"] and progress[-1]["unit"] == "blocks"
    artifacts = {(e["kind"], e.get("role"), Path(e["path"]).name)
                 for e in events if e["type"] == "artifact"}
    assert artifacts == {("raster", "image", "scene.tif"), ("raster", "labels", "labels.tif"),
                         ("vector", "labels", "labels.gpkg"),
                         ("report", "classes", "classes.json")}
    summary = events[-1]["summary"]
    assert summary["bands"] == S2 and summary["crs"] == "EPSG:32632"
    assert set(summary["class_pixels"]) == {str(v) for v in NAMES}
    assert all(n > 0 for n in summary["class_pixels"].values()), summary["class_pixels"]
    assert sum(summary["class_pixels"].values()) + summary["nodata_pixels"] == SIZE * SIZE
    assert sorted(p.name for p in out.iterdir()) == [
        "classes.json", "labels.gpkg", "labels.tif", "labels.tif.aux.xml", "scene.tif"]


def test_rasters_are_aligned_georeferenced_tiled_and_described(scene):
    out, _ = scene
    with rasterio.open(out / "scene.tif") as image, rasterio.open(out / "labels.tif") as lab:
        assert (image.crs, image.transform, image.shape) == (lab.crs, lab.transform, lab.shape)
        assert image.crs.is_projected and image.crs.to_epsg() == 32632
        assert image.res == (10.0, 10.0) and not image.transform.is_identity
        assert 166_000 < image.bounds.left < 834_000 and image.bounds.bottom > 1_000_000
        assert image.dtypes[0] == "uint16" and image.nodata == 0 and image.count == 10
        assert list(image.descriptions) == S2
        assert image.block_shapes[0] == lab.block_shapes[0] == (256, 256)
        structure = image.tags(ns="IMAGE_STRUCTURE"), lab.tags(ns="IMAGE_STRUCTURE")
        assert structure[0]["COMPRESSION"] == structure[1]["COMPRESSION"] == "DEFLATE"
        assert lab.dtypes[0] == "uint8" and lab.nodata == 0
        assert lab.colormap(1)[1][:3] == (0x1F, 0x78, 0xB4)  # water is blue
        tagged = json.loads(lab.tags(1)[CLASSES_TAG])
        assert json.loads(lab.tags()[CLASSES_TAG]) == tagged
    table = json.loads((out / "classes.json").read_text())["classes"]
    assert tagged == table and {c["value"]: c["name"] for c in table} == NAMES
    categories = ET.parse(out / "labels.tif.aux.xml").findall(".//CategoryNames/Category")
    assert [c.text or "" for c in categories] == ["", *NAMES.values()]


def test_nodata_is_exactly_where_there_is_no_label(scene):
    image, labels, _ = read(scene[0])
    empty = (image == 0).all(axis=0)
    assert np.array_equal(empty, labels == 0)
    assert not (image[:, ~empty] == 0).any(), "a valid pixel has a 0 (nodata) band"
    assert 0.005 < empty.mean() < 0.15, "the swath-edge margin is missing or too wide"
    assert set(np.unique(labels)) == {0, *NAMES}


def test_spectra_separate_the_classes_like_sentinel2(scene):
    image, labels, names = read(scene[0])
    band = {name: image[names.index(name)].astype(float) for name in names}

    def mean(name: str, value: int) -> float:
        return float(band[name][labels == value].mean())

    assert mean("B8", 1) < 0.2 * mean("B8", 2)      # water is dark in NIR, forest bright
    assert mean("B12", 1) < 200                     # and black in SWIR
    assert mean("B2", 4) > 2 * mean("B2", 2)        # built-up brighter in blue than forest
    assert mean("B8", 6) > 2 * mean("B4", 6)        # grassland: vegetation red edge
    ndvi = (band["B8"] - band["B4"]) / (band["B8"] + band["B4"] + 1)
    crops = ndvi[labels == 3]
    assert np.percentile(crops, 5) < 0.3 < 0.6 < np.percentile(crops, 95)  # bare soil and crops


def test_same_seed_same_scene_other_seed_another(scene, tmp_path):
    sample(tmp_path / "same", width=SIZE, height=SIZE)
    sample(tmp_path / "other", width=SIZE, height=SIZE, seed=7)
    reference, same, other = read(scene[0]), read(tmp_path / "same"), read(tmp_path / "other")
    assert np.array_equal(reference[0], same[0]) and np.array_equal(reference[1], same[1])
    assert (reference[1] != other[1]).mean() > 0.3


def test_polygons_rasterise_back_to_the_label_raster(scene):
    out, _ = scene
    polygons = gpd.read_file(out / "labels.gpkg", layer="labels")
    assert list(polygons.columns) == ["class", "name", "geometry"]
    assert {(int(c), n) for c, n in zip(polygons["class"], polygons["name"], strict=True)} \
        == set(NAMES.items())
    with rasterio.open(out / "labels.tif") as lab:
        assert polygons.crs.to_epsg() == lab.crs.to_epsg()
        burnt = rasterize(zip(polygons.geometry, polygons["class"], strict=True),
                          out_shape=lab.shape, transform=lab.transform, fill=0, dtype="uint8")
        assert (burnt == lab.read(1)).mean() > 0.999


def test_refuses_to_overwrite_unless_asked(tmp_path):
    out = tmp_path / "scene"
    sample(out, width=64, height=64)
    before = (out / "scene.tif").read_bytes()
    code, events, _ = run_cli("--output-dir", str(out), "--width", "64", "--height", "64",
                              "--seed", "1")
    error = events[-1]
    assert code == 2 and error["type"] == "error" and error["key"] == "overwrite"
    assert "scene.tif" in error["message"] and "--overwrite" in error["hint"]
    assert (out / "scene.tif").read_bytes() == before
    sample(out, width=64, height=64, seed=1, overwrite=True)
    assert (out / "scene.tif").read_bytes() != before
    assert not [p for p in out.iterdir() if ".part-" in p.name]


@pytest.mark.parametrize(("bands", "width", "height", "names", "nir"), [
    (3, 128, 128, ["B2", "B3", "B4"], None),
    (4, 128, 128, ["B2", "B3", "B4", "B8"], "B8"),
    (12, 700, 96, [f"B{i}" for i in range(1, 13)], "B4"),  # 2 blocks wide, partial blocks
])
def test_band_option(tmp_path, bands, width, height, names, nir):
    summary = sample(tmp_path, bands=bands, width=width, height=height)
    image, labels, descriptions = read(tmp_path)
    assert descriptions == names == summary["bands"]
    assert image.shape == (bands, height, width) and labels.shape == (height, width)
    blue = image[0].astype(float)  # 490 nm in every band set
    assert blue[labels == 4].mean() > 2 * blue[labels == 2].mean()
    if nir:  # 12 bands from 490 to 2190 nm: B4 is at about 953 nm
        band = image[names.index(nir)].astype(float)
        assert band[labels == 1].mean() < 0.3 * band[np.isin(labels, (2, 6))].mean()


@pytest.mark.parametrize(("job", "key", "words"), [
    ({"width": 32}, "width", ">= 64"),
    ({"crs": "EPSG:4326"}, "crs", "not a projected CRS"),
    ({"crs": "no such crs"}, "crs", "cannot read"),
    ({"bands": 0}, "bands", ">= 1"),
])
def test_rejects_bad_jobs(tmp_path, job, key, words):
    with pytest.raises(JobError) as caught:
        sample(tmp_path, **job)
    assert caught.value.key == key and words in caught.value.message
    assert not any(tmp_path.iterdir())
