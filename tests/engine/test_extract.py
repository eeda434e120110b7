"""`satseg extract`: datasets on disk, label sources, statistics, batch mode, bad inputs."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import rasterio
import shapely
from raster_factory import ORIGIN, error_code, polygons, read_grid, run_verb, scene, write_raster
from rasterio.transform import from_origin

from satseg_engine.data.dataset import patch_paths

CLASSES = [{"value": 1, "name": "water", "colour": "#0000ff"},
           {"value": 2, "name": "forest", "colour": "#00ff00"},
           {"value": 3, "name": "urban", "colour": "#ff0000"}]


def all_patches(root):
    return [p for split in ("train", "validation", "test") for p in patch_paths(root, split)]


def test_end_to_end_subprocess(tmp_path, engine):
    image, labels = scene(tmp_path, 130, 170, bands=3, nodata_rows=20)
    job = {"schema": 1, "image": str(image), "labels": str(labels), "patch_size": 32,
           "output_dir": str(tmp_path / "ds"), "workers": 2, "ratios": [0.6, 0.2, 0.2]}
    (tmp_path / "job.json").write_text(json.dumps(job))
    run = engine("extract", "--config", str(tmp_path / "job.json"))
    assert run.returncode == 0, run.stderr
    assert run.terminal["type"] == "done" and run.events[0]["type"] == "started"
    kinds = {e["kind"]: e["path"] for e in run.of_type("artifact")}
    assert kinds["dataset"] == str(tmp_path / "ds" / "dataset.json")
    assert kinds["vector"] == str(tmp_path / "ds" / "grid.gpkg")
    data = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    assert {"schema", "kind", "engine_version", "created", "patch_size", "ignore_value",
            "sources", "band_names", "dtype", "nodata", "crs", "pixel_size", "classes",
            "statistics", "splits", "grid", "provenance"} <= set(data)
    assert (data["kind"], data["patch_size"], data["ignore_value"]) == (
        "satseg-patch-dataset", 32, 255)
    assert data["band_names"] == ["B2", "B3", "B4"] and data["crs"] == "EPSG:32632"
    assert [c["value"] for c in data["classes"]] == [1, 2, 3]
    summary = run.terminal["summary"]
    for split in ("train", "validation", "test"):
        pairs = patch_paths(tmp_path / "ds", split)
        assert len(pairs) == data["splits"][split]["patches"] == summary["splits"][split] > 0
    assert data["grid"]["cells"] == len(read_grid(tmp_path / "ds" / "grid.gpkg"))
    # a patch pixel equals the source pixel at the same map coordinate
    with rasterio.open(image) as src, rasterio.open(labels) as lab:
        source, source_labels = src.read(), lab.read(1)
        for image_path, label_path in all_patches(tmp_path / "ds")[::5]:
            assert image_path.stem.startswith("scene_") and len(image_path.stem) == 12
            with rasterio.open(image_path) as patch, rasterio.open(label_path) as plab:
                assert patch.crs == src.crs and patch.shape == (32, 32)
                assert patch.descriptions == ("B2", "B3", "B4") and patch.nodata == 0
                assert plab.dtypes[0] == "uint8" and plab.nodata == 255
                pix, lab_pix = patch.read(), plab.read(1)
                for r, c in ((0, 0), (31, 31), (5, 17)):
                    x, y = patch.xy(r, c)
                    sr, sc = src.index(x, y)
                    assert (pix[:, r, c] == source[:, sr, sc]).all()
                    want = 255 if source[0, sr, sc] == 0 or source_labels[sr, sc] == 0 \
                        else source_labels[sr, sc]
                    assert lab_pix[r, c] == want


def test_statistics_match_numpy_on_train_patches(tmp_path):
    rng = np.random.default_rng(1)
    image = rng.integers(0, 3000, (2, 64, 96)).astype(np.int16) - 500  # signed, nodata -500
    image[0, :10] = -500                                               # one band's nodata
    write_raster(tmp_path / "img.tif", image, nodata=-500)
    write_raster(tmp_path / "lab.tif", rng.integers(1, 3, (64, 96)).astype(np.uint8))
    run_verb("extract", image=tmp_path / "img.tif", labels=tmp_path / "lab.tif",
             output_dir=tmp_path / "ds", patch_size=32, workers=1, ratios=[0.5, 0.25, 0.25],
             max_nodata_frac=1.0)
    data = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    for b, stats in enumerate(data["statistics"]["bands"]):
        values = np.concatenate([rasterio.open(p).read(b + 1).ravel()
                                 for p, _ in patch_paths(tmp_path / "ds", "train")])
        values = values[values != -500].astype(float)
        assert stats["valid_pixels"] == values.size
        assert stats["mean"] == pytest.approx(values.mean(), rel=1e-12)
        assert stats["std"] == pytest.approx(values.std(), rel=1e-12)
        assert (stats["min"], stats["max"]) == (values.min(), values.max())
        for p in (1, 2, 98, 99):
            assert stats[f"p{p}"] == np.percentile(values, p, method="inverted_cdf")
    counts = data["splits"]["train"]
    labels = np.concatenate([rasterio.open(p).read(1).ravel()
                             for _, p in patch_paths(tmp_path / "ds", "train")])
    assert counts["class_pixels"] == {"1": int((labels == 1).sum()),
                                      "2": int((labels == 2).sum())}
    assert counts["ignored_pixels"] == int((labels == 255).sum())


def test_polygon_labels_rasterise_pixel_centres(tmp_path):
    image, _ = scene(tmp_path, 32, 32, bands=1)
    x0, y0 = ORIGIN
    square = shapely.box(x0 + 12, y0 - 57, x0 + 57, y0 - 12)          # centres of cols/rows 1..5
    triangle = shapely.Polygon([(x0 + 103, y0 - 101), (x0 + 297, y0 - 104), (x0 + 102,
                                                                             y0 - 296)])
    polygons(tmp_path / "lab.gpkg", [square, triangle], kind=[2, 7])
    run_verb("extract", image=image, labels=tmp_path / "lab.gpkg", label_field="kind",
             output_dir=tmp_path / "ds", patch_size=32, ratios=[1, 0, 0])
    (_, label_path), = all_patches(tmp_path / "ds")
    label = rasterio.open(label_path).read(1)
    cols, rows = np.meshgrid(np.arange(32) + 0.5, np.arange(32) + 0.5)
    xs, ys = x0 + cols * 10, y0 - rows * 10
    expected = np.full((32, 32), 255)
    expected[shapely.contains_xy(square, xs, ys)] = 2
    expected[shapely.contains_xy(triangle, xs, ys)] = 7
    assert (label == expected).all()
    assert (label == 2).sum() == 25
    data = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    assert [c["value"] for c in data["classes"]] == [2, 7]
    assert data["provenance"]["label_kind"] == "vector"


def test_colour_mask_maps_colours_to_classes(tmp_path):
    image, _ = scene(tmp_path, 32, 32, bands=1)
    rgb = np.zeros((3, 32, 32), np.uint8)                  # black = unlabelled
    rgb[2, :10] = 255                                      # blue rows: water (1)
    rgb[0, 20:] = 255                                      # red rows: urban (3)
    write_raster(tmp_path / "mask.tif", rgb)
    run_verb("extract", image=image, labels=tmp_path / "mask.tif", classes=CLASSES,
             output_dir=tmp_path / "ds", patch_size=32, ratios=[1, 0, 0])
    (_, label_path), = all_patches(tmp_path / "ds")
    label = rasterio.open(label_path).read(1)
    assert (label[:10] == 1).all() and (label[10:20] == 255).all() and (label[20:] == 3).all()
    rgb[:, 15, 15] = (1, 2, 3)
    write_raster(tmp_path / "mask.tif", rgb)
    code = error_code("extract", image=image, labels=tmp_path / "mask.tif", classes=CLASSES,
                      output_dir=tmp_path / "ds2", patch_size=32, ratios=[1, 0, 0])
    assert code == "unknown_labels" and not (tmp_path / "ds2").exists()


def test_label_raster_on_another_grid_is_warped_nearest(tmp_path):
    image, _ = scene(tmp_path, 40, 40, bands=1)
    coarse = (np.arange(20 * 20).reshape(20, 20) % 3 + 1).astype(np.uint8)   # 20 m pixels
    write_raster(tmp_path / "coarse.tif", coarse, transform=from_origin(*ORIGIN, 20, 20))
    _, events = run_verb("extract", image=image, labels=tmp_path / "coarse.tif",
                         output_dir=tmp_path / "ds", patch_size=40, ratios=[1, 0, 0])
    assert any(e["type"] == "log" and e["level"] == "warning" and "warped" in e["message"]
               for e in events)
    (_, label_path), = all_patches(tmp_path / "ds")
    assert (rasterio.open(label_path).read(1) == np.kron(coarse, np.ones((2, 2)))).all()
    # same pixel size, origin shifted by 3 pixels east: value at image col c is label col c-3
    shifted = (np.arange(40 * 40).reshape(40, 40) % 5 + 1).astype(np.uint8)
    write_raster(tmp_path / "shift.tif", shifted, transform=from_origin(ORIGIN[0] + 30,
                                                                         ORIGIN[1], 10, 10))
    run_verb("extract", image=image, labels=tmp_path / "shift.tif", output_dir=tmp_path / "ds2",
             patch_size=40, ratios=[1, 0, 0])
    (_, label_path), = all_patches(tmp_path / "ds2")
    label = rasterio.open(label_path).read(1)
    assert (label[:, 3:] == shifted[:, :37]).all() and (label[:, :3] == 255).all()


def test_batch_mode_pairs_by_pattern_with_own_and_shared_grids(tmp_path):
    for key, shift in (("a", 0), ("b", 640)):
        img, lab = scene(tmp_path, 64, 64, bands=2, seed=len(key) + shift,
                         transform=from_origin(ORIGIN[0] + shift, ORIGIN[1], 10, 10))
        img.rename(tmp_path / f"Image_{key}.tif")
        lab.rename(tmp_path / f"Label_{key}.tif")
    summary, _ = run_verb("extract", images_dir=tmp_path, image_glob="Image_*.tif",
                          label_glob="Label_*.tif", output_dir=tmp_path / "ds", patch_size=32,
                          ratios=[0.5, 0.25, 0.25], seed=3)
    assert summary["patches"] == 8
    stems = {p.stem.rsplit("_", 1)[0] for p, _ in all_patches(tmp_path / "ds")}
    assert stems == {"Image_a", "Image_b"}
    grid = read_grid(tmp_path / "ds" / "grid.gpkg")
    assert set(grid["image"]) == {"Image_a", "Image_b"} and grid["id"].is_unique
    # one shared grid over both images (from 'satseg grid' over a mosaic extent)
    write_raster(tmp_path / "mosaic.tif", np.ones((1, 64, 128), np.uint8))
    run_verb("grid", image=tmp_path / "mosaic.tif", output=tmp_path / "g.gpkg", patch_size=32,
             split_method="random", ratios=[0.5, 0.25, 0.25], cover_edges=False)
    summary, _ = run_verb("extract", images_dir=tmp_path, image_glob="Image_*.tif",
                          label_glob="Label_*.tif", grid=tmp_path / "g.gpkg",
                          output_dir=tmp_path / "ds2", patch_size=32)
    assert summary["patches"] == 8   # the mosaic's 2×4 cells, 2×2 in each image


def test_edited_grid_is_honoured(tmp_path):
    image, labels = scene(tmp_path, 96, 96, bands=1)
    run_verb("grid", image=image, output=tmp_path / "g.gpkg", patch_size=32)
    grid = read_grid(tmp_path / "g.gpkg")
    grid = grid[grid["id"] != 4].copy()             # a user deletes a cell in QGIS
    grid["split"] = ["train"] * 6 + ["validation", "test"]
    grid.to_file(tmp_path / "edited.gpkg", layer="grid")
    summary, _ = run_verb("extract", image=image, labels=labels, grid=tmp_path / "edited.gpkg",
                          output_dir=tmp_path / "ds", patch_size=32)
    assert summary["splits"] == {"train": 6, "validation": 1, "test": 1}
    assert not any(p.stem.endswith("_000004") for p, _ in all_patches(tmp_path / "ds"))


def bad_case(tmp_path, case):
    image, labels = scene(tmp_path, 64, 64, bands=2)
    job = {"image": image, "labels": labels, "output_dir": tmp_path / "ds", "patch_size": 32,
           "ratios": [0.5, 0.25, 0.25]}
    if case == "crs_mismatch":
        write_raster(tmp_path / "other.tif", np.ones((1, 64, 64), np.uint8), crs="EPSG:32633")
        run_verb("grid", image=tmp_path / "other.tif", output=tmp_path / "g.gpkg", patch_size=32)
        job["grid"] = tmp_path / "g.gpkg"
    elif case == "grid_outside":
        write_raster(tmp_path / "far.tif", np.ones((1, 64, 64), np.uint8),
                     transform=from_origin(ORIGIN[0] + 5000, ORIGIN[1], 10, 10))
        run_verb("grid", image=tmp_path / "far.tif", output=tmp_path / "g.gpkg", patch_size=32)
        job["grid"] = tmp_path / "g.gpkg"
    elif case == "unknown_labels":
        job["classes"] = CLASSES[:2]
    elif case == "too_small":
        job["patch_size"] = 128
    elif case == "all_nodata":
        job["image"] = write_raster(tmp_path / "z.tif", np.zeros((2, 64, 64), np.uint16),
                                    nodata=0)
    elif case == "pixel_size":
        write_raster(tmp_path / "coarse.tif", np.ones((1, 32, 32), np.uint8),
                     transform=from_origin(*ORIGIN, 20, 20))
        job.update(labels=tmp_path / "coarse.tif", label_resampling="refuse")
    elif case == "missing_labels":
        job["labels"] = tmp_path / "nope.tif"
    elif case == "dataset_exists":
        (tmp_path / "ds").mkdir()
        (tmp_path / "ds" / "dataset.json").write_text("{}")
    elif case == "output_not_empty":
        (tmp_path / "ds").mkdir()
        (tmp_path / "ds" / "notes.txt").write_text("mine")
    elif case == "empty_split":
        job["ratios"] = [0.0, 0.5, 0.5]
    elif case == "empty_test":
        job["ratios"] = [0.9, 0.1, 0.01]
    elif case == "unmatched":
        del job["image"], job["labels"]
        (tmp_path / "Image_x.tif").write_bytes(image.read_bytes())
        job.update(images_dir=tmp_path, image_glob="Image_*.tif", label_glob="Label_*.tif")
    elif case == "colour_without_classes":
        job["labels"] = write_raster(tmp_path / "rgb.tif", np.zeros((3, 64, 64), np.uint8))
    elif case == "bad_bands":
        job["bands"] = [1, 5]
    return job


@pytest.mark.parametrize(("case", "code"), [
    ("crs_mismatch", "crs_mismatch"), ("grid_outside", "grid_outside"),
    ("unknown_labels", "unknown_labels"), ("too_small", "raster_too_small"),
    ("all_nodata", "no_cells"), ("pixel_size", "label_grid_mismatch"),
    ("missing_labels", "invalid_job"), ("dataset_exists", "dataset_exists"),
    ("output_not_empty", "output_not_empty"), ("empty_split", "empty_split"),
    ("empty_test", "empty_split"), ("unmatched", "unmatched_images"),
    ("colour_without_classes", "missing_classes"), ("bad_bands", "bad_bands"),
])
def test_bad_inputs(tmp_path, case, code):
    job = bad_case(tmp_path, case)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert error_code("extract", **job) == code
    assert sorted(p.name for p in tmp_path.iterdir()) == before   # nothing written


def test_unknown_labels_can_be_ignored(tmp_path):
    job = bad_case(tmp_path, "unknown_labels")
    summary, _ = run_verb("extract", **job, unknown_labels="ignore", workers=1)
    assert summary["patches"] == 4 and set(summary["classes"]) == {"water", "forest"}


def test_interrupted_extraction_leaves_no_dataset(tmp_path):
    image, labels = scene(tmp_path, 1200, 1200, bands=4)
    proc = subprocess.Popen([sys.executable, "-m", "satseg_engine", "extract", "--image",
                             str(image), "--labels", str(labels), "--output-dir",
                             str(tmp_path / "ds"), "--patch-size", "16", "--workers", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout:
        event = json.loads(line)
        if event["type"] == "progress" and event["stage"] == "extract":
            break
    proc.send_signal(signal.SIGTERM)
    rest = [json.loads(line) for line in proc.stdout]
    assert proc.wait(timeout=30) == 130
    assert rest[-1]["type"] == "error" and rest[-1]["code"] == "cancelled"
    time.sleep(0.2)
    assert not (tmp_path / "ds").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".ds")] == []
