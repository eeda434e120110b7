"""The area part of a tool dialog: whole raster, current map view, a drawn rectangle or an AOI.

The Grid and Predict dialogs offer different areas (`AreaBox(iface, areas=...)`) under their own
texts. Extents go to the engine in the raster's CRS (the canvas's or the drawing's CRS is
reprojected here), so the engine needs no `extent_crs`.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

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


def default_texts() -> Dict[str, str]:
    """area -> the text of its radio button (the Predict dialog's wording)."""
    return {"raster": translate("satseg", "Whole raster"),
            "view": translate("satseg", "Current map view"),
            "rectangle": translate("satseg", "Rectangle drawn on the map"),
            "aoi": translate("satseg", "Bounding box of polygons (AOI), nodata outside them")}


def canvas_extent(iface: Any, raster: QgsRasterLayer) -> List[float]:
    """The map canvas's visible extent as [xmin, ymin, xmax, ymax] in the raster's CRS."""
    canvas = iface.mapCanvas()
    return layers.extent_in_crs(canvas.extent(), canvas.mapSettings().destinationCrs(),
                                raster.crs())


class AreaBox(QWidget):
    """Which part of the raster a job covers: one radio button per area in `areas`.

    `texts` overrides radio texts; `aoi_beside` puts the AOI layer combo beside its radio
    button (else on a row of its own); `aoi_optional` lets the combo be empty (it starts so).
    While the user draws a rectangle, the window holding the box steps aside.
    """

    #: the user asked to draw (the window is hidden while they do)
    drawing_started = pyqtSignal()
    #: drawing ended, drawn or cancelled (the window is shown again)
    drawing_ended = pyqtSignal()

    def __init__(self, iface: Any, areas: Sequence[str] = AREAS,
                 texts: Optional[Dict[str, str]] = None, aoi_beside: bool = False,
                 aoi_optional: bool = True, parent: Optional[QWidget] = None):
        super().__init__(parent)
        unknown = [area for area in areas if area not in AREAS]
        if unknown:
            raise ValueError(f"unknown areas {unknown}; valid: {', '.join(AREAS)}")
        self.iface = iface
        self.rectangle: Optional[Tuple[QgsRectangle, QgsCoordinateReferenceSystem]] = None
        self.tool: Optional[RectangleTool] = None
        self._previous_tool = None
        self.buttons = QButtonGroup(self)
        self.radios: Dict[str, QRadioButton] = {}
        all_texts = {**default_texts(), **(texts or {})}
        for area in areas:
            radio = QRadioButton(all_texts[area])
            self.buttons.addButton(radio)
            self.radios[area] = radio
        self.radios[areas[0]].setChecked(True)
        self.draw_button = QPushButton(translate("satseg", "Draw on map"))
        self.draw_button.clicked.connect(self.start_drawing)
        self.rectangle_label = QLabel(translate("satseg", "(none drawn)"))
        self.aoi = QgsMapLayerComboBox()
        self.aoi.setFilters(QgsMapLayerProxyModel.PolygonLayer)
        if aoi_optional:
            self.aoi.setAllowEmptyLayer(True)
            self.aoi.setLayer(None)
        self.aoi.layerChanged.connect(self._aoi_changed)
        self._lay_out(aoi_beside)

    def _lay_out(self, aoi_beside: bool) -> None:
        """Three columns: radio button | Draw on map or AOI layer | what was drawn."""
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        row = 0
        if "raster" in self.radios:
            grid.addWidget(self.radios["raster"], row, 0)
            if "view" in self.radios:
                grid.addWidget(self.radios["view"], row, 1, 1, 2)
            row += 1
        elif "view" in self.radios:
            grid.addWidget(self.radios["view"], row, 0, 1, 3)
            row += 1
        if "rectangle" in self.radios:
            grid.addWidget(self.radios["rectangle"], row, 0)
            grid.addWidget(self.draw_button, row, 1)
            grid.addWidget(self.rectangle_label, row, 2)
            row += 1
        else:
            for widget in (self.draw_button, self.rectangle_label):
                widget.hide()
        if "aoi" in self.radios:
            if aoi_beside:
                grid.addWidget(self.radios["aoi"], row, 0)
                grid.addWidget(self.aoi, row, 1, 1, 2)
            else:
                grid.addWidget(self.radios["aoi"], row, 0, 1, 3)
                grid.addWidget(self.aoi, row + 1, 0, 1, 3)
        else:
            self.aoi.hide()
        grid.setColumnStretch(2, 1)

    def area(self) -> str:
        return next(a for a, radio in self.radios.items() if radio.isChecked())

    def set_area(self, area: str) -> None:
        self.radios[area].setChecked(True)

    def _aoi_changed(self, layer: Any) -> None:
        if layer is not None and self.sender() is self.aoi and "aoi" in self.radios:
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
        """Let the user drag a rectangle on the map canvas (the window steps aside)."""
        canvas = self.iface.mapCanvas()
        if self.tool is None:
            self.tool = RectangleTool(canvas)
            self.tool.rectangle_drawn.connect(self._rectangle_drawn)
            self.tool.cancelled.connect(self._stop_drawing)
        self._previous_tool = canvas.mapTool()
        canvas.setMapTool(self.tool)
        window = self.window()
        if window is not self:
            window.hide()
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
        window = self.window()
        if window is not self:
            window.show()
            window.raise_()
            window.activateWindow()
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
        """Remove the rectangle tool and its rubber band from the canvas."""
        if self.tool is not None:
            self.release_tool()
            self.tool.dispose()
            self.tool = None


def _short(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f") if abs(value) >= 100 else f"{value:.4g}"
