"""`satseg predict`: outputs, georeferencing, nodata, extents, errors, atomicity, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rasterio
import torch
from prediction_helpers import (
    CLASSES,
    ConstantLogits,
    CopyBand,
    header,
    read,
    run_prediction,
    write_raster,
)

from satseg_engine.core.errors import Cancelled, SatsegError
from satseg_engine.data import normalization
from satseg_engine.geo.classtable import CLASSES_TAG
from satseg_engine.prediction.normalize import normalize_torch

LOGITS = [0.3, 1.7, -0.4]


def scene(tmp_path, height=80, width=60, bands=3, nodata=0, seed=0, **kw):
    data = np.random.default_rng(seed).integers(1, 3000, (bands, height, width)).astype("uint16")
    return data, write_raster(tmp_path / "scene.tif", data, nodata=nodata, **kw)


def test_outputs_are_georeferenced_like_the_input_and_carry_the_classes(tmp_path):
    _, raster = scene(tmp_path, height=300, width=270)
    summary, events = run_prediction(tmp_path, raster, ConstantLogits(LOGITS), header(),
                                     probabilities=True)
    with rasterio.open(raster) as src:
        for role in ("classes", "confidence", "probabilities"):
            with rasterio.open(summary["outputs"][role]) as out:
                assert (out.crs, out.transform, out.shape) == (src.crs, src.transform, src.shape)
                assert out.block_shapes[0] == (256, 256)
                assert out.compression.name.lower() == "deflate"
    with rasterio.open(summary["outputs"]["classes"]) as out:
        assert out.dtypes[0] == "uint8" and out.nodata == 255
        assert out.colormap(1)[4] == (0x33, 0xA0, 0x2C, 255)
        assert json.loads(out.tags(1)[CLASSES_TAG]) == CLASSES
        assert "4=forest" in out.descriptions[0]
    with rasterio.open(summary["outputs"]["confidence"]) as out:
        assert out.dtypes[0] == "float32" and out.nodata == -1
    with rasterio.open(summary["outputs"]["probabilities"]) as out:
        assert out.count == 3 and out.descriptions[2] == "probability urban"
    roles = {e["role"]: e["kind"] for e in events if e["type"] == "artifact"}
    assert roles == {"classes": "raster", "confidence": "raster", "probabilities": "raster",
                     "summary": "report"}
    # every pixel is forest: 300 × 270 pixels of 10 m × 10 m
    forest = {c["name"]: c for c in summary["classes"]}["forest"]
    assert forest["area"] == pytest.approx(300 * 270 * 100.0)
    assert summary["mean_confidence"] == pytest.approx(float(torch.softmax(
        torch.tensor(LOGITS), 0).max()), abs=1e-6)
    on_disk = json.loads(open(summary["outputs"]["summary"]).read())
    assert on_disk["classes"] == summary["classes"]


def test_nodata_stays_nodata_in_every_output(tmp_path):
    data, _ = scene(tmp_path)
    data[:, 5:20, 7:30] = 0          # every band nodata: not predicted
    data[0, 40:45, 10:15] = 0        # one band nodata only: still a valid pixel (GDAL rule)
    raster = write_raster(tmp_path / "holes.tif", data, nodata=0)
    summary, _ = run_prediction(tmp_path, raster, ConstantLogits(LOGITS), header(),
                                probabilities=True)
    nodata = np.zeros(data.shape[1:], bool)
    nodata[5:20, 7:30] = True
    classes = read(summary["outputs"]["classes"])[0]
    confidence = read(summary["outputs"]["confidence"])[0]
    probabilities = read(summary["outputs"]["probabilities"])
    assert np.array_equal(classes == 255, nodata)
    assert np.array_equal(confidence == -1, nodata)
    assert np.all((probabilities == -1) == nodata[None])
    assert summary["nodata_pixels"] == nodata.sum()
    assert summary["predicted_pixels"] == nodata.size - nodata.sum()


def test_nodata_inputs_are_zero_after_normalisation(tmp_path):
    """The model sees 0 (never the raw nodata value) where the raster is nodata."""
    data = np.full((1, 40, 40), 500, np.uint16)
    data[0, 10:30, 10:30] = 0
    raster = write_raster(tmp_path / "s.tif", data, nodata=0)
    stats = [{"name": "B1", "mean": 1000.0, "std": 100.0}]
    head = header(bands=1, classes=CLASSES[:2], task="binary", method="standardize")
    head["normalization"].update(bands=stats, nodata=0)
    summary, _ = run_prediction(tmp_path, raster, CopyBand(0), head, probabilities=True)
    probabilities = read(summary["outputs"]["probabilities"])[1]
    expected = 1 / (1 + np.exp(-(500 - 1000) / 100))
    assert np.allclose(probabilities[probabilities != -1], expected, atol=1e-6)


def test_band_count_mismatch_is_refused_with_both_counts(tmp_path):
    _, raster = scene(tmp_path, bands=4, descriptions=["B1", "B2", "B3", "NIR"])
    with pytest.raises(SatsegError) as info:
        run_prediction(tmp_path, raster, ConstantLogits(LOGITS), header(bands=3))
    assert info.value.code == "band_mismatch"
    assert "expects 3 bands (B1, B2, B3)" in info.value.message
    assert "has 4" in info.value.message and "NIR" in info.value.message
    assert "--bands 1,2,3" in info.value.hint
    summary, _ = run_prediction(tmp_path, raster, ConstantLogits(LOGITS), header(bands=3),
                                bands=[1, 2, 4])
    assert summary["predicted_pixels"] == 80 * 60


EXTENTS = [  # extent (map units, origin 500000/4000000, 10 m pixels), window (col, row, w, h)
    ((500_100, 3_999_500, 500_300, 3_999_800), (10, 20, 20, 30)),       # on the pixel grid
    ((500_105, 3_999_495, 500_295, 3_999_805), (10, 19, 20, 32)),       # snapped outward
    ((499_000, 3_999_000, 500_100, 3_999_950), (0, 5, 10, 75)),         # clipped to the raster
]


@pytest.mark.parametrize(("extent", "window"), EXTENTS)
def test_extent_crops_on_the_pixel_grid(tmp_path, extent, window):
    data = np.random.default_rng(3).normal(0, 2, (1, 80, 60)).astype(np.float32)
    raster = write_raster(tmp_path / "s.tif", data)
    head = header(bands=1, classes=CLASSES[:2], task="binary")
    summary, _ = run_prediction(tmp_path, raster, CopyBand(0), head, extent=extent,
                                probabilities=True)
    col, row, width, height = window
    with rasterio.open(raster) as src, rasterio.open(summary["outputs"]["classes"]) as out:
        assert out.shape == (height, width)
        assert out.transform == src.window_transform(((row, row + height), (col, col + width)))
    probabilities = read(summary["outputs"]["probabilities"])[1]
    expected = 1 / (1 + np.exp(-data[0, row:row + height, col:col + width].astype(np.float64)))
    np.testing.assert_allclose(probabilities, expected, atol=1e-6)


def test_extent_in_another_crs_and_outside_the_raster(tmp_path):
    _, raster = scene(tmp_path)
    from rasterio.warp import transform_bounds

    lonlat = transform_bounds("EPSG:32632", "EPSG:4326", 500_100, 3_999_500, 500_300, 3_999_800)
    summary, _ = run_prediction(tmp_path, raster, ConstantLogits(LOGITS), header(),
                                extent=list(lonlat), extent_crs="EPSG:4326")
    assert 20 <= summary["width"] <= 22 and 30 <= summary["height"] <= 32
    with pytest.raises(SatsegError) as info:
        run_prediction(tmp_path, raster, ConstantLogits(LOGITS), header(),
                       extent=[0, 0, 10, 10])
    assert info.value.code == "empty_extent"


def test_aoi_limits_the_prediction_to_its_polygons(tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    _, raster = scene(tmp_path)
    aoi = tmp_path / "aoi.gpkg"
    gpd.GeoDataFrame(geometry=[box(500_100, 3_999_500, 500_200, 3_999_600),
                               box(500_300, 3_999_300, 500_400, 3_999_400)],
                     crs="EPSG:32632").to_file(aoi)
    summary, _ = run_prediction(tmp_path, raster, ConstantLogits(LOGITS), header(), aoi=str(aoi))
    classes = read(summary["outputs"]["classes"])[0]
    assert classes.shape == (30, 30)            # bounding box of both squares
    assert (classes != 255).sum() == 2 * 10 * 10  # predicted inside the squares only


def test_pixel_size_differing_from_training_warns(tmp_path):
    _, raster = scene(tmp_path)
    _, events = run_prediction(tmp_path, raster, ConstantLogits(LOGITS),
                               header(pixel_size=[20.0, 20.0]))
    warnings = [e["message"] for e in events if e.get("level") == "warning"]
    assert any("pixel size" in w for w in warnings)


def test_binary_threshold_decides_the_class(tmp_path):
    data = np.linspace(-3, 3, 40 * 40, dtype=np.float32).reshape(1, 40, 40)
    raster = write_raster(tmp_path / "s.tif", data)
    head = header(bands=1, classes=[CLASSES[2]], task="binary")  # one class: background added
    summary, _ = run_prediction(tmp_path, raster, CopyBand(0), head, threshold=0.8)
    classes = read(summary["outputs"]["classes"])[0]
    positive = 1 / (1 + np.exp(-data[0].astype(np.float64))) >= 0.8
    assert np.array_equal(classes == 9, positive) and set(np.unique(classes)) == {0, 9}


class CancelAfter(ConstantLogits):
    def __init__(self, batches: int):
        super().__init__(LOGITS)
        self.left = batches

    def forward(self, x):
        self.left -= 1
        if self.left < 0:
            raise Cancelled("received SIGTERM")
        return super().forward(x)


def test_cancel_leaves_nothing_under_final_names(tmp_path):
    _, raster = scene(tmp_path, height=600, width=60)
    with pytest.raises(Cancelled):
        run_prediction(tmp_path, raster, CancelAfter(batches=20), header(), probabilities=True)
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("method", sorted(normalization.METHODS))
def test_torch_normalisation_matches_training(method):
    rng = np.random.default_rng(4)
    data = rng.normal(1000, 300, (3, 16, 16)).astype(np.float32)
    data[1, 2, 3] = 0.0
    data[2, 5, 5] = np.nan
    stats = [{"mean": 1000.0 + i, "std": 250.0, "min": 100.0, "max": 1900.0, "p1": 300.0,
              "p2": 350.0, "p98": 1600.0, "p99": 1700.0} for i in range(3)]
    spec = {"method": method, "bands": stats, "nodata": 0}
    valid = np.ones((16, 16), bool)
    expected = normalization.normalize(data, spec)
    got = normalize_torch(torch.from_numpy(data), torch.from_numpy(valid), spec).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


# -- the real command line ---------------------------------------------------------------------

def _checkpoint(tmp_path, bands=3):
    from satseg_engine.models import checkpoint
    from satseg_engine.models import registry as models

    head = header(bands=bands, patch=32) | {"architecture": "custom_unet", "encoder": None,
                                            "model_kwargs": {"depth": 1, "base_width": 4}}
    torch.manual_seed(0)
    model = models.build_model("custom_unet", None, bands, 3, head["model_kwargs"])
    return checkpoint.save_checkpoint(tmp_path / "model.pt", head, model.state_dict())


@pytest.mark.parametrize(("bands", "outcome"), [(3, "done"), (5, "band_mismatch")])
def test_satseg_predict_subprocess(tmp_path, engine, bands, outcome):
    _, raster = scene(tmp_path, bands=bands)
    ckpt = _checkpoint(tmp_path)
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"schema": 1, "raster": str(raster), "checkpoint": str(ckpt),
                               "output_dir": str(tmp_path / "out"), "name": "run"}))
    run = engine("predict", "--config", str(job))
    assert run.events[0]["type"] == "started" and run.events[0]["verb"] == "predict"
    if outcome == "done":
        assert run.returncode == 0, run.stderr
        assert run.terminal["type"] == "done"
        roles = {e["role"] for e in run.of_type("artifact")}
        assert roles == {"classes", "confidence", "summary"}
        assert run.of_type("progress")[-1]["done"] == run.terminal["summary"]["windows"]
        assert (tmp_path / "out" / "run_classes.tif").is_file()
        assert sum(c["pixels"] for c in run.terminal["summary"]["classes"]) == 80 * 60
    else:
        assert run.returncode == 1
        assert run.terminal["type"] == "error" and run.terminal["code"] == outcome
        assert "expects 3 bands" in run.terminal["message"]
        assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_panels_give_exactly_what_one_pass_gives(tmp_path):
    """Memory is bounded by predicting in column panels; the result must not depend on them."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 5, padding=2), torch.nn.ReLU(),
                                torch.nn.Conv2d(8, 3, 5, padding=2))  # edge-sensitive windows
    data = np.random.default_rng(1).uniform(0, 1, (3, 150, 700)).astype("float32")
    raster = write_raster(tmp_path / "wide.tif", data)
    outputs = {}
    for panel_width in (256, 512, 4096):
        folder = tmp_path / f"p{panel_width}"
        folder.mkdir()
        summary, _ = run_prediction(folder, raster, model, header(patch=32), overlap=0.5,
                                    probabilities=True, panel_width=panel_width)
        outputs[panel_width] = {role: read(path) for role, path in summary["outputs"].items()
                                if path.endswith(".tif")}
    for panel_width in (256, 512):
        for role, array in outputs[4096].items():
            np.testing.assert_array_equal(outputs[panel_width][role], array, err_msg=role)
