"""The polygons of a prediction (`satseg vectorize`, `predict --vectorize`) as a vector layer
styled by class: a categorised renderer on `class_value`, one category per class with the
class's colour and name, as the class raster shows them. No widgets: usable headless."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsLayerTreeGroup,
    QgsProject,
    QgsRendererCategory,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QColor

from ..gui.i18n import translate
from .styling import FALLBACK_COLOUR

LAYER = "polygons"
FIELD = "class_value"
#: fills let the image show through a little; outlines are the class colour, darker
LAYER_OPACITY = 0.8


def class_symbol(colour: str) -> QgsFillSymbol:
    fill = QColor(colour) if colour and QColor(colour).isValid() else QColor(FALLBACK_COLOUR)
    return QgsFillSymbol.createSimple({"color": fill.name(), "outline_color":
                                       fill.darker(150).name(), "outline_width": "0.2"})


def style_polygon_layer(layer: QgsVectorLayer,
                        classes: Optional[Sequence[Mapping[str, Any]]] = None) -> None:
    """One category per class (value, colour, name), in the given order; without `classes`,
    the classes the layer holds (its `class_name` and `colour` fields)."""
    if not classes:
        seen = {}
        for feature in layer.getFeatures():
            seen.setdefault(int(feature[FIELD]), {"value": int(feature[FIELD]),
                                                  "name": feature["class_name"],
                                                  "colour": feature["colour"]})
        classes = [seen[v] for v in sorted(seen)]
    categories = [QgsRendererCategory(int(c["value"]), class_symbol(str(c.get("colour") or "")),
                                      str(c.get("name") or c["value"])) for c in classes]
    layer.setRenderer(QgsCategorizedSymbolRenderer(FIELD, categories))
    layer.setOpacity(LAYER_OPACITY)
    layer.triggerRepaint()


def polygons_title(name: str) -> str:
    return translate("satseg", "{name} polygons").format(name=name)


def add_polygons_layer(project: QgsProject, path: str, title: str,
                       classes: Optional[Sequence[Mapping[str, Any]]] = None,
                       group_name: Optional[str] = None) -> QgsVectorLayer:
    """Add layer `polygons` of `path`, styled by class, at the top of the group `group_name`
    (or of the layer tree). ValueError when QGIS cannot open it."""
    layer = QgsVectorLayer(f"{path}|layername={LAYER}", title, "ogr")
    if not layer.isValid():
        raise ValueError(translate("satseg", "QGIS could not open the polygons {path}.")
                         .format(path=path))
    style_polygon_layer(layer, classes)
    project.addMapLayer(layer, False)
    root = project.layerTreeRoot()
    group = root.findGroup(group_name) if group_name else None
    parent = group if isinstance(group, QgsLayerTreeGroup) else root
    parent.insertLayer(0, layer)
    return layer
