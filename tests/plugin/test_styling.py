"""Prediction styles and layer groups (core/styling.py) and the confidence preview control, on
real GeoTIFFs laid out like `satseg predict` writes them, in a real headless QGIS."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, osr
from qgis.core import (
    QgsColorRampShader,
    QgsLayerTreeGroup,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPalettedRasterRenderer,
    QgsProject,
    QgsRasterLayer,
    QgsSingleBandPseudoColorRenderer,
)
from qgis.PyQt.QtCore import QCoreApplication, QEvent, QSize
from qgis.PyQt.QtGui import QColor

from satseg_plugin.core import styling
from satseg_plugin.gui.confidence_preview import ConfidencePreview

CLASSES = [{"value": 1, "name": "water", "colour": "#1f78b4"},
           {"value": 4, "name": "forest", "colour": "#33a02c"},
           {"value": 9, "name": "urban", "colour": "#e31a1c"}]
SIZE = 100  # pixels; confidence grows from 0 (left column) to ~1 (right column)
ORIGIN = (500_000.0, 4_000_000.0)


def write_tif(path: Path, data: np.ndarray, gdal_type: int, nodata: float) -> gdal.Dataset:
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), SIZE, SIZE, 1, gdal_type)
    dataset.SetGeoTransform((ORIGIN[0], 10.0, 0.0, ORIGIN[1], 0.0, -10.0))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32632)
    dataset.SetProjection(srs.ExportToWkt())
    band = dataset.GetRasterBand(1)
    band.SetNoDataValue(nodata)
    band.WriteArray(data)
    return dataset


@pytest.fixture
def outputs(tmp_path) -> dict:
    """run_classes.tif (uint8, colour table, satseg_classes tag) and run_confidence.tif."""
    classes = np.tile(np.repeat(np.array([1, 4, 9], np.uint8), [40, 30, 30]), (SIZE, 1))
    classes[:5, :5] = 255
    dataset = write_tif(tmp_path / "run_classes.tif", classes, gdal.GDT_Byte, 255)
    table = gdal.ColorTable()
    for cls in CLASSES:
        colour = QColor(cls["colour"])
        table.SetColorEntry(cls["value"], (colour.red(), colour.green(), colour.blue(), 255))
    dataset.GetRasterBand(1).SetColorTable(table)
    dataset.GetRasterBand(1).SetMetadataItem(styling.CLASSES_TAG, json.dumps(CLASSES))
    dataset = None
    confidence = np.tile(np.arange(SIZE, dtype=np.float32) / SIZE, (SIZE, 1))
    confidence[:5, :5] = -1
    dataset = write_tif(tmp_path / "run_confidence.tif", confidence, gdal.GDT_Float32, -1)
    dataset = None
    return {"classes": str(tmp_path / "run_classes.tif"),
            "confidence": str(tmp_path / "run_confidence.tif")}


@pytest.fixture
def project(qgis_app, qgis_new_project):
    project = QgsProject.instance()
    yield project
    project.removeAllMapLayers()
    project.layerTreeRoot().removeAllChildren()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


def layer(path: str) -> QgsRasterLayer:
    loaded = QgsRasterLayer(path, Path(path).stem, "gdal")
    assert loaded.isValid()
    return loaded


def entries(renderer: QgsPalettedRasterRenderer) -> list:
    return [(int(c.value), c.label, c.color.name()) for c in renderer.classes()]


def ramp_items(raster: QgsRasterLayer) -> list:
    function = raster.renderer().shader().rasterShaderFunction()
    return [function.colorRampType()] + [(i.value, i.color.name(QColor.HexArgb), i.label)
                                         for i in function.colorRampItemList()]


def rendered_row(raster: QgsRasterLayer) -> list:
    """Colours of the middle row of the layer drawn alone, one per pixel column."""
    settings = QgsMapSettings()
    settings.setLayers([raster])
    settings.setDestinationCrs(raster.crs())
    settings.setExtent(raster.extent())
    settings.setOutputSize(QSize(SIZE, SIZE))
    settings.setBackgroundColor(QColor(0, 0, 0, 0))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    return [image.pixelColor(x, SIZE // 2) for x in range(SIZE)]


@pytest.mark.parametrize(("given", "expected"), [
    (CLASSES, [(1, "water", "#1f78b4"), (4, "forest", "#33a02c"), (9, "urban", "#e31a1c")]),
    ([{"value": 1, "name": "lake", "colour": "#000080"}, {"value": 4, "name": "wood"},
      {"value": 9, "name": "town", "colour": "not a colour"}],
     [(1, "lake", "#000080"), (4, "wood", "#33a02c"), (9, "town", "#9e9e9e")]),
])
def test_class_layer_legend_has_the_model_class_names_and_colours(project, outputs, given,
                                                                  expected):
    classes = layer(outputs["classes"])
    styling.style_class_layer(classes, given)
    assert isinstance(classes.renderer(), QgsPalettedRasterRenderer)
    assert entries(classes.renderer()) == expected, \
        "a missing colour comes from the colour table, a broken one is grey"
    legend = [text for text, _ in classes.renderer().legendSymbologyItems()]
    assert legend == [name for _, name, _ in expected]


def test_confidence_layer_is_a_pseudocolour_ramp_from_0_to_1(project, outputs):
    confidence = layer(outputs["confidence"])
    styling.style_confidence_layer(confidence)
    renderer = confidence.renderer()
    assert isinstance(renderer, QgsSingleBandPseudoColorRenderer) and renderer.band() == 1
    assert (renderer.classificationMin(), renderer.classificationMax()) == (0.0, 1.0)
    function = renderer.shader().rasterShaderFunction()
    assert function.colorRampType() == QgsColorRampShader.Interpolated
    assert [i.value for i in function.colorRampItemList()] == [0.0, 0.25, 0.5, 0.75, 1.0]
    row = rendered_row(confidence)
    assert row[0].name() == "#d7191c", "confidence 0 is the ramp's first colour"
    assert row[0].red() > row[0].green() and row[-1].green() > row[-1].red(), "unsure is red"


@pytest.mark.parametrize(("threshold", "hide"), [(0.5, True), (0.3, False), (0.8, True)])
def test_preview_highlights_pixels_below_the_threshold(project, outputs, threshold, hide):
    confidence = layer(outputs["confidence"])
    styling.apply_confidence_preview(confidence, threshold, hide)
    renderer = confidence.renderer()
    assert (renderer.classificationMin(), renderer.classificationMax()) == (0.0, 1.0)
    function = renderer.shader().rasterShaderFunction()
    assert function.colorRampType() == QgsColorRampShader.Discrete
    items = function.colorRampItemList()
    assert [i.value for i in items] == pytest.approx(
        [threshold / 3, 2 * threshold / 3, threshold, 1.0])
    assert "confident" in items[-1].label and f"{threshold:.2f}" in items[-1].label
    assert styling.preview_threshold(confidence) == pytest.approx(threshold)
    ok, *below = function.shade(threshold - 0.01)
    assert ok and below[3] == 255 and below[0] > below[1] < below[2], \
        "below the threshold: opaque magenta"
    _, *at = function.shade(threshold)
    assert at[3] == (0 if hide else styling.CONFIDENT_VEIL.alpha())

    row = rendered_row(confidence)
    cut = round(threshold * SIZE)
    assert all(c.alpha() == 255 for c in row[:cut - 1]), "every unsure pixel is drawn"
    assert all(c.red() > c.green() < c.blue() for c in row[:cut - 1])
    confident_alpha = {c.alpha() for c in row[cut + 1:]}
    assert confident_alpha == ({0} if hide else {styling.CONFIDENT_VEIL.alpha()})
    assert row[0] != row[cut - 2], "darker where the model is least sure"


def test_prediction_group_holds_the_styled_layers_and_is_replaced(project, outputs):
    other = project.layerTreeRoot().addGroup("my layers")
    classes, confidence = styling.load_prediction_group(project, outputs, None, "Prediction")
    root = project.layerTreeRoot()
    group = root.children()[0]
    assert isinstance(group, QgsLayerTreeGroup) and group.name() == "Prediction"
    assert [n.layer() for n in group.findLayers()] == [confidence, classes], \
        "confidence above classes, so a preview overlays them"
    assert [n.isVisible() for n in group.findLayers()] == [False, True]
    assert (classes.name(), confidence.name()) == ("run classes", "run confidence")
    assert entries(classes.renderer()) == [(c["value"], c["name"], c["colour"])
                                           for c in CLASSES], "the embedded class table"
    assert isinstance(confidence.renderer(), QgsSingleBandPseudoColorRenderer)

    again, _ = styling.load_prediction_group(project, outputs, CLASSES[:2], "Prediction")
    names = [child.name() for child in root.children()]
    assert names == ["Prediction", "my layers"] and other in root.children()
    assert len(project.mapLayers()) == 2, "the old layers went with the old group"
    assert [e[1] for e in entries(again.renderer())] == ["water", "forest"]


def test_share_below_reads_the_confidence_histogram(project, outputs):
    histogram = styling.confidence_histogram(layer(outputs["confidence"]))
    assert sum(histogram) == SIZE * SIZE - 25, "nodata left out"
    assert styling.share_below(histogram, 0.5) == pytest.approx(0.5, abs=0.01)
    assert styling.share_below(histogram, 0.0) == 0.0
    assert styling.share_below([0] * 10, 0.5) is None


def test_preview_control_applies_and_restores_the_renderer(qtbot, project, outputs):
    _, confidence = styling.load_prediction_group(project, outputs, None, "Prediction")
    control = ConfidencePreview()
    qtbot.addWidget(control)
    control.set_layer(confidence)
    original = ramp_items(confidence)
    assert not control.enabled.isChecked() and not control.is_active()

    control.set_threshold(0.3)
    control.enabled.setChecked(True)
    assert control.is_active()
    assert styling.preview_threshold(confidence) == pytest.approx(0.3)
    assert project.layerTreeRoot().findLayer(confidence.id()).isVisible(), "shown on the map"
    assert "29.8% of the pixels have a confidence below 0.30" in control.share.text(), \
        "(30 columns × 100 − 25 nodata) / 9 975 pixels"

    control.slider.setValue(60)
    assert control.threshold() == 0.6 and control.spin.value() == pytest.approx(0.6)
    assert styling.preview_threshold(confidence) == pytest.approx(0.6)
    function = confidence.renderer().shader().rasterShaderFunction()
    assert function.shade(0.9)[4] == 0, "confident pixels hidden by default"
    control.hide_confident.setChecked(False)
    function = confidence.renderer().shader().rasterShaderFunction()
    assert function.shade(0.9)[4] == styling.CONFIDENT_VEIL.alpha()

    control.enabled.setChecked(False)
    restored = confidence.renderer()
    assert styling.preview_threshold(confidence) is None
    assert isinstance(restored, QgsSingleBandPseudoColorRenderer)
    assert (restored.classificationMin(), restored.classificationMax()) == (0.0, 1.0)
    assert ramp_items(confidence) == original, "the 0–1 ramp is back, item for item"

    # the preview follows a newly chosen layer; the old one gets its renderer back
    control.enabled.setChecked(True)
    other = layer(outputs["confidence"])
    project.addMapLayer(other)
    control.set_layer(other)
    assert styling.preview_threshold(other) == pytest.approx(0.6)
    assert styling.preview_threshold(confidence) is None
    project.removeMapLayer(other.id())
    assert not control.is_active()
    control.dispose()
