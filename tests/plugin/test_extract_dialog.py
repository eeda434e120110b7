"""The Extract patches dialog in a real headless QGIS, driving the real engine (`satseg extract`,
then `satseg preview`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer
from qgis.PyQt.QtCore import Qt

from conftest import run_dialog
from satseg_plugin.core.engine_runner import RunState
from satseg_plugin.core.layers import ClassRow
from satseg_plugin.gui.extract_dialog import ExtractDialog

RUN_TIMEOUT_MS = 90000
SAMPLE_CLASSES = [(1, "water", "#1f78b4"), (2, "forest", "#1b7837"), (3, "cropland", "#f2c14e"),
                  (4, "built-up", "#e31a1c"), (5, "road", "#3d3d3d"), (6, "grassland", "#a6d96a")]


@pytest.fixture
def project(add_layers, sample_scene):
    """The sample layers (scene, labels, polygons, a 128-px grid) loaded into the project."""
    return add_layers(scene=sample_scene / "scene.tif", labels=sample_scene / "labels.tif",
                      polygons=sample_scene / "labels.gpkg",
                      grid=f"{sample_scene / 'grid.gpkg'}|layername=grid")


@pytest.fixture
def dialog(qgis_iface, project, use_engine, dialogs):
    qgis_iface.messageBar().clear_messages()
    dialog = dialogs(ExtractDialog(qgis_iface))
    dialog.set_images([project["scene"]])
    return dialog


def table(dialog: ExtractDialog) -> list:
    return [(r.value, r.name, r.colour) for r in dialog.classes.rows()]


def test_class_table_is_prefilled_from_the_colour_table_and_from_field_values(dialog, project):
    assert dialog.labels.currentLayer() is project["labels"], "the class raster by default"
    assert len(dialog.classes.rows()) == 6
    dialog.labels.setLayer(project["polygons"])
    dialog.labels.setLayer(project["labels"])
    assert dialog.label_kind_value() == "raster"
    assert table(dialog) == SAMPLE_CLASSES, "the colour table's 6 classes, names and colours"

    dialog.labels.setLayer(project["polygons"])
    assert dialog.label_kind_value() == "vector" and dialog.label_field.currentField() == "class"
    assert [(v, n) for v, n, _ in table(dialog)] == [(v, n) for v, n, _ in SAMPLE_CLASSES], \
        "whole-number values, named by the layer's `name` field"
    assert len({c for _, _, c in table(dialog)}) == 6, "six distinct colours"

    dialog.label_field.setField("name")
    assert [(v, n) for v, n, _ in table(dialog)] == [
        (1, "built-up"), (2, "cropland"), (3, "forest"), (4, "grassland"), (5, "road"),
        (6, "water")], "text values are numbered in sorted order, as the engine does"

    # editable: add a row, rename, remove; the job carries exactly what is shown
    dialog.classes.add_row()
    assert dialog.classes.rows()[-1].value == 7
    with pytest.raises(ValueError, match="Give a name to the class"):
        dialog.classes.classes()
    dialog.classes.table.item(6, 1).setText("snow")
    dialog.classes.table.selectRow(0)
    dialog.classes.remove_selected()
    assert [c["name"] for c in dialog.job()["classes"]] == [
        "cropland", "forest", "grassland", "road", "water", "snow"]


def test_raster_labels_and_a_grid_layer_become_a_dataset_with_summary_and_preview(
        qtbot, dialog, project, tmp_path):
    dialog.labels.setLayer(project["labels"])
    dialog.grid.setLayer(project["grid"])
    assert not dialog.auto_grid_box.isVisibleTo(dialog)
    dialog.classes.table.item(0, 1).setText("lake")  # an edit reaches the dataset
    out = tmp_path / "dataset"
    dialog.output.setFilePath(str(out))
    assert run_dialog(qtbot, dialog) is RunState.DONE
    data = json.loads((out / "dataset.json").read_text())
    assert [c["name"] for c in data["classes"]] == ["lake"] + [n for _, n, _ in
                                                               SAMPLE_CLASSES[1:]]
    assert data["provenance"]["label_kind"] == "raster"
    assert len(list((out / "Patch" / "train" / "images").glob("*.tif"))) == \
        data["splits"]["train"]["patches"] == 11
    summary = dialog.summary_view.toPlainText()
    assert "16 patches: train 11 · validation 2 · test 3" in summary
    assert "lake" in summary and "forest" in summary
    assert dialog.preview_path == str(out / "preview.png") and Path(dialog.preview_path).is_file()
    assert not dialog.preview.pixmap().isNull()
    assert "Dataset written to" in dialog.panel.message_text()


def test_vector_labels_with_an_automatic_grid_become_a_dataset(qtbot, dialog, project,
                                                               tmp_path):
    dialog.labels.setLayer(project["polygons"])
    dialog.grid.setLayer(None)
    assert dialog.auto_grid_box.isVisibleTo(dialog)
    dialog.grid_options.patch_size.setValue(128)
    assert dialog.bands.checkedItems() == [] and dialog.bands.currentText() == "All bands"
    dialog.bands.setCheckedItems([dialog.bands.itemText(i) for i in (1, 2, 6)])
    out = tmp_path / "vector-dataset"
    dialog.output.setFilePath(str(out))
    job = dialog.job()
    assert job["label_kind"] == "vector" and job["label_field"] == "class"
    assert job["bands"] == [2, 3, 7] and job["patch_size"] == 128 and "grid" not in job
    assert run_dialog(qtbot, dialog) is RunState.DONE
    data = json.loads((out / "dataset.json").read_text())
    assert data["band_names"] == ["B3", "B4", "B8"]
    assert data["provenance"]["label_kind"] == "vector"
    assert list((out / "Patch" / "train" / "images").glob("*.tif"))
    assert "patches:" in dialog.summary_view.toPlainText()


def test_an_engine_error_is_shown_and_the_dialog_stays_usable(qtbot, dialog, project, tmp_path):
    out = tmp_path / "existing"
    out.mkdir()
    (out / "dataset.json").write_text("{}")
    dialog.labels.setLayer(project["labels"])
    dialog.grid.setLayer(project["grid"])
    dialog.output.setFilePath(str(out))
    assert run_dialog(qtbot, dialog) is RunState.ENGINE_ERROR
    text = dialog.panel.message_text()
    assert "already holds a dataset" in text and "(key: output_dir)" in text
    assert "set overwrite" in text
    assert dialog.panel.run_button.isEnabled() and dialog.summary_view.toPlainText() == ""
    assert (out / "dataset.json").read_text() == "{}"


def test_cancel_stops_the_run_and_leaves_no_dataset(qtbot, dialog, project, tmp_path):
    dialog.labels.setLayer(project["labels"])
    dialog.grid.setLayer(None)
    dialog.grid_options.patch_size.setValue(16)  # 1 000 patches: long enough to cancel
    out = tmp_path / "cancelled"
    dialog.output.setFilePath(str(out))
    with qtbot.waitSignal(dialog.run_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        with qtbot.waitSignal(dialog.panel.runner_started, timeout=RUN_TIMEOUT_MS):
            dialog.panel.run_button.click()
        dialog.panel.cancel_button.click()
    assert blocker.args[0] is RunState.CANCELLED
    assert "cancelled" in dialog.panel.message_text()
    assert not (out / "dataset.json").exists()
    assert dialog.preview_path == "" and dialog.panel.run_button.isEnabled()


@pytest.mark.parametrize("change, words", [
    ("no_image", "Tick at least one image layer"),
    ("no_labels", "Choose the label layer"),
    ("no_output", "Choose the dataset folder"),
    ("colour_without_classes", "A colour mask needs its classes"),
    ("two_images_raster_labels", "Several images need polygon labels"),
    ("memory_grid", "is not read from a file (provider: memory)"),
    ("repeated_value", "Class values must be distinct"),
])
def test_obvious_mistakes_are_explained_before_running(dialog, project, tmp_path, change, words):
    dialog.labels.setLayer(project["labels"])
    dialog.grid.setLayer(project["grid"])
    dialog.output.setFilePath(str(tmp_path / "never"))
    if change == "no_image":
        dialog.set_images([])
    elif change == "no_labels":
        dialog.labels.setLayer(None)
    elif change == "no_output":
        dialog.output.setFilePath("")
    elif change == "colour_without_classes":
        dialog.label_kind.setCurrentIndex(dialog.label_kind.findData("colour"))
        dialog.classes.set_classes([])
    elif change == "two_images_raster_labels":
        dialog.set_images([project["scene"], project["labels"]])
    elif change == "memory_grid":
        memory = QgsVectorLayer("Polygon?crs=EPSG:32632", "drawn cells", "memory")
        QgsProject.instance().addMapLayer(memory)
        dialog.grid.setLayer(memory)
    elif change == "repeated_value":
        dialog.classes.add_row(ClassRow(1, "again", "#000000"))
    dialog.panel.run_button.click()
    assert words in dialog.panel.message_text()
    assert dialog.panel.runner is None and dialog.panel.run_button.isEnabled()
    assert not (tmp_path / "never").exists()


def test_several_images_in_one_folder_are_sent_as_a_batch(dialog, project, tmp_path):
    source = Path(project["scene"].source())
    folder = tmp_path / "tiles"
    folder.mkdir()
    tiles = []
    for name in ("Image_a.tif", "Image_b.tif"):
        shutil.copy(source, folder / name)
        layer = QgsRasterLayer(str(folder / name), name)
        QgsProject.instance().addMapLayer(layer)
        tiles.append(layer)
    dialog.set_images(tiles)
    assert [item.checkState() == Qt.Checked for item in
            (dialog.images.item(i) for i in range(dialog.images.count()))].count(True) == 2
    dialog.labels.setLayer(project["polygons"])
    dialog.output.setFilePath(str(tmp_path / "batch"))
    job = dialog.job()
    assert job["images_dir"] == str(folder) and job["image_glob"] == "Image_*.tif"
    assert "image" not in job and job["labels"].endswith("labels.gpkg")
    (folder / "Image_c.tif").write_bytes(b"")
    with pytest.raises(ValueError, match=r"also matches Image_c\.tif"):
        dialog.job()


ZERO_SIZE = 80  # 16 rows per value: each value of the 0–4 mask is exactly 20.0 %


def write_tif(path: Path, bands: list, nodata=None) -> Path:
    """A GeoTIFF (10 m, EPSG:32632) of byte bands given as rows of values, written with GDAL."""
    from osgeo import gdal, osr

    rows, cols = len(bands[0]), len(bands[0][0])
    data = gdal.GetDriverByName("GTiff").Create(str(path), cols, rows, len(bands), gdal.GDT_Byte)
    data.SetGeoTransform((500000, 10, 0, 5000000, 0, -10))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32632)
    data.SetProjection(srs.ExportToWkt())
    for index, band in enumerate(bands, start=1):
        data.GetRasterBand(index).WriteRaster(0, 0, cols, rows,
                                              bytes(v for row in band for v in row))
        if nodata is not None:
            data.GetRasterBand(index).SetNoDataValue(nodata)
    data = None
    return path


@pytest.fixture
def zero_mask(add_layers, tmp_path):
    """An 80-px, 2-band image and a research-style 5-class mask (values 0–4 in 16-row stripes,
    no nodata, no colour table) in the project."""
    image = [[(r * 7 + c) % 200 + 1 for c in range(ZERO_SIZE)] for r in range(ZERO_SIZE)]
    mask = [[r // 16] * ZERO_SIZE for r in range(ZERO_SIZE)]
    return add_layers(image=write_tif(tmp_path / "image.tif", [image, image[::-1]], nodata=0),
                      mask=write_tif(tmp_path / "mask04.tif", [mask]))


def test_value_0_without_a_class_is_a_row_the_user_can_make_a_class(qtbot, qgis_iface,
                                                                     zero_mask, use_engine,
                                                                     dialogs, tmp_path):
    dialog = dialogs(ExtractDialog(qgis_iface))
    dialog.set_images([zero_mask["image"]])
    dialog.labels.setLayer(zero_mask["mask"])
    assert dialog.label_kind_value() == "raster"
    rows = dialog.classes.rows()
    assert [(r.value, r.ignored) for r in rows] == [(0, True), (1, False), (2, False),
                                                    (3, False), (4, False)]
    assert "20.0 %" in rows[0].note and "stays unlabelled" in rows[0].note
    assert dialog.classes.table.cellWidget(0, 3).text() == "unlabelled"
    dialog.output.setFilePath(str(tmp_path / "four"))
    assert [c["value"] for c in dialog.job()["classes"]] == [1, 2, 3, 4], "0 stays out"

    dialog.classes.set_class(0)  # the user ticks 'Class' on the value 0 row
    dialog.classes.table.item(0, 1).setText("background")
    assert [c["value"] for c in dialog.job()["classes"]] == [0, 1, 2, 3, 4]
    dialog.grid_options.patch_size.setValue(40)
    for spin, value in zip(dialog.grid_options.ratios, (100, 0, 0), strict=True):
        spin.setValue(value)
    out = tmp_path / "five"
    dialog.output.setFilePath(str(out))
    assert run_dialog(qtbot, dialog) is RunState.DONE, dialog.panel.message_text()
    data = json.loads((out / "dataset.json").read_text())
    assert [c["name"] for c in data["classes"]][:2] == ["background", "class 1"]
    assert "background" in dialog.summary_view.toPlainText()


def test_black_of_a_colour_mask_is_a_row_the_user_can_make_a_class(qgis_iface, add_layers,
                                                                   use_engine, dialogs,
                                                                   tmp_path):
    blue = [[255 if r < 60 else 0 for _ in range(ZERO_SIZE)] for r in range(ZERO_SIZE)]
    zeros = [[0] * ZERO_SIZE for _ in range(ZERO_SIZE)]
    layers_ = add_layers(mask=write_tif(tmp_path / "colours.tif", [zeros, zeros, blue]))
    dialog = dialogs(ExtractDialog(qgis_iface))
    dialog.labels.setLayer(layers_["mask"])
    assert dialog.label_kind_value() == "colour"
    (row,) = dialog.classes.rows()
    assert row.ignored and row.colour == "#000000" and "25.0 %" in row.note
    assert dialog.classes.classes() == [], "not a class until ticked"
    dialog.classes.set_class(0)
    dialog.classes.table.item(0, 1).setText("shadow")
    assert dialog.classes.classes() == [{"value": 0, "name": "shadow", "colour": "#000000"}]
