"""`satseg grid` on real GeoTIFFs: snapping, coverage, areas in other CRSs, filters, errors."""

from __future__ import annotations

import json

import numpy as np
import pyogrio
import pytest
import shapely
from raster_factory import (
    CRS,
    ORIGIN,
    error_code,
    polygons,
    read_grid,
    run_verb,
    scene,
    write_raster,
)
from rasterio.transform import Affine, from_origin
from rasterio.warp import transform_bounds, transform_geom


@pytest.mark.parametrize(("height", "width", "size", "overlap", "xres", "yres"), [
    (131, 257, 32, 0, 10, 10),
    (100, 101, 40, 8, 10, 10),
    (97, 75, 16, 0, 20, 5),       # non-square pixels: cells are 16×16 pixels, 320 m × 80 m
    (64, 64, 64, 0, 0.5, 0.5),
])
def test_cells_are_whole_pixels_and_cover_the_raster(tmp_path, height, width, size, overlap,
                                                     xres, yres):
    data = np.ones((1, height, width), dtype=np.uint8)
    write_raster(tmp_path / "r.tif", data, transform=from_origin(*ORIGIN, xres, yres))
    summary, events = run_verb("grid", image=tmp_path / "r.tif", output=tmp_path / "g.gpkg",
                               patch_size=size, overlap=overlap, split_method="none")
    grid = read_grid(tmp_path / "g.gpkg")
    assert summary["cells"] == len(grid) and grid["id"].is_unique
    assert grid.crs.to_epsg() == 32632
    for geom, row, col in zip(grid.geometry, grid["row_off"], grid["col_off"], strict=True):
        xmin, ymin, xmax, ymax = geom.bounds
        assert xmax - xmin == pytest.approx(size * xres) and ymax - ymin == pytest.approx(
            size * yres)
        assert (xmin - ORIGIN[0]) / xres == pytest.approx(col)   # on the pixel grid, no
        assert (ORIGIN[1] - ymax) / yres == pytest.approx(row)   # half-pixel shift
        assert 0 <= row <= height - size and 0 <= col <= width - size
    raster = shapely.box(ORIGIN[0], ORIGIN[1] - height * yres, ORIGIN[0] + width * xres,
                         ORIGIN[1])
    assert shapely.union_all(grid.geometry.values).equals(raster)  # covered, nothing outside
    assert set(grid["size"]) == {size} and set(grid["split"]) == {""}
    meta = json.loads(pyogrio.read_info(tmp_path / "g.gpkg", layer="grid")["layer_metadata"]
                      ["DESCRIPTION"])
    assert meta["patch_size"] == size and meta["stride"] == size - overlap
    assert any(e["type"] == "artifact" and e["kind"] == "vector" for e in events)


def test_extent_in_another_crs(tmp_path):
    image, _ = scene(tmp_path, 200, 200, bands=1)
    # pixel rows 50..110, cols 40..130 of the raster, given in WGS84
    box = (ORIGIN[0] + 400, ORIGIN[1] - 1100, ORIGIN[0] + 1300, ORIGIN[1] - 500)
    extent = transform_bounds(CRS, "EPSG:4326", *box)
    run_verb("grid", image=image, output=tmp_path / "g.gpkg", patch_size=20,
             extent=list(extent), extent_crs="EPSG:4326", split_method="none")
    grid = read_grid(tmp_path / "g.gpkg")
    cells = shapely.union_all(grid.geometry.values)
    assert cells.contains(shapely.box(*box))          # the requested area is covered
    assert shapely.box(*box).buffer(30).contains(cells)  # ... and little more (WGS84 round trip)
    assert set(grid["size"]) == {20}


def test_aoi_in_another_crs_keeps_cells_that_intersect_it(tmp_path):
    image, _ = scene(tmp_path, 100, 100, bands=1)
    triangle = shapely.Polygon([(ORIGIN[0] + 10, ORIGIN[1] - 10), (ORIGIN[0] + 975,
                                ORIGIN[1] - 10), (ORIGIN[0] + 10, ORIGIN[1] - 975)])
    in_3857 = shapely.geometry.shape(transform_geom(CRS, "EPSG:3857", triangle))
    polygons(tmp_path / "aoi.gpkg", [in_3857], crs="EPSG:3857")
    run_verb("grid", image=image, output=tmp_path / "g.gpkg", patch_size=25, aoi=tmp_path /
             "aoi.gpkg", split_method="none")
    grid = read_grid(tmp_path / "g.gpkg")
    # the AOI's bounding box is pixels 1..98: a 4×4 lattice anchored at pixel 1; cells beyond
    # the hypotenuse are left out, every kept cell overlaps the triangle (not just touches it)
    assert min(grid["row_off"]) == 1 and min(grid["col_off"]) == 1
    assert 6 <= len(grid) < 16
    assert all(g.intersection(triangle).area > 0 for g in grid.geometry)
    assert not any((r >= 50) & (c >= 50) for r, c in zip(grid["row_off"], grid["col_off"],
                                                           strict=True))


def test_attribute_split_from_aoi(tmp_path):
    image, _ = scene(tmp_path, 100, 100, bands=1)
    x0, y0 = ORIGIN
    halves = [shapely.box(x0, y0 - 1000, x0 + 500, y0), shapely.box(x0 + 500, y0 - 1000,
                                                                       x0 + 1000, y0)]
    polygons(tmp_path / "aoi.gpkg", halves, split=["train", "val"])
    run_verb("grid", image=image, output=tmp_path / "g.gpkg", patch_size=25,
             aoi=tmp_path / "aoi.gpkg", split_method="attribute")
    grid = read_grid(tmp_path / "g.gpkg")
    assert all((s == "train") == (c < 50) for s, c in zip(grid["split"], grid["col_off"],
                                                          strict=True))
    assert set(grid["split"]) == {"train", "validation"}


def test_nodata_and_labelled_fractions_filter_cells(tmp_path):
    image, labels = scene(tmp_path, 80, 80, bands=2, nodata_rows=30)  # top cells 3/4 nodata
    run_verb("grid", image=image, output=tmp_path / "g.gpkg", patch_size=40, labels=labels,
             max_nodata_frac=0.8, split_method="random")
    grid = read_grid(tmp_path / "g.gpkg").sort_values("id")
    assert list(grid["valid_frac"]) == pytest.approx([0.25, 0.25, 1, 1])
    # labelled = valid image and a class (1 in 4 label values is 0 = unlabelled)
    assert [f / v for f, v in zip(grid["labelled_frac"], grid["valid_frac"], strict=True)] \
        == pytest.approx([0.75] * 4, abs=0.05)
    run_verb("grid", image=image, output=tmp_path / "g.gpkg", patch_size=40, labels=labels,
             overwrite=True, max_nodata_frac=0.5)
    assert list(read_grid(tmp_path / "g.gpkg")["row_off"]) == [40, 40]
    summary, _ = run_verb("grid", image=image, output=tmp_path / "g.gpkg", patch_size=40,
                          labels=labels, overwrite=True, max_nodata_frac=1,
                          min_labelled_frac=0.5)
    assert summary["cells"] == 2 and summary["dropped_unlabelled"] == 2


def test_blocks_split_in_the_grid_file_keeps_train_apart(tmp_path):
    image, _ = scene(tmp_path, 200, 240, bands=1)
    run_verb("grid", image=image, output=tmp_path / "g.gpkg", patch_size=10,
             split_method="blocks", block_size=3, seed=3)
    grid = read_grid(tmp_path / "g.gpkg")
    train = shapely.union_all(grid[grid["split"] == "train"].geometry.values)
    held = grid[grid["split"].isin(["validation", "test"])]
    assert len(held) and not train.is_empty
    assert not any(train.intersects(g) for g in held.geometry)


def rotated(tmp_path):
    t = Affine(10, 2, ORIGIN[0], 2, -10, ORIGIN[1])
    return write_raster(tmp_path / "rot.tif", np.ones((1, 80, 80), np.uint8), transform=t)


@pytest.mark.parametrize(("case", "code"), [
    ("rotated", "rotated_raster"),
    ("no_crs", "no_crs"),
    ("too_small", "raster_too_small"),
    ("extent_outside", "grid_outside"),
    ("aoi_outside", "grid_outside"),
    ("aoi_without_crs", "no_crs"),
    ("all_nodata", "no_cells"),
    ("output_exists", "output_exists"),
    ("missing_image", "invalid_job"),
    ("overlap_too_big", "invalid_job"),
])
def test_bad_inputs(tmp_path, case, code):
    image, _ = scene(tmp_path, 60, 60, bands=1)
    job = {"image": image, "output": tmp_path / "g.gpkg", "patch_size": 20}
    far = shapely.box(0, 0, 10, 10)
    if case == "rotated":
        job["image"] = rotated(tmp_path)
    elif case == "no_crs":
        job["image"] = write_raster(tmp_path / "n.tif", np.ones((1, 40, 40), np.uint8), crs=None)
    elif case == "too_small":
        job["patch_size"] = 64
    elif case == "extent_outside":
        job["extent"] = [0, 0, 10, 10]
    elif case == "aoi_outside":
        job["aoi"] = polygons(tmp_path / "aoi.gpkg", [far])
    elif case == "aoi_without_crs":
        job["aoi"] = tmp_path / "aoi.geojson"
        job["aoi"].write_text(json.dumps({"type": "FeatureCollection", "crs": None, "features": [
            {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(far)}]}))
        job["aoi"] = polygons(tmp_path / "aoi.gpkg", [far], crs=None)
    elif case == "all_nodata":
        job["image"] = write_raster(tmp_path / "z.tif", np.zeros((1, 40, 40), np.uint16),
                                    nodata=0)
    elif case == "output_exists":
        (tmp_path / "g.gpkg").write_text("x")
    elif case == "missing_image":
        job["image"] = tmp_path / "nope.tif"
    elif case == "overlap_too_big":
        job["overlap"] = 20
    assert error_code("grid", **job) == code
    if case != "output_exists":
        assert not (tmp_path / "g.gpkg").exists()


def test_too_small_message_names_sizes_and_fix(tmp_path):
    image, _ = scene(tmp_path, 50, 70, bands=1)
    with pytest.raises(Exception) as info:
        run_verb("grid", image=image, output=tmp_path / "g.gpkg", patch_size=64)
    assert "70×50" in info.value.message and "at most 50" in info.value.hint


def rare_class_scene(tmp_path, spots):
    """A 200² image and labels of classes 1 and 2 with class 3 ("road") in 6×6-pixel spots at
    the listed (row, column) pixel corners."""
    rng = np.random.default_rng(0)
    image = rng.integers(1, 10_000, (2, 200, 200)).astype(np.uint16)
    label = rng.choice(np.array((1, 2), dtype=np.uint8), (200, 200))
    for row, col in spots:
        label[row:row + 6, col:col + 6] = 3
    return (write_raster(tmp_path / "scene.tif", image, nodata=0),
            write_raster(tmp_path / "labels.tif", label, nodata=0))


def split_classes(grid_path, labels):
    """{split: the class values its cells hold}, read from the label raster."""
    import rasterio

    out: dict[str, set[int]] = {}
    with rasterio.open(labels) as src:
        data = src.read(1)
    for split, row, col, size in zip(*(read_grid(grid_path)[k] for k in (
            "split", "row_off", "col_off", "size")), strict=True):
        out.setdefault(split, set()).update(np.unique(data[row:row + size, col:col + size]))
    return out


def test_blocks_split_deals_a_rare_class_into_validation_and_test(tmp_path):
    image, labels = rare_class_scene(tmp_path, [(22, 22), (72, 152), (122, 42), (162, 162)])
    summary, events = run_verb("grid", image=image, labels=labels, output=tmp_path / "g.gpkg",
                               patch_size=10, split_method="blocks", block_size=2, seed=3,
                               ratios=[0.6, 0.2, 0.2])
    held = split_classes(tmp_path / "g.gpkg", labels)
    assert all(3 in held[split] for split in ("train", "validation", "test"))
    assert summary["missing_classes"] == {}
    assert not [e for e in events if e.get("level") == "warning" and "pixels of" in
                e["message"]]


def test_a_class_too_rare_to_split_is_named_in_a_warning(tmp_path):
    image, labels = rare_class_scene(tmp_path, [(92, 92)])
    summary, events = run_verb("grid", image=image, labels=labels, output=tmp_path / "g.gpkg",
                               patch_size=10, split_method="blocks", block_size=2, seed=3,
                               ratios=[0.8, 0.2, 0.0])
    assert 3 in split_classes(tmp_path / "g.gpkg", labels)["train"]
    assert summary["missing_classes"] == {"validation": ["class_3"]}  # no class table: value
    warning = [e["message"] for e in events if e.get("level") == "warning" and "pixels of"
               in e["message"]]
    assert len(warning) == 1 and "validation split holds few or no pixels of class_3" in warning[0]
    assert "--block-size" in warning[0]
