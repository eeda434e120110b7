"""The Predict dialog with a model of several sources or dates, in a real headless QGIS, driving
the real engine (`satseg inspect`, `satseg predict`) with a tiny early-fusion model trained once
for the module on the sample scene + a three-date two-band series + a one-band DEM."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from qgis.core import QgsSettings

from conftest import run_dialog
from satseg_plugin.core.engine_runner import RunState
from satseg_plugin.gui.predict_dialog import LAST_CHECKPOINT_KEY, PredictDialog
from satseg_plugin.gui.raster_layers_combo import RasterLayersCombo

RUN_TIMEOUT_MS = 90000
S1_TRAINED = ("s1_2024-07-20.tif", "s1_20240501.tif", "s1_2024_06_10.tif")


@pytest.fixture(scope="module")
def model(tmp_path_factory, sample_dataset, source_rasters, engine) -> Path:
    """best_iou.pt of a custom U-Net trained one short epoch on images + s1 (3 dates) + dem."""
    out = tmp_path_factory.mktemp("multi-model")
    s1 = ",".join(str(source_rasters / name) for name in S1_TRAINED)
    engine("extract", "--image", str(sample_dataset / "scene.tif"), "--labels",
           str(sample_dataset / "labels.tif"), "--grid", str(sample_dataset / "grid.gpkg"),
           "--output-dir", str(out / "dataset"), "--source", f"s1={s1}", "--source",
           f"dem={source_rasters / 'dem.tif'}")
    engine("train", "--dataset", str(out / "dataset"), "--output-dir", str(out / "model"),
           "--epochs", "1", "--model.architecture", "custom_unet", "--model.depth", "2",
           "--model.base-width", "8", "--batch-size", "4", "--data.num-workers", "0",
           "--data.steps-per-epoch", "2", "--model.fusion", "early")
    return out / "model" / "best_iou.pt"


@pytest.fixture(scope="module")
def header(model, engine) -> dict:
    """The model's header as `satseg inspect` gives it to the dialog."""
    return engine("inspect", str(model))["summary"]


@pytest.fixture
def project(add_layers, sample_dataset, source_rasters):
    return add_layers(scene=sample_dataset / "scene.tif", july=source_rasters / S1_TRAINED[0],
                      may=source_rasters / S1_TRAINED[1], june=source_rasters / S1_TRAINED[2],
                      august=source_rasters / "s1_2024-08-30.tif",
                      dem=source_rasters / "dem.tif",
                      late=source_rasters / "scene_2023-08-01.tif",
                      early=source_rasters / "scene_2023-06-15.tif")


@pytest.fixture
def dialog(qgis_iface, project, use_engine, dialogs, tmp_path) -> PredictDialog:
    QgsSettings().remove(LAST_CHECKPOINT_KEY)
    dialog = dialogs(PredictDialog(qgis_iface))
    dialog.raster_combo.setLayer(project["scene"])
    dialog.output_dir.setFilePath(str(tmp_path / "out"))
    return dialog


def show(dialog: PredictDialog, model: Path, header: dict) -> None:
    """Show a header as if `satseg inspect` had just read it from `model`."""
    dialog.model.file.blockSignals(True)
    dialog.model.file.setFilePath(str(model))
    dialog.model.file.blockSignals(False)
    dialog.model.show_header(header)


def choose(dialog: PredictDialog, project: dict, **names) -> None:
    for source, layer_names in names.items():
        dialog.sources.set_layers(source, [project[n] for n in layer_names])


def test_one_row_per_source_builds_the_sources_and_predicts(qtbot, dialog, project, model,
                                                           tmp_path):
    with qtbot.waitSignal(dialog.model.inspect_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        dialog.model.set_path(str(model))
    assert blocker.args[0] == "", "the real header was read"
    assert list(dialog.sources.rows) == ["images", "s1", "dem"]
    assert dialog.sources_box.isVisibleTo(dialog) and not dialog.raster_box.isVisibleTo(dialog)
    assert isinstance(dialog.sources.rows["s1"].picker, RasterLayersCombo), "several dates"
    assert "s1 (2 bands × 3 dates)" in dialog.model.bands.text()
    assert "fusion early" in dialog.model.bands.text()
    assert dialog.sources.primary_layer() is project["scene"], "the raster chosen before"
    choose(dialog, project, s1=["july", "may", "june"], dem=["dem"])
    rows = dialog.sources.rows.values()
    assert all("✓" in row.ok.text() and not row.status.isVisibleTo(dialog) for row in rows)

    job = dialog.job()
    folder = Path(project["may"].source()).parent
    assert job["raster"] == project["scene"].source(), "the images source is the raster"
    assert job["sources"] == {"s1": [str(folder / n) for n in (
        "s1_20240501.tif", "s1_2024_06_10.tif", "s1_2024-07-20.tif")],
        "dem": [str(folder / "dem.tif")]}, "dates in order, images not repeated"
    assert job["name"] == "scene" and job["output_dir"] == str(tmp_path / "out")

    assert run_dialog(qtbot, dialog) is RunState.DONE, dialog.panel.message_text()
    scene = project["scene"]
    assert dialog.class_layer.extent() == scene.extent(), "on the images grid"
    assert dialog.preview.layer() is dialog.confidence_layer


@pytest.mark.parametrize("change, words", [
    ("wrong_bands", "Source 's1': layer 'dem' has 1 bands; the model expects 2 (B2, B3) per "
                    "date"),
    ("too_many_dates", "Source 's1': 4 layers ticked; the model takes at most 3 dates"),
    ("missing", "Source 'dem': choose its layer"),
])
def test_layers_that_do_not_fit_the_model_are_refused(dialog, project, model, header,
                                                      change, words):
    show(dialog, model, header)
    s1 = {"wrong_bands": ["july", "dem", "june"],
          "too_many_dates": ["july", "may", "june", "august"]}.get(change, ["may"])
    choose(dialog, project, s1=s1, dem=[] if change == "missing" else ["dem"])
    row = dialog.sources.rows["dem" if change == "missing" else "s1"]
    assert words in row.status.text() and row.status.isVisibleTo(dialog), \
        "said at once, below the source"
    assert not row.ok.text()
    dialog.panel.run_button.click()
    assert words in dialog.panel.message_text()
    assert dialog.panel.runner is None, "nothing was started"


def test_a_time_series_of_images_is_sent_as_a_source(dialog, project, model, header):
    series = copy.deepcopy(header)
    series["sources"][0]["dates"] = ["2023-06-15", "2023-08-01"]
    show(dialog, model, series)
    assert isinstance(dialog.sources.rows["images"].picker, RasterLayersCombo)
    choose(dialog, project, images=["late", "early"], s1=["may"], dem=["dem"])
    job = dialog.job()
    assert "raster" not in job
    assert [Path(p).name for p in job["sources"]["images"]] == [
        "scene_2023-06-15.tif", "scene_2023-08-01.tif"]
    assert job["name"] == "scene_2023-06-15", "named after the first date"
    quick = dialog.quick_job()
    assert quick["name"] == "scene_2023-06-15_view" and len(quick["extent"]) == 4, \
        "the current map view works on the primary"


def test_a_model_without_images_keeps_the_raster_as_the_grid(dialog, project, model, header):
    other = copy.deepcopy(header)
    other["sources"] = other["sources"][1:]
    show(dialog, model, other)
    assert dialog.raster_box.isVisibleTo(dialog) and dialog.sources.note.isVisibleTo(dialog)
    choose(dialog, project, s1=["may", "june"], dem=["dem"])
    job = dialog.job()
    assert job["raster"] == project["scene"].source() and list(job["sources"]) == ["s1", "dem"]


def test_a_single_source_model_keeps_the_raster_picker(dialog, project, model, header):
    show(dialog, model, header)
    single = {k: v for k, v in header.items() if k not in ("sources", "multisource")}
    dialog.model.show_header(single)
    assert dialog.raster_box.isVisibleTo(dialog) and not dialog.sources_box.isVisibleTo(dialog)
    assert not dialog.sources.rows
    job = dialog.job()
    assert "sources" not in job and job["raster"] == project["scene"].source()
    assert "The raster has 10" in dialog.model.bands.text()
