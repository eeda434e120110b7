"""`satseg predict` with several sources and dates: alignment, normalisation, date masks,
nodata, refusals, extent/AOI, panels, and the real command line with a real multi-source model.

The scene: the primary `images` source is a Sentinel-2-like series of three dates (10 m,
EPSG:32632; the second date covers only the left part of the scene, the third has a nodata hole)
for a model with four date slots (the fourth is padding), and `s1` is one date in another CRS
(EPSG:3857) and pixel size (15 m) with a nodata hole.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import rasterio
import torch
from prediction_helpers import (
    CLASSES,
    LinearSources,
    header,
    predict_sources,
    read,
    source_entry,
    sources_header,
    write_raster,
)
from rasterio.warp import Resampling, reproject, transform_bounds

from satseg_engine.core.errors import SatsegError
from satseg_engine.core.events import Events
from satseg_engine.geo.dates import day_of_year

H, W = 60, 80
COVERED = 50                       # the second date covers columns [0, 50) only
HOLE3 = (slice(5, 15), slice(60, 75))   # the third date's nodata hole (primary pixels)
S1_HOLE = (slice(10, 18), slice(12, 20))  # s1's nodata hole (s1 pixels)
S1_PIXEL = 15.0
DATES = ["2024-05-01", "2024-06-10", "2024-07-15"]
NAMES = ["S2_2024-05-01.tif", "S2_20240610.tif", "S2_2024_07_15.tif"]  # three date spellings
STATS = {"images": [{"mean": 1000.0, "std": 200.0}, {"mean": 1500.0, "std": 300.0}],
         "s1": [{"mean": -12.0, "std": 3.0}, {"mean": -18.0, "std": 4.0}]}


def make_scene(tmp_path, width=W, height=H):
    """Rasters on disk and what the model should see (raw arrays and their validity)."""
    rng = np.random.default_rng(7)
    dates = [rng.normal(1200, 250, (2, height, width)).astype("float32") for _ in DATES]
    paths = {"images": []}
    paths["images"].append(write_raster(tmp_path / NAMES[0], dates[0]))
    paths["images"].append(write_raster(tmp_path / NAMES[1], dates[1][:, :, :COVERED]))
    third = dates[2].copy()
    third[:, HOLE3[0], HOLE3[1]] = 0
    paths["images"].append(write_raster(tmp_path / NAMES[2], third, nodata=0))
    left, bottom, right, top = transform_bounds("EPSG:32632", "EPSG:3857", 500_000.0,
                                                4_000_000.0 - 10 * height,
                                                500_000.0 + 10 * width, 4_000_000.0)
    s1_shape = (int((top - bottom) / S1_PIXEL) + 6, int((right - left) / S1_PIXEL) + 6)
    s1 = rng.normal(-15, 4, (2, *s1_shape)).astype("float32")
    s1[:, S1_HOLE[0], S1_HOLE[1]] = -9999
    paths["s1"] = [write_raster(tmp_path / "s1_vv_vh.tif", s1, nodata=-9999, crs="EPSG:3857",
                                pixel=S1_PIXEL, origin=(left - 3 * S1_PIXEL,
                                                        top + 3 * S1_PIXEL))]
    return paths, dates, s1


def source_entries(slots=4, max_nodata_frac=1.0):
    dates = ["2023-05-03", "2023-06-12", "2023-07-20", "2023-08-30"][:slots]
    return [source_entry("images", ["B4", "B8"], dates=dates, method="standardize",
                         stats=STATS["images"], resampling="none",
                         max_nodata_frac=max_nodata_frac),
            source_entry("s1", ["VV", "VH"], nodata=-9999, method="standardize",
                         stats=STATS["s1"], resampling="bilinear")]


def linear_model(slots=4, seed=3):
    rng = np.random.default_rng(seed)
    return LinearSources({"images": rng.normal(0, 1, (3, 2 * slots)),
                          "s1": rng.normal(0, 1, (3, 2))}, [0.2, -0.1, 0.3])


def standardized(raw, valid, stats):
    mean = np.array([s["mean"] for s in stats], np.float64)[:, None, None]
    std = np.array([s["std"] for s in stats], np.float64)[:, None, None]
    return np.where(valid[None], (raw - mean) / std, 0.0)


def reference(paths, dates, s1, model, slots=4):
    """Probabilities (3, H, W) and validity computed with numpy, s1 warped by rasterio.warp."""
    with rasterio.open(paths["images"][0]) as grid, rasterio.open(paths["s1"][0]) as src:
        aligned = np.full((2, grid.height, grid.width), np.nan, np.float32)
        reproject(s1, aligned, src_transform=src.transform, src_crs=src.crs,
                  dst_transform=grid.transform, dst_crs=grid.crs, src_nodata=-9999,
                  dst_nodata=np.nan, resampling=Resampling.bilinear)
    valid_dates = [np.ones(dates[0].shape[1:], bool) for _ in dates]
    valid_dates[1][:, COVERED:] = False
    valid_dates[2][HOLE3] = False
    inputs = [standardized(d, v, STATS["images"]) for d, v in
              zip(dates, valid_dates, strict=True)]
    inputs += [np.zeros_like(inputs[0])] * (slots - len(dates))
    s1_valid = np.isfinite(aligned).all(axis=0)
    weights = {k: getattr(model, f"w_{k}").numpy().astype(np.float64) for k in model.names}
    logits = np.einsum("kc,chw->khw", weights["images"], np.concatenate(inputs))
    logits += np.einsum("kc,chw->khw", weights["s1"],
                        standardized(np.nan_to_num(aligned), s1_valid, STATS["s1"]))
    logits += model.bias.numpy()[:, None, None]
    probs = np.exp(logits - logits.max(axis=0))
    return probs / probs.sum(axis=0), s1_valid & np.any(valid_dates, axis=0), s1_valid


def given(paths, order=(2, 0, 1)):
    """The job's sources, the images dates deliberately out of order."""
    return {"images": [str(paths["images"][i]) for i in order], "s1": [str(paths["s1"][0])]}


def eroded(mask, steps=2):
    out = mask.copy()
    for _ in range(steps):
        out[1:] &= out[:-1]
        out[:-1] &= out[1:]
        out[:, 1:] &= out[:, :-1]
        out[:, :-1] &= out[:, 1:]
    return out


def test_sources_are_aligned_normalised_and_predicted_like_a_per_pixel_reference(tmp_path):
    paths, dates, s1 = make_scene(tmp_path)
    model = linear_model()
    summary, _ = predict_sources(tmp_path, model, sources_header(source_entries()),
                                 sources=given(paths), probabilities=True,
                                 precision="float32")   # the reference is float64
    expected, valid, s1_valid = reference(paths, dates, s1, model)
    # outputs on the primary grid (the first date), named after it
    with rasterio.open(paths["images"][0]) as grid, \
            rasterio.open(summary["outputs"]["classes"]) as out:
        assert (out.crs, out.transform, out.shape) == (grid.crs, grid.transform, grid.shape)
    assert summary["outputs"]["classes"].endswith("S2_2024-05-01_classes.tif")
    assert summary["sources"]["images"] == {"rasters": [str(p) for p in paths["images"]],
                                            "dates": DATES, "slots": 4}
    assert summary["sources"]["s1"]["rasters"] == [str(paths["s1"][0])]
    # nodata in s1 -> nodata in every output; a date missing at a pixel is not
    classes = read(summary["outputs"]["classes"])[0]
    np.testing.assert_array_equal(classes == 255, ~valid)
    assert (~s1_valid).sum() > 50 and (classes[:, COVERED:] != 255).sum() > 1000
    assert summary["nodata_pixels"] == (~valid).sum()
    # the blended probabilities are the per-pixel reference (bilinear edges left out)
    probabilities = read(summary["outputs"]["probabilities"])
    compare = eroded(valid)
    compare[:, COVERED - 2:COVERED + 2] = False
    np.testing.assert_allclose(probabilities[:, compare], expected[:, compare], atol=2e-5)
    # the padding slot is absent everywhere; day-of-year of the prediction's dates
    present = torch.cat([seen["present"]["images"] for seen in model.seen])
    assert present[:, 3].any().item() is False and present[:, 0].all().item()
    doy = model.seen[0]["doy"]["images"][0].tolist()
    assert doy == [day_of_year(d) for d in DATES] + [0]
    assert "s1" not in model.seen[0]["present"]


def test_flips_and_panels_give_what_one_plain_pass_gives(tmp_path):
    paths, _, _ = make_scene(tmp_path, width=270, height=40)
    torch.manual_seed(0)

    class ConvSources(torch.nn.Module):  # edge-sensitive: windows disagree near their rims
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(10, 3, 5, padding=2)

        def forward(self, inputs):
            data = inputs["data"]
            return self.conv(torch.cat([data["images"].flatten(1, 2), data["s1"]], dim=1))

    model = ConvSources()
    head = sources_header(source_entries())
    outputs = {}
    for name, job in {"plain": {}, "panels": {"panel_width": 256}}.items():
        folder = tmp_path / name
        folder.mkdir()
        summary, _ = predict_sources(folder, model, head, sources=given(paths),
                                     probabilities=True, **job)
        outputs[name] = read(summary["outputs"]["probabilities"])
    np.testing.assert_array_equal(outputs["panels"], outputs["plain"])
    folder = tmp_path / "tta"
    folder.mkdir()
    summary, _ = predict_sources(folder, linear_model(), head, sources=given(paths),
                                 probabilities=True, tta=True)
    plain, _ = predict_sources(tmp_path / "plain", linear_model(), head, sources=given(paths),
                               probabilities=True)
    np.testing.assert_allclose(read(summary["outputs"]["probabilities"]),
                               read(plain["outputs"]["probabilities"]), atol=1e-6)


@pytest.mark.parametrize(("max_nodata_frac", "masked"), [(0.5, True), (0.9, False)])
def test_a_date_mostly_missing_in_a_window_is_masked_there(tmp_path, max_nodata_frac, masked):
    """One 32 × 32 window; the second date is valid on 6 of its 32 rows only (81 % nodata)."""
    rng = np.random.default_rng(1)
    first = rng.normal(1200, 250, (2, 32, 32)).astype("float32")
    entry = source_entry("images", ["B4", "B8"], dates=["2023-05-01", "2023-06-01"],
                         method="standardize", stats=STATS["images"], resampling="none",
                         max_nodata_frac=max_nodata_frac)
    model = LinearSources({"images": np.array([[0, 0, 1.0, 0], [0, 0, 0, 1.0], [0, 0, 0, 0]])},
                          [0.0, 0.0, 0.0])  # reads the second date only
    results = []
    for seed in (2, 3):  # two versions of the second date, same validity
        second = np.random.default_rng(seed).normal(1200, 250, (2, 32, 32)).astype("float32")
        second[:, 6:] = -1
        folder = tmp_path / f"v{seed}"
        folder.mkdir()
        images = [write_raster(folder / "a_2024-05-01.tif", first),
                  write_raster(folder / "b_2024-06-01.tif", second, nodata=-1)]
        summary, _ = predict_sources(folder, model, sources_header([entry]), overlap=0.0,
                                     sources={"images": [str(p) for p in images]},
                                     probabilities=True)
        results.append(read(summary["outputs"]["probabilities"]))
        assert model.seen[-1]["present"]["images"].tolist() == [[True, not masked]]
    if masked:  # the date's values there do not change the output: the date is zeros
        np.testing.assert_array_equal(results[0], results[1])
        np.testing.assert_allclose(results[0], 1 / 3, atol=1e-6)
    else:
        assert np.abs(results[0][:, :6] - results[1][:, :6]).max() > 0.01
        np.testing.assert_allclose(results[0][:, 6:], 1 / 3, atol=1e-6)  # nodata pixels: 0


def test_extent_and_aoi_with_sources(tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    paths, _, _ = make_scene(tmp_path)
    head = sources_header(source_entries())
    full, _ = predict_sources(tmp_path, linear_model(), head, sources=given(paths),
                              probabilities=True)
    whole = read(full["outputs"]["probabilities"])
    folder = tmp_path / "extent"
    folder.mkdir()
    summary, _ = predict_sources(folder, linear_model(), head, sources=given(paths),
                                 probabilities=True, extent=[500_200, 3_999_600, 500_500,
                                                             3_999_900], name="view")
    assert summary["window"] == {"col_off": 20, "row_off": 10, "width": 30, "height": 30}
    np.testing.assert_allclose(read(summary["outputs"]["probabilities"]),
                               whole[:, 10:40, 20:50], atol=1e-6)
    aoi = tmp_path / "aoi.gpkg"
    gpd.GeoDataFrame(geometry=[box(500_300, 3_999_700, 500_400, 3_999_800)],
                     crs="EPSG:32632").to_file(aoi)
    folder = tmp_path / "aoi"
    folder.mkdir()
    summary, _ = predict_sources(folder, linear_model(), head, sources=given(paths),
                                 probabilities=True, aoi=str(aoi))
    probabilities = read(summary["outputs"]["probabilities"])
    assert probabilities.shape == (3, 10, 10) and summary["nodata_pixels"] == 0
    np.testing.assert_allclose(probabilities, whole[:, 20:30, 30:40], atol=1e-6)


def test_normalisation_on_the_device_matches_the_reading_thread(tmp_path):
    """The GPU path (torch twins) and the CPU path (training's numpy) give the same inputs."""
    from rasterio.windows import Window

    from satseg_engine.core.jobs import load_job
    from satseg_engine.data.sources import header_sources
    from satseg_engine.prediction.multisource import SourcesInputs, SourceStack
    from satseg_engine.prediction.options import PredictJob
    from satseg_engine.prediction.source_plan import plan_sources

    paths, _, _ = make_scene(tmp_path)
    head = sources_header(source_entries())
    assert [s.name for s in header_sources(head)] == ["images", "s1"]
    (tmp_path / "model.pt").touch()
    job = load_job(PredictJob, {"checkpoint": str(tmp_path / "model.pt"),
                                "sources": given(paths)})
    plan = plan_sources(job, head)
    stack = SourceStack(plan.primary, plan.sources, Window(0, 0, W, H))
    try:
        strip = stack.strip(0, -8, 32, 8, 96)
        batches = []
        for on_device in (False, True):
            inputs = SourcesInputs(plan.sources, 32, torch.device("cpu"))
            inputs.on_device = on_device
            loaded = inputs.load(inputs.prepare(strip, offsets=[0, 16, 32, 48, 64]))
            batches.append(inputs.batch(loaded, 1, [16, 32]))
    finally:
        stack.close()
    for name in ("images", "s1"):
        np.testing.assert_allclose(batches[1]["data"][name].numpy(),
                                   batches[0]["data"][name].numpy(), atol=1e-5)
    assert batches[0]["data"]["images"].shape == (2, 4, 2, 32, 32)
    assert batches[0]["present"]["images"].tolist() == [[True] * 3 + [False]] * 2


def test_dates_given_on_the_command_line_order_the_rasters(tmp_path):
    """--source-dates overrides the file names; the earliest raster sets the grid and names."""
    from satseg_engine.core.jobs import load_job
    from satseg_engine.prediction.options import PredictJob
    from satseg_engine.prediction.run import predict_to_files

    first = write_raster(tmp_path / "later.tif", np.full((2, 20, 20), 900, np.float32))
    second = write_raster(tmp_path / "earlier.tif", np.full((2, 20, 20), 1100, np.float32),
                          origin=(500_050.0, 4_000_000.0))
    s1 = write_raster(tmp_path / "s1.tif", np.full((2, 30, 30), -12, np.float32))
    (tmp_path / "model.pt").touch()
    job = load_job(PredictJob, {
        "checkpoint": str(tmp_path / "model.pt"), "output_dir": str(tmp_path / "out"),
        "sources": [f"images={first},{second}", f"s1={s1}"],
        "source_dates": ["images=2024-07-01, 2024-05-01"]},
        from_cli=frozenset({"sources", "source_dates"}))
    model = linear_model()
    summary = predict_to_files(job, model, sources_header(source_entries()),
                               torch.device("cpu"), Events(io.StringIO()))
    assert summary["sources"]["images"]["rasters"] == [str(second), str(first)]
    assert summary["sources"]["images"]["dates"] == ["2024-05-01", "2024-07-01"]
    assert summary["outputs"]["classes"].endswith("earlier_classes.tif")
    assert summary["bounds"][0] == 500_050.0  # the earlier raster's grid
    # the later date does not cover the grid's last 5 columns: it is zeros there, still present
    assert model.seen[0]["present"]["images"][0].tolist() == [True, True, False, False]


def test_a_model_without_images_still_predicts_on_the_images_grid(tmp_path):
    entry = source_entry("s1", ["VV", "VH"], dates=["2023-05-01", "2023-06-01"],
                         nodata=-9999, method="standardize", stats=STATS["s1"])
    grid = write_raster(tmp_path / "grid.tif", np.zeros((3, 24, 30), np.uint8), nodata=0)
    s1 = [str(write_raster(tmp_path / f"s1_2024-0{m}-01.tif",
                           np.full((2, 12, 15), -15, np.float32), pixel=20.0)) for m in (5, 6)]
    model = LinearSources({"s1": np.ones((3, 4))}, [0.0, 1.0, 0.0])
    summary, _ = predict_sources(tmp_path, model, sources_header([entry]), raster=str(grid),
                                 sources={"s1": s1})
    assert (summary["width"], summary["height"]) == (30, 24)
    assert summary["nodata_pixels"] == 0  # the grid raster's nodata does not matter: unused
    assert summary["outputs"]["classes"].endswith("grid_classes.tif")
    assert list(summary["sources"]) == ["s1"]


# -- refusals: one error, naming the source and the fix, before any work --------------------

def _raster(folder, name, bands=2, crs="EPSG:32632", origin=(500_000.0, 4_000_000.0)):
    data = np.full((bands, 20, 20), 1000, np.float32)
    return str(write_raster(folder / name, data, crs=crs, origin=origin))


REFUSALS = [  # (case, code, words in the message, words in the hint)
    ("only_raster", "missing_source", ["s1", "only --raster"], ["--source s1="]),
    ("missing_s1", "missing_source", ["needs source s1"], ["--source s1=FILE"]),
    ("unused", "unused_source", ["dem"], ["remove --source dem"]),
    ("single_model", "single_source_model", ["s1"], ["--raster"]),
    ("s1_bands", "band_mismatch", ["source s1", "expects 2 bands (VV, VH)", "has 3"],
     ["source s1"]),
    ("date_bands", "date_band_mismatch", ["source images", "different band counts"],
     ["source images"]),
    ("too_many_dates", "too_many_dates", ["source images", "5 rasters", "4 date slots"],
     ["at most 4"]),
    ("s1_two_dates", "too_many_dates", ["source s1", "a single date"], ["source s1"]),
    ("no_overlap", "no_overlap", ["source s1", "does not overlap"], ["source s1"]),
    ("no_date", "no_date", ["source images", "x.tif"], ["--source-dates images="]),
    ("same_date", "duplicate_date", ["same date 2024-05-01"], ["one raster per date"]),
    ("bands", "bands_with_sources", ["images, s1"], ["remove --bands"]),
    ("raster_and_images", "invalid_job", ["given twice"], ["not both"]),
    ("dates_count", "invalid_job", ["source images", "1 date(s) for 2 raster(s)"],
     ["one date per raster"]),
    ("dates_unknown", "invalid_job", ["source_dates", "dem"], ["--source dem="]),
    ("nothing", "invalid_job", ["no raster"], ["--raster"]),
]


def _refused_job(folder, case):
    a, b = _raster(folder, "a_2024-05-01.tif"), _raster(folder, "b_2024-06-01.tif")
    s1 = _raster(folder, "s1.tif")
    good = {"sources": {"images": [a, b], "s1": [s1]}}
    jobs = {
        "only_raster": {"raster": a},
        "missing_s1": {"sources": {"images": [a, b]}},
        "unused": {"sources": {**good["sources"], "dem": [s1]}},
        "single_model": good,
        "s1_bands": {"sources": {"images": [a], "s1": [_raster(folder, "s1x.tif", 3)]}},
        "date_bands": {"sources": {"images": [a, _raster(folder, "c_2024-07-01.tif", 3)],
                                   "s1": [s1]}},
        "too_many_dates": {"sources": {"images": [a, b] + [
            _raster(folder, f"d_2024-0{m}-01.tif") for m in (7, 8, 9)], "s1": [s1]}},
        "s1_two_dates": {"sources": {"images": [a], "s1": [s1, _raster(folder, "s1b.tif")]}},
        "no_overlap": {"sources": {"images": [a], "s1": [
            _raster(folder, "far.tif", origin=(600_000.0, 4_100_000.0))]}},
        "no_date": {"sources": {"images": [a, _raster(folder, "x.tif")], "s1": [s1]}},
        "same_date": {**good, "source_dates": {"images": ["2024-05-01", "2024-05-01"]}},
        "bands": {**good, "bands": [1, 2]},
        "raster_and_images": {**good, "raster": a},
        "dates_count": {**good, "source_dates": {"images": ["2024-05-01"]}},
        "dates_unknown": {**good, "source_dates": {"dem": ["2024-05-01"]}},
        "nothing": {"sources": {"s1": [s1]}},
    }
    return jobs[case]


@pytest.mark.parametrize(("case", "code", "message", "hint"), REFUSALS,
                         ids=[r[0] for r in REFUSALS])
def test_refusals_name_the_source_and_the_fix(tmp_path, case, code, message, hint):
    job = _refused_job(tmp_path, case)
    head = header(bands=2) if case == "single_model" else sources_header(source_entries())
    with pytest.raises(SatsegError) as info:
        predict_sources(tmp_path, linear_model(), head, **job)
    error = info.value
    assert error.code == code
    assert all(word in error.message for word in message), error.message
    assert error.hint and all(word in error.hint for word in hint), error.hint
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


# -- the real command line, a real multi-source network ---------------------------------------

def _real_checkpoint(tmp_path):
    from satseg_engine.models import checkpoint
    from satseg_engine.models.multisource import build_multisource

    head = sources_header(source_entries()) | {
        "architecture": "custom_unet", "encoder": None,
        "model_kwargs": {"depth": 2, "base_width": 4}}
    torch.manual_seed(0)
    model = build_multisource(head)
    return checkpoint.save_checkpoint(tmp_path / "fused.pt", head, model.state_dict())


def test_satseg_predict_with_sources_on_the_command_line(tmp_path, engine):
    paths, _, _ = make_scene(tmp_path)
    ckpt = _real_checkpoint(tmp_path)
    out = tmp_path / "out"
    images = ",".join(str(p) for p in reversed(paths["images"]))
    run = engine("predict", "--checkpoint", str(ckpt), "--source", f"images={images}",
                 "--source", f"s1={paths['s1'][0]}", "--output-dir", str(out))
    assert run.returncode == 0, run.stderr
    assert run.terminal["type"] == "done"
    summary = run.terminal["summary"]
    assert summary["sources"]["images"]["dates"] == DATES
    assert {e["role"] for e in run.of_type("artifact")} == {"classes", "confidence", "summary"}
    with rasterio.open(paths["images"][0]) as grid, \
            rasterio.open(out / "S2_2024-05-01_classes.tif") as classes:
        assert (classes.crs, classes.transform, classes.shape) == \
            (grid.crs, grid.transform, grid.shape)
        values = classes.read(1)
    assert set(np.unique(values)) <= {c["value"] for c in CLASSES} | {255}
    assert (values == 255).sum() == summary["nodata_pixels"] > 0
    assert json.loads((out / "S2_2024-05-01_summary.json").read_text())["sources"] == \
        summary["sources"]

    refused = engine("predict", "--checkpoint", str(ckpt), "--source", f"images={images}",
                     "--output-dir", str(tmp_path / "refused"))
    errors = refused.of_type("error")
    assert refused.returncode == 1 and len(errors) == 1 and refused.terminal is errors[0]
    assert errors[0]["code"] == "missing_source" and errors[0]["key"] == "sources.s1"
    assert "--source s1=FILE" in errors[0]["hint"]
    assert not (tmp_path / "refused").exists()
