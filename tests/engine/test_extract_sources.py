"""`satseg extract` with `sources`: other sensors and time series cut on the image's grid."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from raster_factory import ORIGIN, error_code, run_verb, scene, write_raster
from rasterio.transform import from_origin
from rasterio.warp import transform_bounds

from satseg_engine.core import jobs
from satseg_engine.core.errors import JobError
from satseg_engine.data.dataset import patch_paths
from satseg_engine.data.options import ExtractJob
from satseg_engine.data.sources import dataset_sources, date_presence, invalid_pixels

SPLITS = ("train", "validation", "test")


def plain(value):
    """Paths inside nested job values as strings (what a job file holds)."""
    return json.loads(json.dumps(value, default=str))


def extract(**job):
    return run_verb("extract", **{k: plain(v) if k == "sources" else v for k, v in job.items()})


def patches(root, source="images"):
    return [p.parent.parent / source / p.name for split in SPLITS
            for p, _ in patch_paths(root, split)]


def train_patches(root, source):
    return [p.parent.parent / source / p.name for p, _ in patch_paths(root, "train")]


def cell_of(path):
    """(row, col) of the patch's top-left pixel in the 10 m image."""
    with rasterio.open(path) as src:
        return (round((ORIGIN[1] - src.bounds.top) / 10), round((src.bounds.left - ORIGIN[0])
                                                                / 10))


def other_crs(tmp_path, name, pixel, make, dtype, size=64, **kwargs):
    """A raster in EPSG:32633 around the 32632 image; `make(x, y)` at its own pixel centres."""
    left, bottom, right, top = transform_bounds("EPSG:32632", "EPSG:32633", ORIGIN[0],
                                                ORIGIN[1] - 10 * size, ORIGIN[0] + 10 * size,
                                                ORIGIN[1])
    transform = from_origin(left - 3 * pixel, top + 3 * pixel, pixel, pixel)
    cols, rows = np.meshgrid(np.arange(int((right - left) / pixel) + 6) + 0.5,
                             np.arange(int((top - bottom) / pixel) + 6) + 0.5)
    values = make(*(transform * (cols, rows))).astype(dtype)
    return write_raster(tmp_path / name, values, transform=transform, crs="EPSG:32633",
                        **kwargs), transform, values


def smooth(x, y):
    return np.stack([np.sin(x / 500.0) + np.cos(y / 700.0), np.cos(x / 600.0)])


def check_statistics(root, name, entry):
    """dataset.json's statistics of a source against numpy over its written train patches."""
    channels = len(entry["band_names"])
    nodata = entry["nodata"]
    for b, stats in enumerate(entry["statistics"]["bands"]):
        values = []
        for path in train_patches(root, name):
            with rasterio.open(path) as src:
                data = src.read()[b::channels].ravel()  # band b of every date slot
            keep = np.isfinite(data) if data.dtype.kind == "f" else np.ones(data.shape, bool)
            if nodata is not None:
                keep &= data != nodata
            values.append(data[keep].astype(np.float64))
        values = np.concatenate(values)
        assert stats["valid_pixels"] == values.size > 0, name
        assert stats["mean"] == pytest.approx(values.mean(), rel=1e-9)
        assert stats["std"] == pytest.approx(values.std(), rel=1e-9)
        assert (stats["min"], stats["max"]) == pytest.approx((values.min(), values.max()))
        for p in (1, 2, 98, 99):
            assert stats[f"p{p}"] == pytest.approx(np.percentile(values, p,
                                                                 method="inverted_cdf"))


def test_sources_in_another_crs_land_on_the_image_grid(tmp_path):
    image, labels = scene(tmp_path, 64, 64, bands=2)
    s1, _, _ = other_crs(tmp_path, "s1.tif", 20.0, smooth, np.float32, names=("VV", "VH"))
    classes = {}

    def pattern(x, y):
        classes["v"] = np.random.default_rng(5).integers(1, 6, x.shape)
        return classes["v"]

    lc, lc_transform, lc_values = other_crs(tmp_path, "lc.tif", 30.0, pattern, np.uint8,
                                            colormap={v: (50 * v, 0, 0, 255) for v in range(6)})
    summary, _ = extract(image=image, labels=labels, output_dir=tmp_path / "ds",
                          patch_size=32, ratios=[1, 0, 0], workers=1,
                          sources={"s1": {"rasters": [s1]}, "lc": {"rasters": [lc]}})
    root = tmp_path / "ds"
    assert summary["patches"] == 4 and summary["sources"] == {"images": 1, "s1": 1, "lc": 1}
    to_theirs = Transformer.from_crs("EPSG:32632", "EPSG:32633", always_xy=True)
    # bilinear error bound of `smooth` on 20 m pixels (h²/8 · Σ max|f''|) + warper tolerance
    bound = 20.0 ** 2 / 8 * (1 / 500 ** 2 + 1 / 700 ** 2) + 0.001 * 20 * 0.004 + 1e-6
    for image_patch in patches(root):
        with rasterio.open(image_patch) as img, rasterio.open(
                root / "Patch/train/s1" / image_patch.name) as a, rasterio.open(
                root / "Patch/train/lc" / image_patch.name) as b:
            for src in (a, b):
                assert (src.crs, src.transform, src.shape) == (img.crs, img.transform,
                                                                img.shape)
            assert a.descriptions == ("VV", "VH") and a.dtypes == ("float32", "float32")
            assert np.isnan(a.nodata) and b.dtypes == ("uint8",)
            cols, rows = np.meshgrid(np.arange(32) + 0.5, np.arange(32) + 0.5)
            x, y = to_theirs.transform(*(img.transform * (cols, rows)))
            assert np.abs(a.read() - smooth(x, y)).max() <= bound
            c, r = ~lc_transform * (x, y)
            clear = (np.abs(c - np.round(c)) > 0.01) & (np.abs(r - np.round(r)) > 0.01)
            expected = lc_values[np.floor(r).astype(int), np.floor(c).astype(int)]
            assert clear.mean() > 0.9 and (b.read(1)[clear] == expected[clear]).all()
    data = json.loads((root / "dataset.json").read_text())
    assert list(data["sources"]) == ["images", "s1", "lc"]
    s1_entry, lc_entry = data["sources"]["s1"], data["sources"]["lc"]
    assert (s1_entry["resampling"], lc_entry["resampling"]) == ("bilinear", "nearest")
    assert (s1_entry["dates"], s1_entry["slots"], s1_entry["nodata"]) == ([], 1, None)
    assert s1_entry["rasters"] == [str(s1.resolve())] and lc_entry["nodata"] == 0
    for name, entry in data["sources"].items():
        check_statistics(root, name, entry)
    assert data["statistics"] == data["sources"]["images"]["statistics"]
    assert data["band_names"] == data["sources"]["images"]["band_names"] == ["B2", "B3"]


def time_series(tmp_path):
    """Three dates given out of order (one dated by metadata), partly missing, 2 bands."""
    rng = np.random.default_rng(2)
    full = rng.integers(1, 1000, (2, 64, 64)).astype(np.uint16)
    july = write_raster(tmp_path / "s2_2024-07-01.tif", full, nodata=0, names=("B4", "B8"))
    # March covers only the image's left half (dated by its metadata)
    march = write_raster(tmp_path / "s2_scene.tif", full[:, :, :32] + 1, nodata=0,
                         tags={"ACQUISITION_DATE": "2024-03-15"})
    may_values = full + 2
    may_values[:, 32:, :32] = 0            # clouded over the bottom-left cell
    may_values[:, :4, 32:] = 0             # 4 rows of 32 nodata in the top-right cell: kept
    may = write_raster(tmp_path / "s2_20240501.tif", may_values, nodata=0)
    return [july, march, may], {"2024-03-15": full[:, :, :32] + 1, "2024-05-01": may_values,
                                "2024-07-01": full}


def test_time_series_masks_missing_dates_and_pads(tmp_path):
    image, labels = scene(tmp_path, 64, 64, bands=2)
    rasters_, values = time_series(tmp_path)
    extract(image=image, labels=labels, output_dir=tmp_path / "ds", patch_size=32,
            ratios=[1, 0, 0], workers=1,
            sources={"s2": {"rasters": rasters_, "max_dates": 5, "resampling": "nearest"}})
    root = tmp_path / "ds"
    data = json.loads((root / "dataset.json").read_text())
    entry = data["sources"]["s2"]
    dates = ["2024-03-15", "2024-05-01", "2024-07-01", None, None]
    assert entry["dates"] == dates and entry["slots"] == 5 and entry["band_names"] == ["B4",
                                                                                      "B8"]
    assert entry["rasters"] == [str(rasters_[i].resolve()) for i in (1, 2, 0)]
    assert entry["patch_band_names"][:2] == ["2024-03-15 B4", "2024-03-15 B8"]
    assert entry["patch_band_names"][-2:] == ["nodate B4", "nodate B8"]
    source = next(s for s in dataset_sources(data) if s.name == "s2")
    expected_presence = {(0, 0): [1, 1, 1, 0, 0], (0, 32): [0, 1, 1, 0, 0],
                         (32, 0): [1, 0, 1, 0, 0], (32, 32): [0, 1, 1, 0, 0]}
    seen = {}
    for path in patches(root, "s2"):
        row, col = cell_of(path)
        with rasterio.open(path) as src:
            raw = src.read()
            assert src.descriptions == tuple(entry["patch_band_names"]) and src.nodata == 0
            assert json.loads(src.tags()["satseg_dates"]) == dates
        slots = raw.reshape(5, 2, 32, 32)
        present = date_presence(~invalid_pixels(slots, 0).all(axis=1), source)
        seen[(row, col)] = present.astype(int).tolist()
        for slot, date in enumerate(dates):
            if not present[slot]:
                assert (slots[slot] == 0).all(), (row, col, date)   # masked or padding
                continue
            source_values = values[date]
            want = source_values[:, row:row + 32, col:col + 32]
            assert (slots[slot] == want).all(), (row, col, date)
    assert seen == expected_presence
    assert entry["counts"] == {"patches": 4, "date_patches": [2, 3, 4, 0, 0],
                               "dropped_cells": 0}
    check_statistics(root, "s2", entry)
    summary, _ = run_verb("info", dataset=root)
    assert "5 dates: 2024-03-15 [2/4], 2024-05-01 [3/4]" in summary["sources"]["s2"]
    assert "resampling nearest" in summary["sources"]["s2"]
    assert set(summary["source_statistics (train)"]["s2"]) == {"B4", "B8"}


def test_cell_drop_rules(tmp_path):
    image, labels = scene(tmp_path, 64, 64, bands=1)
    one = np.ones((1, 64, 64), np.float32)
    one[:, :32, :32] = -1                      # top-left cell: all nodata -> dropped
    one[:, :8, 32:] = -1                       # top-right: 25 % nodata <= 0.3 -> kept
    s1 = write_raster(tmp_path / "s1.tif", one, nodata=-1)
    first = np.ones((1, 64, 64), np.uint8)
    second = first.copy()
    first[:, 32:] = 0                          # bottom cells: date 1 missing
    second[:, 32:, :32] = 0                    # bottom-left: date 2 missing too -> dropped
    series = [write_raster(tmp_path / f"t_2024010{i}.tif", d, nodata=0)
              for i, d in ((1, first), (2, second))]
    summary, events = extract(image=image, labels=labels, patch_size=32,
                               output_dir=tmp_path / "ds", ratios=[1, 0, 0], workers=1,
                               sources={"s1": {"rasters": [s1], "max_nodata_frac": 0.3},
                                        "t": {"rasters": series}})
    kept = sorted(cell_of(p) for p in patches(tmp_path / "ds"))
    assert kept == [(0, 32), (32, 32)]
    assert summary["skipped_source_cells"] == {"s1": 1, "t": 1}
    last = [e for e in events if e["type"] == "progress" and e["stage"] == "extract"][-1]
    assert last["done"] == last["total"] == 4
    assert any("dropped" in e.get("message", "") or "other sources" in e.get("message", "")
               for e in events if e["type"] == "log")
    data = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    assert data["sources"]["t"]["counts"]["date_patches"] == [1, 2]
    assert data["sources"]["s1"]["max_nodata_frac"] == 0.3
    assert data["sources"]["t"]["max_nodata_frac"] == 0.5          # the job's
    with rasterio.open(tmp_path / "ds/Patch/train/s1" / patches(tmp_path / "ds")[0].name) as s:
        assert (s.read(1)[:8] == -1).all() and (s.read(1)[8:] == 1).all()


def test_image_time_series_workers_and_flags(tmp_path, engine):
    """`--source images=...` replaces --image; a process pool opens the readers per worker."""
    _, labels = scene(tmp_path, 64, 128, bands=2)
    rng = np.random.default_rng(4)
    jan = rng.integers(1, 500, (2, 64, 128)).astype(np.uint16)
    feb = jan + 1000
    jan[:, :8] = 0                                   # rows 0-7: January missing
    feb[:, :4] = 0                                   # rows 0-3: February too
    a = write_raster(tmp_path / "img_2024-02-01.tif", feb, nodata=0, names=("B4", "B8"))
    b = write_raster(tmp_path / "img_2024-01-01.tif", jan, nodata=0, names=("B4", "B8"))
    s1 = write_raster(tmp_path / "s1.tif", rng.random((1, 40, 70)).astype(np.float32) + 1,
                      transform=from_origin(*ORIGIN, 20, 20))
    run = engine("extract", "--labels", str(labels), "--source", f"images={a},{b}",
                 "--source", f"s1={s1}", "--patch-size", "8", "--ratios", "0.5,0.25,0.25",
                 "--workers", "2", "--output-dir", str(tmp_path / "ds"), "--progress", "json")
    assert run.returncode == 0, run.stderr
    assert run.terminal["summary"]["workers"] == 2 and run.terminal["summary"]["patches"] == 128
    root = tmp_path / "ds"
    data = json.loads((root / "dataset.json").read_text())
    assert data["sources"]["images"]["dates"] == ["2024-01-01", "2024-02-01"]
    assert data["sources"]["images"]["resampling"] == "none"       # both dates on the grid
    assert data["band_names"] == ["B4", "B8"] and data["grid"]["cells"] == 128
    assert data["provenance"]["images"] == [str(b.resolve())]      # the grid's reference
    rows_seen = set()
    for path in patches(root)[::3]:
        row, col = cell_of(path)
        rows_seen.add(row)
        with rasterio.open(path) as src, rasterio.open(root / "Patch" / path.parent.parent.name
                                                       / "s1" / path.name) as other:
            raw, aux = src.read(), other.read()
        assert np.isfinite(aux).all() and (aux >= 1).all() and (aux <= 2).all()
        if row == 0:                                 # January masked (all nodata), Feb half
            assert (raw[:2] == 0).all() and (raw[2:, 4:] == feb[:, 4:8, col:col + 8]).all()
            with rasterio.open(path.parent.parent / "labels" / path.name) as lab:
                assert (lab.read(1)[:4] == 255).all()
        else:
            assert (raw[:2] == jan[:, row:row + 8, col:col + 8]).all()
            assert (raw[2:] == feb[:, row:row + 8, col:col + 8]).all()
    assert 0 in rows_seen and len(rows_seen) > 4
    summary, _ = run_verb("preview", dataset=root, output=tmp_path / "p.png", per_split=2)
    assert summary["patches_shown"] == 6 and (tmp_path / "p.png").stat().st_size > 3000


def test_sample_scene_with_sources_end_to_end(tmp_path):
    """`satseg sample --sources` writes the sources of an extract job; extract cuts them."""
    run_verb("sample", sources=True, width=64, height=64, dates=3, output_dir=tmp_path / "s")
    sources = json.loads((tmp_path / "s" / "sources.json").read_text())
    summary, _ = extract(labels=tmp_path / "s" / "labels.tif", sources=sources, patch_size=32,
                         ratios=[1, 0, 0], workers=1, output_dir=tmp_path / "ds")
    root = tmp_path / "ds"
    data = json.loads((root / "dataset.json").read_text())
    assert summary["patches"] == 4 and list(data["sources"]) == ["images", "s1"]
    images, s1 = dataset_sources(data)
    assert images.slots == 3 and images.band_names == ("B2", "B3", "B4", "B8")
    assert s1.resampling == "bilinear" and s1.band_names == ("VV", "VH")
    held = [0, 0, 0]
    for path in patches(root):
        with rasterio.open(path) as img, rasterio.open(root / "Patch/train/s1" / path.name) as a:
            raw = img.read()
            assert (a.transform, a.crs, a.count, img.count) == (img.transform, img.crs, 2, 12)
            assert np.isfinite(a.read()).mean() > 0.5
        slots = raw.reshape(3, 4, 32, 32)
        present = date_presence(~invalid_pixels(slots, images.nodata).all(axis=1), images)
        held = [h + int(p) for h, p in zip(held, present, strict=True)]
    assert data["sources"]["images"]["counts"]["date_patches"] == held
    for name, entry in data["sources"].items():
        check_statistics(root, name, entry)


def test_single_source_dataset_keeps_its_layout(tmp_path):
    image, labels = scene(tmp_path, 64, 64, bands=2)
    run_verb("extract", image=image, labels=labels, output_dir=tmp_path / "ds", patch_size=32,
             ratios=[1, 0, 0], workers=1)
    data = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    assert data["sources"] == {"images": {"band_names": ["B2", "B3"], "dtype": "uint16",
                                          "nodata": 0, "bands": [1, 2]}}
    assert sorted(p.name for p in (tmp_path / "ds/Patch/train").iterdir()) == ["images",
                                                                               "labels"]
    (images,) = dataset_sources(data)
    assert (images.name, images.temporal, len(images.statistics)) == ("images", False, 2)
    summary, _ = run_verb("info", dataset=tmp_path / "ds")
    assert summary["sources"] == {"images": "2 bands (B2, B3); single date; resampling none"}
    # the image given as sources.images: the same image patches, a full sources block
    extract(labels=labels, sources={"images": {"rasters": [image], "bands": [2]}},
            output_dir=tmp_path / "ds2", patch_size=32, ratios=[1, 0, 0], workers=1)
    again = json.loads((tmp_path / "ds2" / "dataset.json").read_text())
    assert again["sources"]["images"]["dates"] == [] and again["band_names"] == ["B3"]
    for old, new in zip(patches(tmp_path / "ds"), patches(tmp_path / "ds2"), strict=True):
        with rasterio.open(old) as a, rasterio.open(new) as b:
            assert (a.read(2) == b.read(1)).all() and (b.descriptions, b.nodata) == (("B3",), 0)


# -- errors ------------------------------------------------------------------------------------

def bad_job(tmp_path, case):
    image, labels = scene(tmp_path, 64, 64, bands=2)
    one = np.ones((2, 64, 64), np.uint16)
    a = write_raster(tmp_path / "s_2024-01-01.tif", one)
    b = write_raster(tmp_path / "s_2024-02-01.tif", one)
    job = {"image": image, "labels": labels, "output_dir": tmp_path / "ds", "patch_size": 32,
           "ratios": [0.5, 0.25, 0.25], "sources": {"s2": {"rasters": [a, b]}}}
    s2 = job["sources"]["s2"]
    if case == "band_count":
        s2["rasters"].append(write_raster(tmp_path / "s_2024-03-01.tif",
                                          np.ones((3, 64, 64), np.uint16)))
    elif case == "dtype":
        s2["rasters"].append(write_raster(tmp_path / "s_2024-03-01.tif",
                                          np.ones((2, 64, 64), np.float32)))
    elif case == "outside":
        job["sources"]["far"] = {"rasters": [write_raster(
            tmp_path / "far.tif", one, transform=from_origin(ORIGIN[0] + 5000, ORIGIN[1], 10,
                                                             10))]}
    elif case == "bad_name":
        job["sources"] = {"labels": s2}
    elif case == "bad_name_2":
        job["sources"] = {"2s": s2}
    elif case == "max_dates":
        s2["max_dates"] = 1
    elif case == "no_dates":
        s2["rasters"] = [write_raster(tmp_path / "x.tif", one), write_raster(tmp_path / "y.tif",
                                                                           one)]
    elif case == "same_date":
        s2["dates"] = ["2024-01-01", "2024-01-01"]
    elif case == "bad_date":
        s2["dates"] = ["2024-01-01", "2024-02-31"]
    elif case == "both_images":
        job["sources"]["images"] = {"rasters": [image]}
    elif case == "batch":
        del job["image"]
        job.update(images_dir=tmp_path, label_glob="Label_*.tif")
    elif case == "bad_bands":
        s2["bands"] = [3]
    return job


@pytest.mark.parametrize(("case", "code", "words"), [
    ("band_count", "inconsistent_source", ["s2", "s_2024-03-01.tif", "3 band"]),
    ("dtype", "inconsistent_source", ["s2", "s_2024-03-01.tif", "float32"]),
    ("outside", "source_outside", ["far", "far.tif"]),
    ("bad_name", "bad_source_name", ["'labels'"]),
    ("bad_name_2", "bad_source_name", ["'2s'"]),
    ("max_dates", "invalid_job", ["s2", "max_dates"]),
    ("no_dates", "missing_dates", ["s2", "x.tif"]),
    ("same_date", "duplicate_date", ["sources.s2"]),
    ("bad_date", "bad_date", ["2024-02-31"]),
    ("both_images", "invalid_job", ["image"]),
    ("batch", "invalid_job", ["single mode"]),
    ("bad_bands", "bad_bands", ["sources.s2.bands"]),
])
def test_bad_sources(tmp_path, case, code, words):
    job = bad_job(tmp_path, case)
    before = sorted(p.name for p in tmp_path.iterdir())
    job["sources"] = plain(job["sources"])
    assert error_code("extract", **job) == code
    try:
        run_verb("extract", **job)
    except Exception as exc:  # noqa: BLE001 - the message is what is checked
        text = f"{exc.message} {exc.key}"
        assert all(w in text for w in words), text
    assert sorted(p.name for p in tmp_path.iterdir()) == before   # nothing written


def parse_cli(argv):
    parser = argparse.ArgumentParser()
    jobs.add_job_flags(parser, ExtractJob)
    return jobs.job_from_args(ExtractJob, None, vars(parser.parse_args(argv)))


def test_a_source_name_given_twice_is_refused(tmp_path):
    image, labels = scene(tmp_path, 64, 64, bands=1)
    base = ["--image", str(image), "--labels", str(labels), "--output-dir", str(tmp_path / "o")]
    job = parse_cli([*base, "--source", f"s1={image}", "--source", f"s2={image},{labels}"])
    assert job.sources["s2"].rasters == (image, labels) and job.sources["s1"].temporal is False
    for twice in ([f"s1={image}", f"s1={labels}"],
                  [f"s1={image}", json.dumps({"s1": {"rasters": [str(labels)]}})]):
        with pytest.raises(JobError) as caught:
            parse_cli([*base, "--source", twice[0], "--source", twice[1]])
        assert "'s1' is given twice" in caught.value.message
        assert caught.value.key == "sources.s1" and caught.value.hint
    one, other = (json.dumps({"rasters": [str(p)]}) for p in (image, labels))
    text = (f'{{"schema": 1, "image": "{image}", "labels": "{labels}", "output_dir": "o", '
            f'"sources": {{"s1": {one}, "s1": {other}}}}}')
    (tmp_path / "job.json").write_text(text)
    with pytest.raises(JobError) as caught:
        jobs.load_job_file(tmp_path / "job.json")
    assert "'s1' appears twice" in caught.value.message and caught.value.key == "config"
