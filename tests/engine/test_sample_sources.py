"""`satseg sample --sources`: a multi-sensor, multi-date synthetic scene where fusion is needed.

Every statistic here is computed from the written GeoTIFFs and labels, not from the generator's
parameters: the optical series alone cannot tell grassland from wet grassland, one optical date
cannot tell a single- from a double-season crop, the radar alone cannot tell the crops apart,
and all sources together separate every class.
"""

from __future__ import annotations

import datetime
import io
import itertools
import json
import math
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.warp import Resampling, reproject, transform_bounds
from scipy import ndimage

from satseg_engine.core.cli import run_job
from satseg_engine.core.errors import JobError
from satseg_engine.core.events import Events
from satseg_engine.geo.classtable import CLASSES_TAG
from satseg_engine.geo.dates import raster_date

SIZE = 512  # enough fields (about 100) for the crop statistics
NAMES = {1: "water", 2: "forest", 3: "built-up", 4: "grassland", 5: "wet grassland",
         6: "single-season crop", 7: "double-season crop"}
GRASS, WET, SINGLE, DOUBLE = 4, 5, 6, 7


def run_cli(*args: str) -> tuple[int, list[dict], str]:
    proc = subprocess.run([sys.executable, "-m", "satseg_engine", "sample", *args],
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines()], proc.stderr


def sample(out: Path, **job) -> dict:
    return run_job("sample", {"output_dir": str(out), "sources": True, **job},
                   Events(io.StringIO()))


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("sources") / "scene"
    code, events, stderr = run_cli("--sources", "--output-dir", str(out), "--width", str(SIZE),
                                   "--height", str(SIZE))
    assert code == 0, stderr
    return out, events


@pytest.fixture(scope="module")
def data(scene) -> dict:
    """The series (dates, 4, H, W), valid mask per date, labels and the radar on the optical
    grid (bilinear, as a user would resample it)."""
    out, _ = scene
    sources = json.loads((out / "sources.json").read_text())
    series = []
    for path in sources["images"]["rasters"]:
        with rasterio.open(path) as src:
            series.append(src.read().astype(np.float32))
    with rasterio.open(out / "labels.tif") as lab:
        labels, transform, crs = lab.read(1), lab.transform, lab.crs
    radar = np.full((2, *labels.shape), np.nan, dtype=np.float32)
    with rasterio.open(out / "s1.tif") as s1:
        reproject(rasterio.band(s1, [1, 2]), radar, dst_transform=transform, dst_crs=crs,
                  resampling=Resampling.bilinear)
    optical = np.stack(series)
    return {"optical": optical, "valid": (optical > 0).all(axis=1), "labels": labels,
            "radar": radar}


def test_cli_writes_the_named_outputs_and_lists_them_in_sources_json(scene):
    out, events = scene
    assert [events[0]["type"], events[-1]["type"]] == ["started", "done"]
    summary = events[-1]["summary"]
    dates = summary["dates"]
    assert len(dates) == 6 and dates == sorted(dates) and len(set(dates)) == 6
    s2 = [f"s2_{d}.tif" for d in dates]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*s2, "s1.tif", "labels.tif", "labels.tif.aux.xml", "classes.json", "sources.json"])
    sources = json.loads((out / "sources.json").read_text())
    assert sources == {"images": {"rasters": [str((out / n).resolve()) for n in s2],
                                  "dates": dates},
                       "s1": {"rasters": [str((out / "s1.tif").resolve())]}}
    assert summary["outputs"]["s2"] == sources["images"]["rasters"]
    assert summary["outputs"]["s1"] == sources["s1"]["rasters"][0]
    artifacts = [(e["role"], Path(e["path"]).name) for e in events if e["type"] == "artifact"]
    assert artifacts == [*(("image", n) for n in s2), ("s1", "s1.tif"),
                         ("labels", "labels.tif"), ("classes", "classes.json"),
                         ("sources", "sources.json")]
    assert summary["class_names"] == {str(v): n for v, n in NAMES.items()}


def test_optical_series_is_dated_sentinel2_like_on_the_primary_grid(scene):
    out, _ = scene
    sources = json.loads((out / "sources.json").read_text())
    with rasterio.open(out / "labels.tif") as lab:
        grid = (lab.crs, lab.transform, lab.shape)
    days = []
    for path, date in zip(sources["images"]["rasters"], sources["images"]["dates"], strict=True):
        with rasterio.open(path) as src:
            assert (src.crs, src.transform, src.shape) == grid
            assert src.crs.to_epsg() == 32632 and src.res == (10.0, 10.0)
            assert src.count == 4 and src.dtypes == ("uint16",) * 4 and src.nodata == 0
            assert list(src.descriptions) == ["B2", "B3", "B4", "B8"]
            assert raster_date(Path(path), src) == date == src.tags()["ACQUISITION_DATE"]
        days.append(datetime.date.fromisoformat(date))
    gaps = [(b - a).days for a, b in itertools.pairwise(days)]
    assert all(20 <= gap <= 36 for gap in gaps), gaps  # about monthly over the season
    assert days[0].month in (3, 4, 5) and days[-1].month in (8, 9, 10)


def test_radar_is_another_crs_and_pixel_size_and_covers_the_scene(scene, data):
    out, _ = scene
    with rasterio.open(out / "labels.tif") as lab, rasterio.open(out / "s1.tif") as s1:
        assert s1.crs.is_projected and s1.crs != lab.crs and s1.crs.to_epsg() in (32631, 32633)
        assert s1.res == (20.0, 20.0) and s1.count == 2 and s1.dtypes == ("float32",) * 2
        assert math.isnan(s1.nodata) and list(s1.descriptions) == ["VV", "VH"]
        left, bottom, right, top = transform_bounds(lab.crs, s1.crs, *lab.bounds)
        s1_left, s1_bottom, s1_right, s1_top = s1.bounds
        assert s1_left < left and s1_bottom < bottom and s1_right > right and s1_top > top
        db = s1.read()
    assert np.isfinite(db).all() and -40 < db.min() and db.max() < 20
    assert np.median(db[0]) > np.median(db[1]) + 3  # VV above VH, as over land
    assert np.isfinite(data["radar"]).all(), "the radar does not cover the optical scene"


def test_missing_dates_differ_per_area(data):
    valid, labels = data["valid"], data["labels"]
    optical = data["optical"]
    assert ((optical == 0).any(axis=1) == ~valid).all(), "nodata must be all bands at once"
    share = valid.mean(axis=(1, 2))
    missing = (~valid).astype(np.int8)
    # a swath edge: in every row, the missing pixels are a run from the left or right side
    swath = [i for i in range(len(share)) if missing[i].any(axis=1).all()
             and ((np.diff(missing[i], axis=1) <= 0).all()
                  or (np.diff(missing[i], axis=1) >= 0).all())]
    clouded = [i for i in range(len(share)) if 0.6 <= share[i] <= 0.85 and i not in swath]
    assert len(swath) == 1 and len(clouded) == 1, share
    assert 0.05 < 1 - share[swath[0]] < 0.3, share
    count = valid.sum(axis=0)
    assert count.min() < count.max() == len(share)
    assert np.array_equal(labels == 0, count == 0)


def test_labels_carry_the_class_table(scene, data):
    out, _ = scene
    with rasterio.open(out / "labels.tif") as lab:
        assert lab.dtypes == ("uint8",) and lab.nodata == 0
        table = json.loads(lab.tags(1)[CLASSES_TAG])
        assert lab.colormap(1)[5][:3] == (0x41, 0xB6, 0xC4)
    assert table == json.loads((out / "classes.json").read_text())["classes"]
    assert {c["value"]: c["name"] for c in table} == NAMES
    categories = ET.parse(out / "labels.tif.aux.xml").findall(".//CategoryNames/Category")
    assert [c.text or "" for c in categories] == ["", *NAMES.values()]
    shares = np.bincount(data["labels"].ravel(), minlength=8)[1:] / data["labels"].size
    assert (shares > 0.01).all(), shares


def erode(mask: np.ndarray, steps: int = 2) -> np.ndarray:
    return ndimage.binary_erosion(mask, iterations=steps)


def test_grassland_and_wet_grassland_differ_only_in_radar(data):
    labels, optical, valid, radar = data["labels"], data["optical"], data["valid"], data["radar"]
    for date in range(len(optical)):
        grass = optical[date][:, (labels == GRASS) & valid[date]]
        wet = optical[date][:, (labels == WET) & valid[date]]
        spread = np.sqrt((grass.var(axis=1) + wet.var(axis=1)) / 2)
        gap = np.abs(grass.mean(axis=1) - wet.mean(axis=1)) / spread
        assert (gap < 0.2).all(), f"date {date}: optical means differ by {gap} std"
    grass, wet = radar[:, erode(labels == GRASS)], radar[:, erode(labels == WET)]
    spread = np.sqrt((grass.var(axis=1) + wet.var(axis=1)) / 2)
    gap = (wet.mean(axis=1) - grass.mean(axis=1)) / spread
    assert gap[0] > 3.0 and gap[1] > 2.0, f"radar VV, VH means differ by {gap} std"


def balanced_accuracy(predicted: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([(predicted[truth == c] == c).mean() for c in np.unique(truth)]))


def knn(train: np.ndarray, train_y: np.ndarray, test: np.ndarray, excluded: np.ndarray,
        k: int = 5) -> np.ndarray:
    """k-nearest-neighbour vote; excluded[i, j] keeps training sample j away from test i."""
    distance = ((test**2).sum(1)[:, None] + (train**2).sum(1)[None, :] - 2 * test @ train.T)
    distance[excluded] = np.inf
    nearest = np.argsort(distance, axis=1)[:, :k]
    return np.array([np.bincount(votes).argmax() for votes in train_y[nearest]])


def test_single_and_double_crops_differ_only_in_the_time_series(data):
    labels, optical, valid = data["labels"], data["optical"], data["valid"]
    crop = (labels == SINGLE) | (labels == DOUBLE)
    for date in range(len(optical)):
        # nearest class mean, fitted and scored on every crop pixel of the date (optimistic)
        pixels = optical[date][:, crop & valid[date]].T
        truth = labels[crop & valid[date]]
        means = np.stack([pixels[truth == c].mean(axis=0) for c in (SINGLE, DOUBLE)])
        nearest = np.argmin(((pixels[:, None] - means[None]) ** 2).sum(-1), axis=1)
        score = balanced_accuracy(np.array([SINGLE, DOUBLE])[nearest], truth)
        assert score < 0.75, f"date {date} alone separates the crops ({score:.2f})"
    # a 5-NN on the NDVI profile; neighbours from other fields only (fields = connected parts)
    red, nir = optical[:, 2], optical[:, 3]
    ndvi = ((nir - red) / (nir + red)).reshape(len(optical), -1).T
    fields = np.zeros(labels.shape, dtype=np.int64)
    for value in (SINGLE, DOUBLE):
        parts, _ = ndimage.label(labels == value)
        fields[parts > 0] = parts[parts > 0] + value * 100_000
    usable = np.flatnonzero((crop & valid.all(axis=0)).ravel())
    assert len(np.unique(fields.ravel()[usable])) > 40
    rng = np.random.default_rng(0)
    train, test = rng.choice(usable, 4000, replace=False), rng.choice(usable, 1500, replace=False)
    field, truth = fields.ravel(), labels.ravel()
    predicted = knn(ndvi[train], truth[train], ndvi[test],
                    field[test][:, None] == field[train][None, :])
    score = balanced_accuracy(predicted, truth[test])
    assert score > 0.9, f"the NDVI profile separates the crops only {score:.2f}"


def test_every_class_needs_its_sources(data):
    """Per-class recall of a 5-NN, neighbours at least 48 px away from the pixel classified."""
    labels, optical, valid, radar = data["labels"], data["optical"], data["valid"], data["radar"]
    rng = np.random.default_rng(1)
    keep = valid.all(axis=0).ravel()
    picks = np.concatenate([rng.choice(np.flatnonzero(keep & (labels.ravel() == c)), 300,
                                       replace=False) for c in NAMES])
    rows, cols = np.unravel_index(picks, labels.shape)
    near = np.hypot(rows[:, None] - rows[None], cols[:, None] - cols[None]) < 48
    truth = labels.ravel()[picks]
    series = optical.reshape(-1, labels.size)[:, picks].T / 1000.0
    backscatter = radar.reshape(2, -1)[:, picks].T / 3.0

    def recall(features: np.ndarray) -> dict[int, float]:
        predicted = knn(features, truth, features, near)
        return {c: float((predicted[truth == c] == c).mean()) for c in NAMES}

    fused = recall(np.hstack([series, backscatter]))
    assert min(fused.values()) > 0.8, fused
    optical_only, radar_only = recall(series), recall(backscatter)
    assert (optical_only[GRASS] + optical_only[WET]) / 2 < 0.65, optical_only
    assert (radar_only[SINGLE] + radar_only[DOUBLE]) / 2 < 0.65, radar_only
    one_date = recall(optical[2].reshape(4, -1)[:, picks].T / 1000.0)
    assert (one_date[SINGLE] + one_date[DOUBLE]) / 2 < 0.75, one_date


def test_same_seed_same_files_other_seed_another_scene(tmp_path):
    first = sample(tmp_path / "a", width=160, height=128, dates=3)
    sample(tmp_path / "b", width=160, height=128, dates=3)
    sample(tmp_path / "c", width=160, height=128, dates=3, seed=7)
    names = [Path(p).name for p in first["outputs"]["s2"]] + ["s1.tif", "labels.tif"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    with rasterio.open(tmp_path / "a" / "labels.tif") as a, \
            rasterio.open(tmp_path / "c" / "labels.tif") as c:
        assert (a.read(1) != c.read(1)).mean() > 0.3


@pytest.mark.parametrize(("job", "key", "words"), [
    ({"dates": 8, "sources": False}, "dates", "only used with 'sources'"),
    ({"bands": 4}, "bands", "B2, B3, B4, B8"),
    ({"dates": 1}, "dates", ">= 2"),
    ({"dates": 25}, "dates", "<= 24"),
])
def test_rejects_bad_jobs(tmp_path, job, key, words):
    with pytest.raises(JobError) as caught:
        sample(tmp_path, **job)
    assert caught.value.key == key and words in caught.value.message
    assert not any(tmp_path.iterdir())


def test_overwrite_replaces_an_older_series_entirely(tmp_path):
    first = sample(tmp_path, width=64, height=64, dates=3)
    with pytest.raises(JobError) as caught:
        sample(tmp_path, width=64, height=64, dates=4)
    assert caught.value.key == "overwrite" and "s2_" in caught.value.message
    second = sample(tmp_path, width=64, height=64, dates=4, overwrite=True)
    assert first["dates"] != second["dates"]
    written = sorted(p.name for p in tmp_path.glob("s2_*.tif"))
    assert written == sorted(Path(p).name for p in second["outputs"]["s2"])
    assert not [p for p in tmp_path.iterdir() if ".part-" in p.name]
