"""Styles and layer groups for prediction outputs. No widgets and no iface: usable headless
(e.g. from a script that builds a QGIS project) as well as from the Predict dialog.

* `style_class_layer(layer, classes)`: paletted renderer with the model's class names and
  colours, so the legend lists them.
* `style_confidence_layer(layer)`: single-band pseudocolour, 0–1 ramp (red = unsure).
* `apply_confidence_preview(layer, threshold, hide_confident)`: highlight pixels whose confidence
  is below `threshold` (graded magentas), confident ones faint or transparent.
* `load_prediction_group(project, outputs, classes, group_name)`: the outputs as a layer group.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from qgis.core import (
    QgsColorRampShader,
    QgsContrastEnhancement,
    QgsGradientColorRamp,
    QgsGradientStop,
    QgsLayerTreeGroup,
    QgsMultiBandColorRenderer,
    QgsPalettedRasterRenderer,
    QgsProject,
    QgsRasterLayer,
    QgsRasterMinMaxOrigin,
    QgsRasterShader,
    QgsSingleBandPseudoColorRenderer,
)
from qgis.PyQt.QtGui import QColor

from ..gui.i18n import translate

CLASSES_TAG = "satseg_classes"
CLASS_NODATA = 255
#: confidence ramp (ColorBrewer RdYlGn): position 0–1 -> colour; low confidence is red
CONFIDENCE_STOPS: Tuple[Tuple[float, str], ...] = (
    (0.0, "#d7191c"), (0.25, "#fdae61"), (0.5, "#ffffbf"), (0.75, "#a6d96a"), (1.0, "#1a9641"))
#: colours of the preview's classes below the threshold, least confident first: magentas
#: (ColorBrewer RdPu), a hue land-cover palettes rarely use, so they stand out over classes
UNSURE_COLOURS = ("#49006a", "#ae017e", "#f768a1")
#: confident pixels when they are not hidden: a light veil that dims what lies beneath
CONFIDENT_VEIL = QColor(255, 255, 255, 110)
TRANSPARENT = QColor(0, 0, 0, 0)
FALLBACK_COLOUR = "#9e9e9e"


#: false-colour composites, first match wins (band descriptions, case-insensitive)
COMPOSITES = (("b8", "b4", "b3"), ("b08", "b04", "b03"), ("nir", "red", "green"),
              ("b4", "b3", "b2"), ("red", "green", "blue"))


# -- images -----------------------------------------------------------------------------------
def composite_bands(layer: QgsRasterLayer) -> Tuple[int, int, int]:
    """1-based bands for a false-colour view, chosen from the band descriptions (NIR/red/green
    for Sentinel-2 names); the first three bands otherwise."""
    provider = layer.dataProvider()
    names = [provider.generateBandName(i).split(":")[-1].strip().lower()
             for i in range(1, layer.bandCount() + 1)]
    for combo in COMPOSITES:
        if all(name in names for name in combo):
            return tuple(names.index(name) + 1 for name in combo)  # type: ignore[return-value]
    count = layer.bandCount()
    return (1, min(2, count), min(3, count))


def style_composite(layer: QgsRasterLayer) -> Tuple[int, int, int]:
    """Show a multispectral layer as a false-colour composite stretched to its 2–98 % range."""
    bands = composite_bands(layer)
    renderer = QgsMultiBandColorRenderer(layer.dataProvider(), *bands)
    layer.setRenderer(renderer)
    layer.setContrastEnhancement(QgsContrastEnhancement.StretchToMinimumMaximum,
                                 QgsRasterMinMaxOrigin.CumulativeCut)
    layer.triggerRepaint()
    return bands


# -- classes ----------------------------------------------------------------------------------
def read_classes(path: str) -> List[Dict[str, Any]]:
    """The class table [{value, name, colour}] embedded in a `_classes.tif` (band tag
    `satseg_classes`); [] when the file has none or GDAL's Python bindings are missing."""
    try:
        from osgeo import gdal
    except ImportError:
        return []
    dataset = gdal.Open(path)
    if dataset is None:
        return []
    text = (dataset.GetRasterBand(1).GetMetadataItem(CLASSES_TAG)
            or dataset.GetMetadataItem(CLASSES_TAG))
    dataset = None
    try:
        classes = json.loads(text) if text else []
    except ValueError:
        return []
    return [dict(c) for c in classes if isinstance(c, dict) and "value" in c]


def _colour(value: Any) -> QColor:
    colour = QColor(str(value)) if value else QColor()
    return colour if colour.isValid() else QColor(FALLBACK_COLOUR)


def style_class_layer(layer: QgsRasterLayer, classes: Sequence[Mapping[str, Any]]) -> None:
    """Paletted renderer: one entry per class (value, colour, name), in the given order.

    Classes without a colour get the raster's colour-table colour, else grey.
    """
    table = {int(item.value): item.color for item in layer.dataProvider().colorTable(1) or []}
    entries = []
    for cls in classes:
        value = int(cls["value"])
        colour = (_colour(cls.get("colour")) if cls.get("colour")
                  else QColor(table.get(value, QColor(FALLBACK_COLOUR))))
        entries.append(QgsPalettedRasterRenderer.Class(value, colour,
                                                       str(cls.get("name") or value)))
    layer.setRenderer(QgsPalettedRasterRenderer(layer.dataProvider(), 1, entries))
    layer.triggerRepaint()


# -- confidence ---------------------------------------------------------------------------------
def confidence_ramp() -> QgsGradientColorRamp:
    first, *middle, last = CONFIDENCE_STOPS
    stops = [QgsGradientStop(position, QColor(colour)) for position, colour in middle]
    return QgsGradientColorRamp(QColor(first[1]), QColor(last[1]), False, stops)


def _pseudocolour(layer: QgsRasterLayer, shader_function: QgsColorRampShader
                  ) -> QgsSingleBandPseudoColorRenderer:
    shader = QgsRasterShader(0.0, 1.0)
    shader.setRasterShaderFunction(shader_function)
    renderer = QgsSingleBandPseudoColorRenderer(layer.dataProvider(), 1, shader)
    renderer.setClassificationMin(0.0)
    renderer.setClassificationMax(1.0)
    return renderer


def style_confidence_layer(layer: QgsRasterLayer) -> None:
    """Single-band pseudocolour, interpolated from red (0, unsure) to green (1, confident)."""
    function = QgsColorRampShader(0.0, 1.0, confidence_ramp(), QgsColorRampShader.Interpolated)
    function.setColorRampItemList([
        QgsColorRampShader.ColorRampItem(position, QColor(colour), f"{position:g}")
        for position, colour in CONFIDENCE_STOPS])
    function.setClip(False)
    layer.setRenderer(_pseudocolour(layer, function))
    layer.triggerRepaint()


def preview_items(threshold: float, hide_confident: bool
                  ) -> List[QgsColorRampShader.ColorRampItem]:
    """Discrete classes: three shades of magenta below `threshold`, then one for confident
    pixels (transparent when hidden, else a light veil)."""
    threshold = min(max(float(threshold), 0.0), 1.0)
    steps = len(UNSURE_COLOURS)
    items = []
    lower = 0.0
    for index, colour in enumerate(UNSURE_COLOURS, start=1):
        upper = threshold if index == steps else threshold * index / steps
        # a discrete class takes values <= its bound: the threshold itself is confident
        bound = math.nextafter(upper, -math.inf) if index == steps else upper
        label = (translate("satseg", "below {value}").format(value=f"{upper:.2f}")
                 if index == 1 else f"{lower:.2f} – {upper:.2f}")
        items.append(QgsColorRampShader.ColorRampItem(bound, QColor(colour), label))
        lower = upper
    confident = translate("satseg", "{value} and above (confident)").format(
        value=f"{threshold:.2f}")
    items.append(QgsColorRampShader.ColorRampItem(
        1.0, QColor(TRANSPARENT if hide_confident else CONFIDENT_VEIL), confident))
    return items


def apply_confidence_preview(layer: QgsRasterLayer, threshold: float,
                             hide_confident: bool) -> None:
    """Highlight the pixels whose confidence is below `threshold` (magentas, darkest where
    the model is least sure); confident pixels are a faint veil, or transparent when
    `hide_confident` (so the class layer beneath shows through)."""
    function = QgsColorRampShader(0.0, 1.0, None, QgsColorRampShader.Discrete)
    function.setColorRampItemList(preview_items(threshold, hide_confident))
    function.setClip(False)
    layer.setRenderer(_pseudocolour(layer, function))
    layer.triggerRepaint()


def preview_threshold(layer: QgsRasterLayer) -> Optional[float]:
    """The threshold of a preview renderer set by `apply_confidence_preview`, else None."""
    renderer = layer.renderer()
    if not isinstance(renderer, QgsSingleBandPseudoColorRenderer) or renderer.shader() is None:
        return None
    function = renderer.shader().rasterShaderFunction()
    if not isinstance(function, QgsColorRampShader) or \
            function.colorRampType() != QgsColorRampShader.Discrete:
        return None
    items = function.colorRampItemList()
    if len(items) != len(UNSURE_COLOURS) + 1:
        return None
    return math.nextafter(items[len(UNSURE_COLOURS) - 1].value, math.inf)


def confidence_histogram(layer: QgsRasterLayer, bins: int = 100,
                         sample_size: int = 250_000) -> List[int]:
    """Pixel counts of confidence in `bins` equal bins over 0–1 (nodata excluded), from a
    sample of at most `sample_size` pixels so that large rasters stay quick."""
    histogram = layer.dataProvider().histogram(1, bins, 0.0, 1.0, layer.extent(), sample_size)
    return [int(n) for n in histogram.histogramVector]


def share_below(histogram: Sequence[int], threshold: float) -> Optional[float]:
    """Share (0–1) of pixels below `threshold` from a 0–1 histogram; None when it is empty."""
    total = sum(histogram)
    if not total:
        return None
    cut = round(min(max(threshold, 0.0), 1.0) * len(histogram))
    return sum(histogram[:cut]) / total


# -- the layer group ----------------------------------------------------------------------------
def layer_titles(name: str) -> Dict[str, str]:
    """output role -> layer name."""
    return {"classes": translate("satseg", "{name} classes").format(name=name),
            "confidence": translate("satseg", "{name} confidence").format(name=name),
            "probabilities": translate("satseg", "{name} probabilities").format(name=name)}


def remove_group(project: QgsProject, group_name: str) -> None:
    """Remove a top-level group of that name and its layers (a re-run replaces them)."""
    root = project.layerTreeRoot()
    for child in list(root.children()):
        if isinstance(child, QgsLayerTreeGroup) and child.name() == group_name:
            ids = [node.layerId() for node in child.findLayers()]
            root.removeChildNode(child)
            if ids:
                project.removeMapLayers(ids)


def load_prediction_group(project: QgsProject, outputs: Mapping[str, str],
                          classes: Optional[Sequence[Mapping[str, Any]]],
                          group_name: str) -> Tuple[QgsRasterLayer, QgsRasterLayer]:
    """Add the outputs (role -> path: classes, confidence, optional probabilities) as a group
    at the top of the layer tree, replacing a group of the same name.

    The class layer shows the model's classes (`classes`, or the table embedded in the file
    when None). The confidence layer sits above it, unticked, ramped 0–1: tick it, or apply a
    preview to it, to see where the model is unsure. Returns (class layer, confidence layer).
    ValueError when an output cannot be opened.
    """
    remove_group(project, group_name)
    stem = _output_stem(outputs["classes"])
    titles = layer_titles(stem)
    opened: Dict[str, QgsRasterLayer] = {}
    for role in ("confidence", "classes", "probabilities"):
        path = outputs.get(role)
        if not path:
            continue
        layer = QgsRasterLayer(str(path), titles[role], "gdal")
        if not layer.isValid():
            raise ValueError(translate("satseg", "QGIS could not open the prediction output "
                                                 "{path}.").format(path=path))
        opened[role] = layer
    if "classes" not in opened or "confidence" not in opened:
        raise ValueError(translate("satseg", "The prediction outputs lack the class or the "
                                             "confidence raster."))
    style_class_layer(opened["classes"],
                      list(classes) if classes else read_classes(str(outputs["classes"])))
    style_confidence_layer(opened["confidence"])
    group = project.layerTreeRoot().insertGroup(0, group_name)
    for role, layer in opened.items():
        project.addMapLayer(layer, False)
        node = group.addLayer(layer)
        node.setItemVisibilityChecked(role == "classes")
        if role == "probabilities":
            node.setExpanded(False)
    return opened["classes"], opened["confidence"]


def _output_stem(path: str) -> str:
    base = os.path.basename(str(path))
    return base[:-len("_classes.tif")] if base.endswith("_classes.tif") \
        else os.path.splitext(base)[0]
