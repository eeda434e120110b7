"""The Predict dialog's area box: whole raster, current map view, a drawn rectangle or an AOI.

Extents go to the engine in the raster's CRS (the canvas's or the drawing's CRS is reprojected
here), so the engine needs no `extent_crs`.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsMapLayerProxyModel,
    QgsRasterLayer,
    QgsRectangle,
)
from qgis.gui import QgsMapLayerComboBox
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QRadioButton,
    QWidget,
)

from ..core import layers
from ..core.layers import InputError
from .i18n import translate
from .rectangle_tool import RectangleTool

AREAS = ("raster", "view", "rectangle", "aoi")


def canvas_extent(iface: Any, raster: QgsRasterLayer) -> List[float]:
    """The map canvas's visible extent as [xmin, ymin, xmax, ymax] in the raster's CRS."""
    canvas = iface.mapCanvas()
    return layers.extent_in_crs(canvas.extent(), canvas.mapSettings().destinationCrs(),
                                raster.crs())


class AreaBox(QGroupBox):
    """Which part of the raster to predict."""

    #: the user asked to draw (the dialog steps aside while they do)
    drawing_started = pyqtSignal()
    #: drawing ended (drawn or cancelled)
    drawing_ended = pyqtSignal()

    def __init__(self, iface: Any, parent: Optional[QWidget] = None):
        super().__init__(translate("satseg", "Area"), parent)
        self.iface = iface
        self.rectangle: Optional[Tuple[QgsRectangle, QgsCoordinateReferenceSystem]] = None
        self.tool: Optional[RectangleTool] = None
        self._previous_tool = None
        self.buttons = QButtonGroup(self)
        self.radios: Dict[str, QRadioButton] = {}
        texts = (translate("satseg", "Whole raster"),
                 translate("satseg", "Current map view"),
                 translate("satseg", "Rectangle drawn on the map"),
                 translate("satseg", "Bounding box of polygons (AOI), nodata outside them"))
        for area, text in zip(AREAS, texts, strict=True):
            radio = QRadioButton(text)
            self.buttons.addButton(radio)
            self.radios[area] = radio
        self.radios["raster"].setChecked(True)
        self.draw_button = QPushButton(translate("satseg", "Draw on map"))
        self.draw_button.clicked.connect(self.start_drawing)
        self.rectangle_label = QLabel(translate("satseg", "(none drawn)"))
        self.aoi = QgsMapLayerComboBox()
        self.aoi.setFilters(QgsMapLayerProxyModel.PolygonLayer)
        self.aoi.setAllowEmptyLayer(True)
        self.aoi.setLayer(None)
        self.aoi.layerChanged.connect(self._aoi_changed)
        grid = QGridLayout(self)
        grid.addWidget(self.radios["raster"], 0, 0)
        grid.addWidget(self.radios["view"], 0, 1, 1, 2)
        grid.addWidget(self.radios["rectangle"], 1, 0)
        grid.addWidget(self.draw_button, 1, 1)
        grid.addWidget(self.rectangle_label, 1, 2)
        grid.addWidget(self.radios["aoi"], 2, 0, 1, 3)
        grid.addWidget(self.aoi, 3, 0, 1, 3)
        grid.setColumnStretch(2, 1)

    def area(self) -> str:
        return next(a for a, radio in self.radios.items() if radio.isChecked())

    def set_area(self, area: str) -> None:
        self.radios[area].setChecked(True)

    def _aoi_changed(self, layer: Any) -> None:
        if layer is not None and self.sender() is self.aoi:
            self.set_area("aoi")

    def keys(self, raster: QgsRasterLayer) -> Dict[str, Any]:
        """`extent` (raster CRS) or `aoi` for the job; {} for the whole raster."""
        area = self.area()
        if area == "view":
            return {"extent": canvas_extent(self.iface, raster)}
        if area == "rectangle":
            if self.rectangle is None:
                raise InputError(translate("satseg", "Draw the rectangle on the map first "
                                                     "(Draw on map), or choose another area."))
            rectangle, crs = self.rectangle
            return {"extent": layers.extent_in_crs(rectangle, crs, raster.crs())}
        if area == "aoi":
            aoi = self.aoi.currentLayer()
            if aoi is None:
                raise InputError(translate("satseg", "Choose the AOI polygon layer, or "
                                                     "another area."))
            return {"aoi": layers.file_source(aoi)}
        return {}

    # -- drawing ------------------------------------------------------------------------------
    def start_drawing(self) -> None:
        canvas = self.iface.mapCanvas()
        if self.tool is None:
            self.tool = RectangleTool(canvas)
            self.tool.rectangle_drawn.connect(self._rectangle_drawn)
            self.tool.cancelled.connect(self._stop_drawing)
        self._previous_tool = canvas.mapTool()
        canvas.setMapTool(self.tool)
        self.drawing_started.emit()

    def _rectangle_drawn(self, rectangle: QgsRectangle) -> None:
        self.set_rectangle(rectangle, self.iface.mapCanvas().mapSettings().destinationCrs())
        self._stop_drawing()

    def _stop_drawing(self) -> None:
        canvas = self.iface.mapCanvas()
        if self.tool is not None and canvas.mapTool() is self.tool:
            if self._previous_tool is not None:
                canvas.setMapTool(self._previous_tool)
            else:
                canvas.unsetMapTool(self.tool)
        self.drawing_ended.emit()

    def set_rectangle(self, rectangle: QgsRectangle, crs: QgsCoordinateReferenceSystem) -> None:
        """Use `rectangle` (in `crs`) as the area."""
        self.rectangle = (QgsRectangle(rectangle), QgsCoordinateReferenceSystem(crs))
        self.rectangle_label.setText(translate("satseg", "{width} × {height} {units}").format(
            width=_short(rectangle.width()), height=_short(rectangle.height()),
            units=crs.authid() or crs.description()))
        self.set_area("rectangle")

    def release_tool(self) -> None:
        """Put the previous map tool back and hide the rectangle."""
        if self.tool is not None:
            canvas = self.iface.mapCanvas()
            if canvas.mapTool() is self.tool:
                canvas.unsetMapTool(self.tool)
            self.tool.clear()

    def dispose(self) -> None:
        if self.tool is not None:
            self.release_tool()
            self.tool.dispose()
            self.tool = None


def _short(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f") if abs(value) >= 100 else f"{value:.4g}"
