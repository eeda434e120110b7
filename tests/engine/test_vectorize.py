"""`satseg vectorize`: hand-built class rasters (real GeoTIFFs) with shapes whose areas, pixel
counts and confidences are known, polygonised block by block into real GeoPackages."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from raster_factory import CRS, ORIGIN, error_code, run_verb, write_raster
from rasterio import features
from scipy import ndimage

from satseg_engine.core.errors import JobError

PIXEL_AREA = 100.0  # 10 m pixels
CLASSES = [{"value": 1, "name": "water", "colour": "#1f78b4"},
           {"value": 2, "name": "forest", "colour": "#33a02c"},
           {"value": 3, "name": "urban", "colour": "#e31a1c"}]
TAGS = {"satseg_classes": json.dumps(CLASSES)}


def class_raster(path: Path, data: np.ndarray, nodata: int | None = 255) -> Path:
    return write_raster(path, data.astype(np.uint8), nodata=nodata, tags=TAGS)


def vectorize(raster: Path, out: Path, **job) -> tuple[gpd.GeoDataFrame, dict, list[dict]]:
    summary, events = run_verb("vectorize", raster=raster, output=out, **job)
    return gpd.read_file(out, layer="polygons"), summary, events


def blocky(shape: tuple[int, int], seed: int, speckle: float = 0.03) -> np.ndarray:
    """Classes 1–3 in 6-px squares with single-pixel specks."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(1, 4, (shape[0] // 6 + 1, shape[1] // 6 + 1))
    data = np.kron(coarse, np.ones((6, 6), dtype=np.int64))[:shape[0], :shape[1]]
    specks = rng.random(shape) < speckle
    data[specks] = rng.integers(1, 4, int(specks.sum()))
    return data.astype(np.uint8)


def rows(frame: gpd.GeoDataFrame, *columns: str) -> list[tuple]:
    return sorted(frame[list(columns)].itertuples(index=False, name=None))


def key(frame: gpd.GeoDataFrame) -> list[tuple]:
    """Features as comparable tuples: class, pixels, normalised geometry."""
    return sorted((int(r.class_value), int(r.pixels), shapely.normalize(r.geometry).wkt)
                  for r in frame.itertuples())


def test_a_rectangle_has_its_pixel_count_area_name_and_colour(tmp_path):
    data = np.ones((20, 20))
    data[4:7, 5:10] = 2  # 3 rows × 5 columns
    frame, summary, _ = vectorize(class_raster(tmp_path / "c.tif", data), tmp_path / "p.gpkg")
    assert len(frame) == 2
    rect = frame[frame.class_value == 2].iloc[0]
    assert (rect.pixels, rect.area, rect.class_name, rect.colour) == (15, 1500.0, "forest",
                                                                       "#33a02c")
    assert rect.geometry.area == pytest.approx(1500.0)
    x0, y0 = ORIGIN
    assert rect.geometry.bounds == (x0 + 50, y0 - 70, x0 + 100, y0 - 40)
    background = frame[frame.class_value == 1].iloc[0]
    assert (background.pixels, background.area) == (385, 38500.0)
    assert len(background.geometry.interiors) == 1
    assert frame.crs == CRS
    per_class = {c["name"]: (c["features"], c["area"]) for c in summary["classes"]}
    assert per_class == {"water": (1, 38500.0), "forest": (1, 1500.0)}
    assert np.isnan(rect.mean_confidence)  # no confidence raster given


@pytest.mark.parametrize(("min_size", "features_left"), [(3, 1), (2, 2)])
def test_a_two_pixel_speck_is_sieved_into_its_surroundings(tmp_path, min_size, features_left):
    data = np.ones((20, 20))
    data[10, 10:12] = 3
    frame, _, _ = vectorize(class_raster(tmp_path / "c.tif", data), tmp_path / "p.gpkg",
                            min_size=min_size)
    assert len(frame) == features_left
    if features_left == 1:
        only = frame.iloc[0]
        assert (only.class_value, only.pixels, only.area) == (1, 400, 40000.0)
        assert len(only.geometry.interiors) == 0


def test_a_polygon_across_block_seams_is_one_feature_with_the_exact_area(tmp_path):
    data = np.ones((40, 40))
    data[5:36, 5:9] = 2     # left arm, 31 × 4
    data[5:36, 30:35] = 2   # right arm, 31 × 5: its top pieces meet the left arm's only
    data[30:36, 9:30] = 2   # through the bottom bar (6 × 21), two block rows further down
    frame, summary, _ = vectorize(class_raster(tmp_path / "c.tif", data), tmp_path / "p.gpkg",
                                  block_size=16)
    assert summary["blocks"] == 9
    u_shape = frame[frame.class_value == 2]
    assert len(u_shape) == 1
    expected = 31 * 4 + 31 * 5 + 6 * 21
    assert u_shape.iloc[0].pixels == expected
    assert u_shape.iloc[0].geometry.geom_type == "Polygon"
    assert u_shape.iloc[0].geometry.area == pytest.approx(expected * PIXEL_AREA)
    background = frame[frame.class_value == 1]
    assert len(background) == 1 and background.iloc[0].pixels == 1600 - expected
    assert all(frame.geometry.is_valid)


def test_blocks_give_exactly_the_polygons_of_a_whole_raster_polygonisation(tmp_path):
    data = blocky((70, 90), seed=1)
    data[:9, :13] = 255
    raster = class_raster(tmp_path / "c.tif", data)
    frame, _, _ = vectorize(raster, tmp_path / "p.gpkg", block_size=16)
    with rasterio.open(raster) as src:
        whole = [(int(v), shapely.geometry.shape(g)) for g, v in features.shapes(
            data, mask=data != 255, connectivity=4, transform=src.transform)]
    expected = sorted((v, round(g.area / PIXEL_AREA), shapely.normalize(g).wkt)
                      for v, g in whole)
    assert key(frame) == expected


def test_smoothing_is_the_same_by_blocks_and_keeps_polygons_edge_to_edge(tmp_path):
    data = blocky((64, 64), seed=2, speckle=0.1)
    raster = class_raster(tmp_path / "c.tif", data)
    small, _, _ = vectorize(raster, tmp_path / "a.gpkg", block_size=16, smooth=3, min_size=4)
    large, _, _ = vectorize(raster, tmp_path / "b.gpkg", block_size=4096, smooth=3,
                            min_size=4)
    assert key(small) == key(large)
    assert len(small) < len(list(features.shapes(data, connectivity=4)))
    total = 64 * 64 * PIXEL_AREA  # no gaps, no overlaps: areas add up to the union's
    assert small.area.sum() == pytest.approx(total)
    assert shapely.union_all(small.geometry.values).area == pytest.approx(total)


def test_a_one_pixel_notch_is_smoothed_away(tmp_path):
    data = np.ones((20, 20))
    data[:, 10:] = 2
    data[7, 9] = 2  # a notch of class 2 into class 1
    frame, _, _ = vectorize(class_raster(tmp_path / "c.tif", data), tmp_path / "p.gpkg",
                            smooth=3)
    assert rows(frame, "class_value", "pixels") == [(1, 200), (2, 200)]


def test_sieving_by_blocks_differs_from_a_whole_raster_sieve_only_inside_small_segments(
        tmp_path):
    data = blocky((80, 80), seed=3, speckle=0.05)
    raster = class_raster(tmp_path / "c.tif", data, nodata=None)
    frame, _, _ = vectorize(raster, tmp_path / "p.gpkg", block_size=16, min_size=5)
    with rasterio.open(raster) as src:
        ours = features.rasterize(zip(frame.geometry, frame.class_value, strict=True),
                                  out_shape=data.shape, transform=src.transform)
    whole = features.sieve(data, 5, connectivity=4)
    small = np.zeros(data.shape, dtype=bool)
    for value in (1, 2, 3):
        labels, _ = ndimage.label(data == value)
        sizes = np.bincount(labels.ravel())
        small |= (labels > 0) & (sizes[labels] < 5)
    assert (ours != whole).sum() <= small.sum()
    assert not ((ours != whole) & ~small).any()
    assert (ours == whole).mean() > 0.99


def test_mean_confidence_of_a_polygon_is_the_mean_of_its_pixels(tmp_path):
    data = np.ones((20, 20))
    data[4:7, 5:10] = 2
    confidence = np.full((20, 20), 0.9, dtype=np.float32)
    confidence[4, 5:10], confidence[5, 5:10], confidence[6, 5:10] = 0.6, 0.7, 0.8
    confidence[6, 9] = -1  # nodata: left out of the mean
    raster = class_raster(tmp_path / "c.tif", data)
    conf = write_raster(tmp_path / "conf.tif", confidence, nodata=-1)
    frame, _, _ = vectorize(raster, tmp_path / "p.gpkg", confidence=conf)
    rect = frame[frame.class_value == 2].iloc[0]
    assert rect.mean_confidence == pytest.approx((5 * 0.6 + 5 * 0.7 + 4 * 0.8) / 14, abs=1e-6)
    assert rect.pixels == 15
    assert frame[frame.class_value == 1].iloc[0].mean_confidence == pytest.approx(0.9)


def test_nodata_is_not_polygonised(tmp_path):
    data = np.ones((30, 30))
    data[10:20, 15:] = 2
    data[:6, :6] = 255
    data[12:14, 12:14] = 255
    raster = class_raster(tmp_path / "c.tif", data)
    frame, summary, _ = vectorize(raster, tmp_path / "p.gpkg", block_size=16)
    valid = 900 - 36 - 4
    assert frame.pixels.sum() == valid and summary["area"] == valid * PIXEL_AREA
    x0, y0 = ORIGIN
    for row, col in ((0, 0), (5, 5), (12, 12), (13, 13)):
        centre = shapely.Point(x0 + 10 * col + 5, y0 - 10 * row - 5)
        assert not frame.geometry.contains(centre).any()


def test_class_names_come_from_a_prediction_or_a_checkpoint(tmp_path):
    import torch
    from prediction_helpers import CLASSES as PREDICTED
    from prediction_helpers import header, run_prediction
    from prediction_helpers import write_raster as write_image

    class ArgmaxBands(torch.nn.Module):
        def forward(self, x):
            return x[:, :3] * 10.0

    image = np.zeros((3, 40, 40), dtype=np.float32)
    image[0, :, :25] = 1.0   # left: water (value 1)
    image[2, :, 25:] = 1.0   # right: urban (value 9)
    raster = write_image(tmp_path / "img.tif", image)
    summary, _ = run_prediction(tmp_path, raster, ArgmaxBands(), header(patch=16))
    classes = Path(summary["outputs"]["classes"])
    confidence = Path(summary["outputs"]["confidence"])
    frame, found, _ = vectorize(classes, tmp_path / "p.gpkg", confidence=confidence)
    named = {p["value"]: (p["name"], p["colour"]) for p in PREDICTED}
    assert rows(frame, "class_value", "class_name", "colour", "pixels") == [
        (1, *named[1], 40 * 25), (9, *named[9], 40 * 15)]
    assert found["classes_from"] == "raster metadata"
    assert frame.mean_confidence.min() > 0.99

    from satseg_engine.models import checkpoint
    from satseg_engine.models import registry as models
    head = header(bands=3, patch=16, classes=[{"value": 1, "name": "lake", "colour": "#000080"},
                                              {"value": 9, "name": "city", "colour": "#808080"}])
    head |= {"architecture": "custom_unet", "encoder": None,
             "model_kwargs": {"depth": 1, "base_width": 4}}
    model = models.build_model("custom_unet", None, 3, 2, head["model_kwargs"])
    saved = checkpoint.save_checkpoint(tmp_path / "model.pt", head, model.state_dict())
    frame, found, _ = vectorize(classes, tmp_path / "q.gpkg", checkpoint=saved)
    assert rows(frame, "class_value", "class_name") == [(1, "lake"), (9, "city")]
    assert found["classes_from"] == "checkpoint"


def test_a_failure_mid_run_leaves_no_file_under_the_final_name(tmp_path):
    data = blocky((512, 512), seed=4)
    raster = tmp_path / "c.tif"
    with rasterio.open(raster, "w", driver="GTiff", width=512, height=512, count=1,
                       dtype="uint8", crs=CRS, transform=rasterio.transform.from_origin(
                           *ORIGIN, 10, 10), tiled=True, blockxsize=64,
                       blockysize=64) as dst:
        dst.write(data, 1)
    raw = raster.read_bytes()
    raster.write_bytes(raw[:len(raw) // 2])  # the lower half of the tiles is gone
    out = tmp_path / "out" / "p.gpkg"
    out.parent.mkdir()
    out.write_text("the previous result")
    assert error_code("vectorize", raster=raster, output=out, block_size=64) == \
        "raster_read_error"
    assert out.read_text() == "the previous result"
    assert sorted(p.name for p in out.parent.iterdir()) == ["p.gpkg"]


def test_bad_inputs_are_refused_before_anything_is_written(tmp_path):
    data = np.ones((20, 20))
    good = class_raster(tmp_path / "c.tif", data)
    three = write_raster(tmp_path / "rgb.tif", np.ones((3, 20, 20), dtype=np.uint8))
    floats = write_raster(tmp_path / "f.tif", np.ones((20, 20), dtype=np.float32))
    shifted = write_raster(tmp_path / "conf.tif", np.ones((20, 21), dtype=np.float32))
    out = tmp_path / "p.gpkg"
    assert error_code("vectorize", raster=three, output=out) == "not_a_class_raster"
    assert error_code("vectorize", raster=floats, output=out) == "not_a_class_raster"
    assert error_code("vectorize", raster=good, output=out,
                      confidence=shifted) == "grid_mismatch"
    for bad, key_name in (({"smooth": 4}, "smooth"), ({"output": tmp_path / "p.shp"}, "output"),
                          ({"min_size": 5000}, "min_size")):
        with pytest.raises(JobError) as caught:
            run_verb("vectorize", **{"raster": good, "output": out, **bad})
        assert caught.value.key == key_name
    assert not out.exists()


def test_the_command_line_reports_blocks_the_artifact_and_counts_per_class(tmp_path, engine):
    data = np.ones((40, 40))
    data[4:7, 5:10] = 2
    data[30, 30] = 3  # one pixel: sieved with --min-size 2
    raster = class_raster(tmp_path / "scene_classes.tif", data)
    run = engine("vectorize", str(raster), "--min-size", "2", "--block-size", "16",
                 "--progress", "json")
    assert run.returncode == 0, run.stderr
    progress = run.of_type("progress")
    assert progress[-1]["stage"] == "vectorize" and progress[-1]["unit"] == "blocks"
    assert progress[-1]["done"] == progress[-1]["total"] == 9
    artifact = run.of_type("artifact")[0]
    assert (artifact["kind"], artifact["role"]) == ("vector", "polygons")
    assert Path(artifact["path"]) == tmp_path / "scene_polygons.gpkg"
    summary = run.terminal["summary"]
    assert [(c["name"], c["features"], c["area"]) for c in summary["classes"]] == [
        ("water", 1, (1600 - 15) * PIXEL_AREA), ("forest", 1, 15 * PIXEL_AREA)]
