"""The Grid dialog in a real headless QGIS, driving the real engine (`satseg grid`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from qgis.core import (
    Qgis,
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.gui import QgsMapMouseEvent
from qgis.PyQt.QtCore import QEvent, QPoint, Qt

import satseg_plugin
from conftest import flush, run_dialog
from satseg_plugin.core.engine_runner import RunState
from satseg_plugin.gui import log_dock
from satseg_plugin.gui.extract_dialog import ExtractDialog
from satseg_plugin.gui.grid_dialog import GridDialog
from satseg_plugin.gui.log_dock import LogDock

SCENE_PX = 512


@pytest.fixture
def project(add_layers, sample_scene):
    """The sample layers loaded into the project; removed again afterwards."""
    return add_layers(scene=sample_scene / "scene.tif", labels=sample_scene / "labels.tif",
                      polygons=sample_scene / "labels.gpkg")


@pytest.fixture
def dialog(qgis_iface, project, use_engine, dialogs):
    qgis_iface.messageBar().clear_messages()
    dialog = dialogs(GridDialog(qgis_iface))
    dialog.raster.setLayer(project["scene"])
    return dialog


def test_a_loaded_raster_becomes_a_grid_layer_styled_by_split(qtbot, dialog, project,
                                                              tmp_path):
    output = tmp_path / "cells.gpkg"
    dialog.options.patch_size.setValue(128)
    assert dialog.options.ground_size.text() == "= 1\u202f280 m"
    dialog.output.setFilePath(str(output))
    assert run_dialog(qtbot, dialog) is RunState.DONE
    assert output.is_file()
    layer = dialog.grid_layer
    assert layer is not None and QgsProject.instance().mapLayer(layer.id()) is layer
    assert layer.featureCount() == (SCENE_PX // 128) ** 2
    renderer = layer.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer)
    assert renderer.classAttribute() == "split"
    categories = renderer.categories()
    assert [c.value() for c in categories] == ["train", "validation", "test"]
    colours = {c.symbol().color().name() for c in categories}
    assert len(colours) == 3 and all(0 < c.symbol().color().alpha() < 255 for c in categories)
    assert "16 cells: 11 train" in dialog.panel.message_text()
    assert dialog.panel.run_button.isEnabled() and not dialog.panel.progress.isVisible()

    # run again with "replace": the old layer of that file is replaced, not duplicated
    dialog.overwrite.setChecked(True)
    dialog.options.patch_size.setValue(256)
    assert run_dialog(qtbot, dialog) is RunState.DONE
    grids = [lyr for lyr in QgsProject.instance().mapLayers().values() if lyr.name() == "cells"]
    assert len(grids) == 1 and grids[0].featureCount() == 4


@pytest.mark.parametrize("with_log_dock", [False, True])
def test_an_engine_error_is_shown_in_the_dialog_and_the_message_bar(qtbot, qgis_iface, dialog,
                                                                    tmp_path, with_log_dock):
    output = tmp_path / "taken.gpkg"
    output.write_bytes(b"not a grid")
    dialog.output.setFilePath(str(output))
    dock = LogDock(qgis_iface) if with_log_dock else None
    log_dock.set_active_dock(dock)
    try:
        assert run_dialog(qtbot, dialog) is RunState.ENGINE_ERROR
    finally:
        log_dock.set_active_dock(None)
    text = dialog.panel.message_text()
    assert "already exists" in text and "(key: output)" in text and "overwrite" in text
    bar = qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert len(bar) == 1 and "already exists" in bar[0], "one message, from dock or dialog"
    if dock is not None:
        assert "grid started (engine" in dock.text() and "ERROR Grid: output:" in dock.text()
        dock.deleteLater()
    assert dialog.panel.run_button.isEnabled(), "the dialog stays usable after an error"
    assert output.read_bytes() == b"not a grid"


def canvas_for(qgis_iface, crs: QgsCoordinateReferenceSystem, extent: QgsRectangle):
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(crs)
    canvas.setExtent(extent)
    return canvas


def screen_point(canvas, point) -> tuple:
    """Canvas pixel of a map point (whatever size the headless canvas has)."""
    pixel = canvas.getCoordinateTransform().transform(point)
    return round(pixel.x()), round(pixel.y())


def mouse(canvas, kind: QEvent.Type, x: int, y: int) -> QgsMapMouseEvent:
    buttons = Qt.NoButton if kind == QEvent.MouseMove else Qt.LeftButton
    return QgsMapMouseEvent(canvas, kind, QPoint(x, y), Qt.LeftButton, buttons, Qt.NoModifier)


def test_a_rectangle_drawn_on_a_geographic_canvas_becomes_an_extent_in_the_raster_crs(
        qgis_iface, dialog, project):
    scene = project["scene"]
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    to_wgs84 = QgsCoordinateTransform(scene.crs(), wgs84, QgsProject.instance())
    canvas = canvas_for(qgis_iface, wgs84, to_wgs84.transformBoundingBox(scene.extent()))
    dialog.show()
    dialog.area.start_drawing()
    assert canvas.mapTool() is dialog.area.tool and not dialog.isVisible()
    tool = dialog.area.tool
    full = scene.extent()
    inner = [to_wgs84.transform(full.xMinimum() + f * full.width(),
                                full.yMinimum() + f * full.height()) for f in (0.2, 0.8)]
    (x0, y0), (x1, y1) = [screen_point(canvas, point) for point in inner]
    tool.canvasPressEvent(mouse(canvas, QEvent.MouseButtonPress, x0, y0))
    tool.canvasMoveEvent(mouse(canvas, QEvent.MouseMove, (x0 + x1) // 2, (y0 + y1) // 2))
    tool.canvasReleaseEvent(mouse(canvas, QEvent.MouseButtonRelease, x1, y1))
    assert dialog.isVisible() and canvas.mapTool() is not dialog.area.tool
    assert dialog.area.area() == "rectangle"
    drawn, crs = dialog.area.rectangle
    assert crs.authid() == "EPSG:4326"
    job = dialog.job()
    expected = to_wgs84.transformBoundingBox(drawn, QgsCoordinateTransform.ReverseTransform)
    xmin, ymin, xmax, ymax = job["extent"]
    assert (xmin, ymin, xmax, ymax) == pytest.approx(
        [expected.xMinimum(), expected.yMinimum(), expected.xMaximum(), expected.yMaximum()])
    assert full.xMinimum() < xmin < xmax < full.xMaximum(), "metres of the UTM raster"
    assert full.yMinimum() < ymin < ymax < full.yMaximum()
    assert "aoi" not in job and job["image"].endswith("scene.tif")
    dialog.hide()


def test_the_job_carries_every_choice(dialog, project, tmp_path):
    dialog.area.set_area("aoi")
    dialog.area.aoi.setLayer(project["polygons"])
    dialog.options.patch_size.setValue(64)
    dialog.options.overlap.setValue(16)
    dialog.options.max_nodata.setValue(20)
    dialog.options.split_method.setCurrentIndex(dialog.options.split_method.findData("blocks"))
    for spin, value in zip(dialog.options.ratios, (60, 20, 20), strict=True):
        spin.setValue(value)
    dialog.options.seed.setValue(7)
    dialog.options.block_size.setValue(3)
    dialog.labels.setLayer(project["polygons"])
    dialog.min_labelled.setValue(25)
    dialog.output.setFilePath(str(tmp_path / "g"))
    sample = str(Path(project["scene"].source()).parent)
    assert dialog.job() == {
        "image": f"{sample}/scene.tif", "aoi": f"{sample}/labels.gpkg", "patch_size": 64,
        "overlap": 16, "max_nodata_frac": 0.2, "split_method": "blocks",
        "ratios": [0.6, 0.2, 0.2], "seed": 7, "block_size": 3,
        "labels": f"{sample}/labels.gpkg", "min_labelled_frac": 0.25, "label_kind": "vector",
        "label_field": "class", "output": str(tmp_path / "g.gpkg"), "overwrite": False}


def test_block_size_starts_at_the_engines_auto_choice(dialog):
    dialog.options.split_method.setCurrentIndex(dialog.options.split_method.findData("blocks"))
    assert dialog.options.block_size.text() == "Auto"
    assert dialog.options.keys()["block_size"] == 0


@pytest.mark.parametrize("change, words", [
    ("no_raster", "Choose the raster the grid is laid on"),
    ("no_output", "Choose where to save the grid"),
    ("no_rectangle", "Draw the rectangle on the map first"),
    ("memory_aoi", "is not read from a file (provider: memory)"),
    ("overlap", "must be smaller than the patch size"),
    ("attribute_without_aoi", "needs the area 'Polygons of a layer (AOI)'"),
])
def test_obvious_mistakes_are_explained_before_running(dialog, change, words):
    dialog.output.setFilePath("/tmp/never-written.gpkg")
    memory = None
    if change == "no_raster":
        dialog.raster.setLayer(None)
    elif change == "no_output":
        dialog.output.setFilePath("")
    elif change == "no_rectangle":
        dialog.area.set_area("rectangle")
    elif change == "memory_aoi":
        memory = QgsVectorLayer("Polygon?crs=EPSG:32632", "sketch", "memory")
        QgsProject.instance().addMapLayer(memory)
        dialog.area.aoi.setLayer(memory)
        dialog.area.set_area("aoi")
    elif change == "overlap":
        dialog.options.overlap.setValue(dialog.options.patch_size.value())
    elif change == "attribute_without_aoi":
        dialog.options.split_method.setCurrentIndex(
            dialog.options.split_method.findData("attribute"))
        dialog.options.attribute.setLayer(None)
        dialog.options.attribute.setField("")
    dialog.panel.run_button.click()
    assert words in dialog.panel.message_text()
    assert dialog.panel.runner is None, "nothing was started"
    assert dialog.panel.run_button.isEnabled()
    assert not os.path.exists("/tmp/never-written.gpkg")


def test_the_plugin_menu_opens_the_grid_and_extraction_dialogs(qgis_iface, project):
    plugin = satseg_plugin.classFactory(qgis_iface)
    plugin.initGui()
    try:
        plugin.actions["grid"].trigger()
        plugin.actions["extract"].trigger()
        grid, extract = plugin.dialogs["grid"], plugin.dialogs["extract"]
        assert isinstance(grid, GridDialog) and grid.isVisible()
        assert isinstance(extract, ExtractDialog) and extract.isVisible()
        assert grid.raster.currentLayer() is project["scene"]
        assert "labels" in [extract.images.item(i).text() for i in range(extract.images.count())]
        extract.dispose()
    finally:
        plugin.unload()
        flush()
