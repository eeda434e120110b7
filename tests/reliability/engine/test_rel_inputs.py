"""Reliability matrix, inputs: bad rasters, labels and grids through `satseg grid` / `extract`."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rasterio
from factory import grid_variant, reprojected, shifted, truncated_tiff, variant, vector
from harness import Snapshot, check_done, check_refused, no_temporaries, run_cli
from scenarios import cases_of, registry
from world import PATCH

SCENARIOS, scenario = registry()


def grid_run(tmp_path, image, *more):
    snap = Snapshot.take([tmp_path])
    out = tmp_path / "out.gpkg"
    result = run_cli("grid", "--image", image, "--output", out, "--patch-size", PATCH, *more)
    return result, snap, out


def extract_run(world, tmp_path, *, image=None, labels=None, grid=None, more=()):
    snap = Snapshot.take([tmp_path])
    out = tmp_path / "dataset"
    args = ["--image", image or world.scene, "--labels", labels or world.labels,
            "--output-dir", out, "--patch-size", PATCH, "--workers", 1, *more]
    if grid is not False:
        args += ["--grid", grid or world.grid]
    return run_cli("extract", *args), snap, out


def refused_grid(case, tmp_path, image, *more):
    result, snap, out = grid_run(tmp_path, image, *more)
    error = check_refused(result, case.code, snap)
    assert not out.exists()
    return error


def refused_extract(case, world, tmp_path, **kwargs):
    result, snap, out = extract_run(world, tmp_path, **kwargs)
    error = check_refused(result, case.code, snap)
    assert not out.exists(), "no dataset under the final name"
    no_temporaries(tmp_path)
    return error


# -- rasters ----------------------------------------------------------------------------------

@scenario
def raster_not_a_raster(case, world, tmp_path):
    fake = tmp_path / "scene.tif"
    fake.write_text("not a raster\n")
    error = refused_grid(case, tmp_path, fake)
    assert "scene.tif" in error["message"]


@scenario
def raster_truncated(case, world, tmp_path):
    image = truncated_tiff(world.scene, tmp_path / "cut.tif")
    with rasterio.open(image) as src:  # the damage shows only when the far tiles are read
        src.read(window=((0, 16), (0, 16)))
    error = refused_extract(case, world, tmp_path, image=image)
    assert "cut.tif" in error["message"]


@scenario
def raster_no_crs(case, world, tmp_path):
    image = variant(world.scene, tmp_path / "nocrs.tif", crs=None)
    refused_grid(case, tmp_path, image)


@scenario
def raster_geographic_crs(case, world, tmp_path):
    transform = rasterio.transform.from_origin(9.0, 45.0, 0.0001, 0.0001)
    image = variant(world.scene, tmp_path / "degrees.tif", crs="EPSG:4326", transform=transform)
    error = refused_grid(case, tmp_path, image)
    assert "gdalwarp" in error["hint"]


@scenario
def raster_rotated(case, world, tmp_path):
    transform = rasterio.Affine(10.0, 2.0, 499000.0, 2.0, -10.0, 4650000.0)
    image = variant(world.scene, tmp_path / "rotated.tif", transform=transform)
    refused_grid(case, tmp_path, image)


@scenario
def raster_all_nodata(case, world, tmp_path):
    image = variant(world.scene, tmp_path / "empty.tif", lambda d: np.zeros_like(d))
    refused_grid(case, tmp_path, image)


@scenario
def raster_nan_inf(case, world, tmp_path):
    def spoil(data):
        data = data.astype("float32")
        data[0, :20, :20] = np.nan
        data[1, 40:60, 40:60] = np.inf
        data[2, 80:90, :] = -np.inf
        return data

    image = variant(world.scene, tmp_path / "float.tif", spoil, nodata=None)
    result, _, out = extract_run(world, tmp_path, image=image)
    check_done(result)
    stats = json.loads((out / "dataset.json").read_text())["statistics"]["bands"]
    numbers = [v for band in stats for v in band.values() if isinstance(v, (int, float))]
    assert numbers and all(np.isfinite(numbers)), stats


@scenario
def raster_smaller_than_patch(case, world, tmp_path):
    image = variant(world.scene, tmp_path / "tiny.tif", lambda d: d[:, :20, :20])
    error = refused_grid(case, tmp_path, image)
    assert str(PATCH) in error["message"]


# -- labels -----------------------------------------------------------------------------------

@scenario
def labels_other_crs(case, world, tmp_path):
    labels = reprojected(world.labels, tmp_path / "labels_3857.tif", "EPSG:3857")
    result, _, out = extract_run(world, tmp_path, labels=labels)
    check_done(result)
    assert any("warp" in w for w in result.warnings()), result.warnings()
    assert (out / "dataset.json").is_file()


@scenario
def labels_no_overlap(case, world, tmp_path):
    labels = variant(world.labels, tmp_path / "far.tif",
                     transform=shifted(rasterio.open(world.labels).transform, 1e5, 1e5))
    refused_extract(case, world, tmp_path, labels=labels)


@scenario
def labels_outside_table(case, world, tmp_path):
    classes = json.dumps([{"value": 1, "name": "water"}, {"value": 2, "name": "forest"}])
    error = refused_extract(case, world, tmp_path, more=("--classes", classes))
    assert "unknown_labels" in error["hint"] or "class" in error["hint"]


@scenario
def labels_float(case, world, tmp_path):
    labels = variant(world.labels, tmp_path / "float_labels.tif",
                     lambda d: d.astype("float32") + 0.5, nodata=None)
    refused_extract(case, world, tmp_path, labels=labels)


@scenario
def labels_invalid_geometries(case, world, tmp_path):
    from shapely.geometry import Polygon

    x0, y0 = 499000.0, 4650000.0 - 1280.0
    bowtie = Polygon([(x0, y0), (x0 + 1280, y0 + 1280), (x0 + 1280, y0), (x0, y0 + 1280)])
    square = Polygon([(x0, y0), (x0 + 640, y0), (x0 + 640, y0 + 640), (x0, y0 + 640)])
    labels = vector(tmp_path / "bowtie.gpkg", [bowtie, square], "EPSG:32632",
                    **{"class": [1, 2]})
    result, _, _ = extract_run(world, tmp_path, labels=labels)
    classes = check_done(result)["classes"]
    assert set(classes) == {"class_1", "class_2"} and all(classes.values()), classes


@scenario
def labels_empty_layer(case, world, tmp_path):
    labels = vector(tmp_path / "empty.gpkg", [], "EPSG:32632", **{"class": []})
    refused_extract(case, world, tmp_path, labels=labels)


@scenario
def labels_missing_field(case, world, tmp_path):
    error = refused_extract(case, world, tmp_path, labels=world.vector,
                            more=("--label-field", "nature"))
    assert "nature" in error["message"]


@scenario
def labels_unknown_colours(case, world, tmp_path):
    def colours(data):
        value = data[0].astype(int)
        rgb = np.zeros((3, *value.shape), np.uint8)
        rgb[0] = (value * 40) % 256
        rgb[1] = (value * 90) % 256
        rgb[2] = 7
        return rgb

    labels = variant(world.labels, tmp_path / "mask.tif", colours, nodata=None)
    classes = json.dumps([{"value": 1, "name": "water", "colour": "#0000ff"}])
    refused_extract(case, world, tmp_path, labels=labels,
                    more=("--label-kind", "colour", "--classes", classes))


# -- grids ------------------------------------------------------------------------------------

@scenario
def grid_other_crs(case, world, tmp_path):
    grid = grid_variant(world.grid, tmp_path / "grid_3857.gpkg", lambda f: f.to_crs(3857))
    refused_extract(case, world, tmp_path, grid=grid)


@scenario
def grid_not_square_cells(case, world, tmp_path):
    from shapely import affinity

    def squash(frame):
        frame = frame.copy()
        frame["geometry"] = [affinity.scale(g, 1.0, 0.5, origin="center")
                             for g in frame.geometry]
        return frame

    grid = grid_variant(world.grid, tmp_path / "squashed.gpkg", squash)
    refused_extract(case, world, tmp_path, grid=grid)


@scenario
def grid_no_overlap(case, world, tmp_path):
    from shapely import affinity

    def away(frame):
        frame = frame.copy()
        frame["geometry"] = [affinity.translate(g, 1e5, 1e5) for g in frame.geometry]
        return frame

    grid = grid_variant(world.grid, tmp_path / "away.gpkg", away)
    refused_extract(case, world, tmp_path, grid=grid)


@scenario
def grid_split_too_small(case, world, tmp_path):
    """The README's example: `sample` (1024² px), `grid --split-method blocks`, `extract`. With
    128-px cells every split gets cells without a word; with 256-px cells (16 cells, so few
    that the buffer around validation and test eats the train split) and with one block for
    the whole scene, a warning at grid time names the fix."""
    sample = tmp_path / "data"
    check_done(run_cli("sample", "--output-dir", sample, "--bands", 3))
    image, labels = sample / "scene.tif", sample / "labels.tif"

    def grid(name, *more):
        return run_cli("grid", "--image", image, "--labels", labels, "--output",
                       tmp_path / name, "--split-method", "blocks", *more)

    result = grid("grid.gpkg", "--patch-size", 128)
    splits = check_done(result)["splits"]
    assert splits["train"] >= 16 and splits["validation"] >= 8 and splits["test"] >= 8, splits
    assert not [w for w in result.warnings() if "split" in w], result.warnings()
    result = run_cli("extract", "--image", image, "--labels", labels, "--grid",
                     tmp_path / "grid.gpkg", "--output-dir", tmp_path / "ds", "--workers", 1)
    assert all(n > 0 for n in check_done(result)["splits"].values())
    for more, split in ((("--patch-size", 256), "train"),
                        (("--patch-size", 256, "--block-size", 4), "validation")):
        result = grid(f"grid{len(more)}.gpkg", *more)
        check_done(result)
        warned = [w for w in result.warnings() if f"the {split} split" in w]
        assert warned and "--block-size" in warned[0] and "--patch-size" in warned[0], \
            result.warnings()


@pytest.mark.parametrize("case", cases_of(SCENARIOS), ids=lambda c: c.id)
def test_case(case, world, tmp_path):
    SCENARIOS[case.id](case, world, tmp_path)
