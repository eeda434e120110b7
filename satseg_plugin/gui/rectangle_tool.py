"""A map tool to draw a rectangle on the canvas (press, drag, release)."""

from __future__ import annotations

from typing import Any, Optional

from qgis.core import QgsPointXY, QgsRectangle, QgsWkbTypes
from qgis.gui import QgsMapCanvas, QgsMapMouseEvent, QgsMapTool, QgsRubberBand
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor


class RectangleTool(QgsMapTool):
    """Drag a rectangle; `rectangle_drawn(QgsRectangle)` gives it in the canvas CRS.

    The rubber band stays on the canvas after drawing (so the user sees the area) until
    `clear()` is called; `cancelled` is emitted on Esc or a right click.
    """

    rectangle_drawn = pyqtSignal(QgsRectangle)
    cancelled = pyqtSignal()

    def __init__(self, canvas: QgsMapCanvas):
        super().__init__(canvas)
        self.start: Optional[QgsPointXY] = None
        self.band = QgsRubberBand(canvas, QgsWkbTypes.PolygonGeometry)
        self.band.setColor(QColor(227, 26, 28, 60))
        self.band.setStrokeColor(QColor(227, 26, 28))
        self.band.setWidth(2)
        self.setCursor(Qt.CrossCursor)

    def canvasPressEvent(self, event: QgsMapMouseEvent) -> None:
        if event.button() == Qt.RightButton:
            self.clear()
            self.cancelled.emit()
            return
        self.start = self.toMapCoordinates(event.pos())
        self._show(self.start, self.start)

    def canvasMoveEvent(self, event: QgsMapMouseEvent) -> None:
        if self.start is not None:
            self._show(self.start, self.toMapCoordinates(event.pos()))

    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:
        if self.start is None or event.button() != Qt.LeftButton:
            return
        end = self.toMapCoordinates(event.pos())
        rectangle = QgsRectangle(self.start, end)
        self.start = None
        if rectangle.width() <= 0 or rectangle.height() <= 0:
            self.clear()
            return
        self._show(QgsPointXY(rectangle.xMinimum(), rectangle.yMinimum()),
                   QgsPointXY(rectangle.xMaximum(), rectangle.yMaximum()))
        self.rectangle_drawn.emit(rectangle)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key_Escape:
            self.start = None
            self.clear()
            self.cancelled.emit()

    def show_rectangle(self, rectangle: QgsRectangle) -> None:
        """Draw a known rectangle (canvas CRS)."""
        self._show(QgsPointXY(rectangle.xMinimum(), rectangle.yMinimum()),
                   QgsPointXY(rectangle.xMaximum(), rectangle.yMaximum()))

    def _show(self, a: QgsPointXY, b: QgsPointXY) -> None:
        self.band.reset(QgsWkbTypes.PolygonGeometry)
        for x, y in ((a.x(), a.y()), (b.x(), a.y()), (b.x(), b.y()), (a.x(), b.y())):
            self.band.addPoint(QgsPointXY(x, y), False)
        self.band.closePoints(True)
        self.band.show()

    def clear(self) -> None:
        self.band.reset(QgsWkbTypes.PolygonGeometry)

    def deactivate(self) -> None:
        self.start = None
        super().deactivate()

    def dispose(self) -> None:
        """Remove the rubber band from the canvas (call before deleting the tool)."""
        self.clear()
        scene = self.band.scene()
        if scene is not None:
            scene.removeItem(self.band)
