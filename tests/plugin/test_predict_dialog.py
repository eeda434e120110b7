"""The Predict dialog in a real headless QGIS, driving the real engine (`satseg inspect`,
`satseg predict`) with a tiny model trained once for the module."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from osgeo import gdal
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsLayerTreeGroup,
    QgsPalettedRasterRenderer,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsSettings,
    QgsSingleBandPseudoColorRenderer,
)

import satseg_plugin
from conftest import flush, run_dialog
from satseg_plugin.core.engine_runner import RunState
from satseg_plugin.gui.predict_dialog import LAST_CHECKPOINT_KEY, PredictDialog

RUN_TIMEOUT_MS = 60000
SAMPLE_CLASSES = [(1, "water", "#1f78b4"), (2, "forest", "#1b7837"), (3, "cropland", "#f2c14e"),
                  (4, "built-up", "#e31a1c"), (5, "road", "#3d3d3d"), (6, "grassland", "#a6d96a")]


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory, sample_dataset, engine) -> Path:
    """scene.tif (10 bands, 256 px), labels.gpkg, three_bands.tif and model/best_iou.pt: a
    tiny custom U-Net trained one epoch on the sample dataset's 64-px patches."""
    out = tmp_path_factory.mktemp("predict")
    for name in ("scene.tif", "labels.gpkg"):
        shutil.copy(sample_dataset / name, out / name)
    engine("train", "--dataset", str(sample_dataset / "dataset"), "--output-dir",
           str(out / "model"), "--epochs", "1", "--model.architecture", "custom_unet",
           "--model.depth", "2", "--model.base-width", "8", "--batch-size", "4",
           "--data.num-workers", "0")
    gdal.Translate(str(out / "three_bands.tif"), str(out / "scene.tif"), bandList=[1, 2, 3])
    return out


@pytest.fixture
def checkpoint(sample_dir) -> str:
    return str(sample_dir / "model" / "best_iou.pt")


@pytest.fixture
def project(add_layers, sample_dir):
    return add_layers(scene=sample_dir / "scene.tif", three=sample_dir / "three_bands.tif",
                      polygons=sample_dir / "labels.gpkg")


@pytest.fixture
def no_last_checkpoint(saved_settings):
    """No model remembered from training (the user's setting comes back afterwards)."""
    QgsSettings().remove(LAST_CHECKPOINT_KEY)


@pytest.fixture
def make_dialog(qgis_iface, project, use_engine, no_last_checkpoint, dialogs):
    qgis_iface.messageBar().clear_messages()
    return lambda: dialogs(PredictDialog(qgis_iface))


@pytest.fixture
def dialog(make_dialog, project, tmp_path) -> PredictDialog:
    dialog = make_dialog()
    dialog.raster_combo.setLayer(project["scene"])
    dialog.output_dir.setFilePath(str(tmp_path / "out"))
    return dialog


def choose_model(qtbot, dialog: PredictDialog, path: str) -> str:
    """Choose a checkpoint and wait for its header; returns the message ("" when read)."""
    with qtbot.waitSignal(dialog.model.inspect_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        dialog.model.set_path(path)
    return blocker.args[0]


def set_model_quietly(dialog: PredictDialog, path: str) -> None:
    """Choose a checkpoint without reading its header (tests that do not need it)."""
    dialog.model.file.blockSignals(True)
    dialog.model.file.setFilePath(path)
    dialog.model.file.blockSignals(False)


def groups() -> dict:
    return {node.name(): node for node in QgsProject.instance().layerTreeRoot().children()
            if isinstance(node, QgsLayerTreeGroup)}


def test_a_loaded_raster_is_predicted_into_a_styled_group_with_a_summary(
        qtbot, dialog, project, checkpoint, tmp_path):
    assert choose_model(qtbot, dialog, checkpoint) == ""
    assert dialog.model.classes_text() == [name for _, name, _ in SAMPLE_CLASSES]
    assert "custom_unet, multiclass, patch 64 px" in dialog.model.status.text()
    assert "expects 10 (B2, B3" in dialog.model.bands.text()
    assert "The raster has 10 ✓" in dialog.model.bands.text()
    assert "Training metrics" in dialog.model.metrics.text() and "mIoU" in \
        dialog.model.metrics.text()
    dialog.name.setText("run")

    assert run_dialog(qtbot, dialog) is RunState.DONE, dialog.panel.message_text()
    group = groups()["Prediction: run"]
    assert [node.layer() for node in group.findLayers()] == [dialog.confidence_layer,
                                                             dialog.class_layer]
    classes = dialog.class_layer.renderer()
    assert isinstance(classes, QgsPalettedRasterRenderer)
    assert [(int(c.value), c.label, c.color.name()) for c in classes.classes()] == SAMPLE_CLASSES
    confidence = dialog.confidence_layer.renderer()
    assert isinstance(confidence, QgsSingleBandPseudoColorRenderer)
    assert (confidence.classificationMin(), confidence.classificationMax()) == (0.0, 1.0)

    scene = project["scene"]
    for suffix in ("_classes.tif", "_confidence.tif"):
        on_disk = QgsRasterLayer(str(tmp_path / "out" / f"run{suffix}"), "check")
        assert on_disk.isValid() and on_disk.crs() == scene.crs()
        assert on_disk.extent() == scene.extent(), "georeferenced like the input"
        assert (on_disk.width(), on_disk.height()) == (scene.width(), scene.height())
    assert not (tmp_path / "out" / "run_probabilities.tif").exists()

    rows = dialog.summary.rows()
    assert [row[0] for row in rows] == [name for _, name, _ in SAMPLE_CLASSES]
    assert sum(float(row[2].rstrip("%")) for row in rows) == pytest.approx(100, abs=0.5)
    assert all(row[1].endswith(("ha", "km²", "m²")) for row in rows)
    assert "256 × 256 pixels predicted" in dialog.summary.headline.text()
    assert "mean confidence 0." in dialog.summary.headline.text()
    assert "Prediction: run" in dialog.panel.message_text()
    assert dialog.preview.layer() is dialog.confidence_layer, "the preview acts on it"

    # a second run of the same name replaces the group (and its files) instead of adding one
    assert run_dialog(qtbot, dialog) is RunState.DONE
    assert list(groups()) == ["Prediction: run"]
    assert len(QgsProject.instance().mapLayers()) == len(project) + 2


def test_a_raster_with_other_bands_is_refused_with_both_counts(qtbot, dialog, project,
                                                               checkpoint, tmp_path):
    dialog.raster_combo.setLayer(project["three"])
    assert choose_model(qtbot, dialog, checkpoint) == ""
    early = dialog.model.bands.text()
    assert "expects 10" in early and "The raster has 3" in early and "refused" in early
    assert run_dialog(qtbot, dialog) is RunState.ENGINE_ERROR
    message = dialog.panel.message_text()
    assert "expects 10 bands" in message and "has 3" in message and "(key: bands)" in message
    assert not groups() and not (tmp_path / "out" / "three_bands_classes.tif").exists()
    assert dialog.panel.run_button.isEnabled() and dialog.quick_button.isEnabled()


def test_a_damaged_model_is_explained_in_the_header(qtbot, dialog, tmp_path):
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"\x80\x02 not a model")
    message = choose_model(qtbot, dialog, str(broken))
    assert "cannot be used" in message and "not a readable satseg checkpoint" in message
    assert "cannot be used" in dialog.model.status.text()
    assert not dialog.model.classes_text()


def test_the_current_map_view_is_predicted_quickly_and_replaced(qtbot, qgis_iface, dialog,
                                                                project, checkpoint):
    scene = project["scene"]
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    to_wgs84 = QgsCoordinateTransform(scene.crs(), wgs84, QgsProject.instance())
    full = scene.extent()
    centre = full.center()
    part = QgsRectangle(centre.x() - 400, centre.y() - 300, centre.x() + 400, centre.y() + 300)
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(wgs84)
    canvas.setExtent(to_wgs84.transformBoundingBox(part))
    assert choose_model(qtbot, dialog, checkpoint) == ""
    dialog.tta.setChecked(True)
    dialog.probabilities.setChecked(True)

    job = dialog.quick_job()
    expected = to_wgs84.transformBoundingBox(canvas.extent(),
                                             QgsCoordinateTransform.ReverseTransform)
    assert job["extent"] == pytest.approx([expected.xMinimum(), expected.yMinimum(),
                                           expected.xMaximum(), expected.yMaximum()])
    assert full.xMinimum() < job["extent"][0] < job["extent"][2] < full.xMaximum()
    assert (job["tta"], job["window"], job["probabilities"]) == (False, "auto", False)
    assert "overlap" not in job and "margin" not in job, "the fastest windows"
    assert job["output_dir"].startswith(os.path.realpath(os.path.dirname(job["output_dir"])))
    assert "satseg-view-" in job["output_dir"] and job["name"] == "scene_view"
    assert "extent_crs" not in job, "sent in the raster's CRS"

    for _ in range(2):
        assert run_dialog(qtbot, dialog, dialog.quick_button) is RunState.DONE, \
            dialog.panel.message_text()
    quick = groups()["satseg — current map view"]
    assert len(groups()) == 1 and len(quick.findLayers()) == 2, "replaced, not added"
    predicted = dialog.class_layer.extent()
    assert full.contains(predicted) and predicted.width() < full.width(), "only the view"
    assert predicted.width() == pytest.approx(expected.width(), abs=20), "snapped to pixels"
    assert predicted.height() == pytest.approx(expected.height(), abs=20)


def test_the_job_carries_every_choice(qtbot, dialog, project, checkpoint, tmp_path):
    sample = os.path.dirname(project["scene"].source())
    dialog.model.set_path(checkpoint)
    dialog.windows.set_mode("patch")
    dialog.overlap.setValue(0.3)
    dialog.batch_size.setValue(16)
    dialog.device.setCurrentIndex(dialog.device.findData("cpu"))
    dialog.tta.setChecked(True)
    dialog.probabilities.setChecked(True)
    dialog.name.setText("mine")
    dialog.area.aoi.setLayer(project["polygons"])
    assert dialog.area.area() == "aoi", "choosing an AOI layer selects that area"
    assert dialog.job() == {
        "raster": f"{sample}/scene.tif", "checkpoint": checkpoint,
        "output_dir": str(tmp_path / "out"), "name": "mine", "window": "patch",
        "overlap": 0.3, "batch_size": 16, "device": "cpu", "tta": True, "probabilities": True,
        "aoi": f"{sample}/labels.gpkg"}

    dialog.area.set_rectangle(QgsRectangle(499100, 4648500, 499900, 4649900),
                              project["scene"].crs())
    job = dialog.job()
    assert job["extent"] == [499100, 4648500, 499900, 4649900] and "aoi" not in job
    dialog.area.set_area("raster")
    assert "extent" not in dialog.job() and "aoi" not in dialog.job()

    dialog.raster_file.setFilePath(f"{sample}/three_bands.tif")
    assert dialog.raster_source() == "file", "choosing a file selects it"
    assert dialog.job()["raster"] == f"{sample}/three_bands.tif"
    assert dialog.name.text() == "mine", "a name the user typed is kept"


@pytest.mark.parametrize(("change", "words"), [
    ("no_model", "Choose the model"),
    ("missing_model", "does not exist"),
    ("no_raster", "Choose the raster to classify"),
    ("no_rectangle", "Draw the rectangle on the map first"),
])
def test_obvious_mistakes_are_explained_before_running(dialog, change, words):
    if change != "no_model":
        set_model_quietly(dialog, "/nowhere/model.pt" if change == "missing_model" else __file__)
    if change == "no_raster":
        dialog.raster_combo.setLayer(None)
    elif change == "no_rectangle":
        dialog.area.set_area("rectangle")
    dialog.panel.run_button.click()
    assert words in dialog.panel.message_text()
    assert dialog.panel.runner is None, "nothing was started"


def test_cancel_stops_the_run_and_adds_nothing(qtbot, dialog, checkpoint, tmp_path):
    set_model_quietly(dialog, checkpoint)
    with qtbot.waitSignal(dialog.run_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        dialog.panel.run_button.click()
        assert not dialog.quick_button.isEnabled() and dialog.panel.cancel_button.isEnabled()
        dialog.panel.cancel_button.click()
    assert blocker.args[0] is RunState.CANCELLED
    assert not groups() and not list((tmp_path / "out").glob("scene_*"))
    assert dialog.panel.run_button.isEnabled() and dialog.quick_button.isEnabled()
    assert "cancelled" in dialog.panel.message_text()


def test_the_last_trained_model_is_prefilled_and_the_menu_opens_the_dialog(
        qtbot, qgis_iface, make_dialog, project, checkpoint):
    QgsSettings().setValue(LAST_CHECKPOINT_KEY, checkpoint)
    plugin = satseg_plugin.classFactory(qgis_iface)
    plugin.initGui()
    try:
        plugin.actions["predict"].trigger()
        dialog = plugin.dialogs["predict"]
        assert isinstance(dialog, PredictDialog) and dialog.isVisible()
        assert dialog.model.path() == checkpoint
        assert dialog.raster_combo.currentLayer() is project["scene"]
        qtbot.waitUntil(lambda: bool(dialog.model.classes_text()), timeout=RUN_TIMEOUT_MS)
        assert dialog.model.classes_text()[0] == "water"
        dialog.dispose()
    finally:
        plugin.unload()
        flush()


@pytest.mark.parametrize(("mode", "size", "margin", "overlap", "batch", "expected"), [
    ("auto", 512, -1, 0.3, 0, {"window": "auto"}),
    ("auto", 512, 16, 0.3, 4, {"window": "auto", "margin": 16, "batch_size": 4}),
    ("auto", 512, 0, 0.3, 0, {"window": "auto", "margin": 0}),
    ("patch", 512, 16, 0.3, 0, {"window": "patch", "overlap": 0.3}),
    ("size", 512, -1, 0.3, 2, {"window": 512, "batch_size": 2}),
    ("size", 768, 24, 0.3, 0, {"window": 768, "margin": 24}),
])
def test_the_window_settings_send_only_what_is_not_left_to_the_engine(
        dialog, mode, size, margin, overlap, batch, expected):
    windows = dialog.windows
    assert windows.keys() == {"window": "auto"}, "by default the engine chooses everything"
    windows.set_mode(mode)
    windows.size.setValue(size)
    windows.margin.setValue(margin)
    windows.overlap.setValue(overlap)
    windows.batch_size.setValue(batch)
    assert windows.keys() == expected
    assert (windows.size.isEnabled(), windows.margin.isEnabled(),
            windows.overlap.isEnabled()) == (mode == "size", mode != "patch", mode == "patch")
    job = dialog.job() if dialog.model.path() else None
    assert job is None or all(job[key] == value for key, value in expected.items())


def test_a_fixed_window_with_a_margin_predicts_the_whole_raster_as_the_patch_windows_do(
        qtbot, dialog, project, checkpoint, tmp_path):
    assert choose_model(qtbot, dialog, checkpoint) == ""
    written = {}
    for name, mode in (("fixed", "size"), ("patch", "patch")):
        dialog.windows.set_mode(mode)
        dialog.windows.size.setValue(128)
        dialog.windows.margin.setValue(16)
        dialog.name.setText(name)
        assert run_dialog(qtbot, dialog) is RunState.DONE, dialog.panel.message_text()
        data = gdal.Open(str(tmp_path / "out" / f"{name}_classes.tif")).ReadAsArray()
        assert data.shape == (project["scene"].height(), project["scene"].width())
        written[name] = data
    agree = (written["fixed"] == written["patch"]).mean()
    assert agree > 0.9, f"large windows and patch windows agree on {agree:.1%} of the pixels"
