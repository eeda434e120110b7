"""Live training charts drawn with QPainter (no plotting library inside QGIS).

`LineChart` draws (x, y) series over epochs; `BarChart` draws one value per class. Setting data
only stores it and schedules a repaint (Qt merges repaints), so feeding them often is cheap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from qgis.PyQt.QtCore import QPointF, QRect, QRectF, QSize, Qt
from qgis.PyQt.QtGui import QColor, QFontMetrics, QPainter, QPainterPath, QPen
from qgis.PyQt.QtWidgets import QSizePolicy, QWidget

Point = Tuple[float, float]
BACKGROUND = QColor("#ffffff")
AXIS = QColor("#4a5568")
GRID = QColor("#e2e8f0")
TEXT = QColor("#1a202c")
MUTED = QColor("#718096")
#: colours of classes without one in the dataset
FALLBACK_COLOURS = ("#3182ce", "#dd6b20", "#38a169", "#d53f8c", "#805ad5", "#319795")


@dataclass
class Series:
    """One line: name (legend), colour, points; `markers` draws a dot per point."""

    name: str
    colour: str
    points: List[Point] = field(default_factory=list)
    width: float = 2.0
    markers: bool = True
    dashed: bool = False


def nice_ticks(low: float, high: float, count: int = 5) -> List[float]:
    """About `count` round tick values covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low]
    span = high - low
    magnitude = 10 ** math.floor(math.log10(span / max(1, count)))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10)),
               key=lambda s: abs(span / s - count))
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-6:
        if value >= low - step * 1e-6:
            ticks.append(round(value, 10))
        value += step
    return ticks


def tick_text(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.3g}"


class _Chart(QWidget):
    """A white box with a title, a plot rectangle and an empty-state message."""

    def __init__(self, title: str, empty_text: str, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.title = title
        self.empty_text = empty_text
        self.setMinimumSize(260, 170)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(420, 230)

    def set_title(self, title: str) -> None:
        if title != self.title:
            self.title = title
            self.update()

    def _frame(self, painter: QPainter) -> None:
        painter.fillRect(self.rect(), BACKGROUND)
        painter.setPen(QPen(GRID, 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(TEXT)
        painter.drawText(QRect(8, 4, self.width() - 16, self._line_height()),
                         Qt.AlignLeft | Qt.AlignVCenter, self.title)
        font.setBold(False)
        painter.setFont(font)

    def _line_height(self) -> int:
        return QFontMetrics(self.font()).height() + 4

    def _empty(self, painter: QPainter) -> None:
        painter.setPen(MUTED)
        painter.drawText(self.rect(), Qt.AlignCenter, self.empty_text)


class LineChart(_Chart):
    """Series over x (epochs); the x axis spans at least `x_max` so curves grow rightwards."""

    def __init__(self, title: str, empty_text: str, y_range: Optional[Tuple[float, float]] = None,
                 parent: Optional[QWidget] = None):
        super().__init__(title, empty_text, parent)
        self.series: List[Series] = []
        self.y_range = y_range
        self.x_max = 1.0

    def set_series(self, series: Sequence[Series], x_max: Optional[float] = None) -> None:
        self.series = list(series)
        if x_max is not None:
            self.x_max = max(1.0, float(x_max))
        self.update()

    def clear(self) -> None:
        self.set_series([])

    def point_count(self, name: str) -> int:
        return next((len(s.points) for s in self.series if s.name == name), 0)

    def has_points(self) -> bool:
        return any(s.points for s in self.series)

    def plot_rect(self) -> QRect:
        """Where the curves are drawn (inside the axes)."""
        line = self._line_height()
        return QRect(48, 2 * line + 4, max(10, self.width() - 48 - 14),
                     max(10, self.height() - 3 * line - 12))

    def _bounds(self) -> Tuple[float, float, float, float]:
        xs = [x for s in self.series for x, _ in s.points]
        ys = [y for s in self.series for _, y in s.points if math.isfinite(y)]
        x_high = max([self.x_max, *xs])
        if self.y_range is not None:
            return 0.0, x_high, self.y_range[0], self.y_range[1]
        low, high = (min(ys), max(ys)) if ys else (0.0, 1.0)
        pad = (high - low) * 0.08 or max(abs(high) * 0.1, 0.05)
        return 0.0, x_high, max(0.0, low - pad) if low >= 0 else low - pad, high + pad

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        self._frame(painter)
        if not self.has_points():
            self._empty(painter)
            return
        area = self.plot_rect()
        x0, x1, y0, y1 = self._bounds()

        def to_screen(x: float, y: float) -> QPointF:
            px = area.left() + (x - x0) / (x1 - x0 or 1) * area.width()
            py = area.bottom() - (y - y0) / (y1 - y0 or 1) * area.height()
            return QPointF(px, py)

        metrics = QFontMetrics(painter.font())
        for tick in nice_ticks(y0, y1, 4):
            point = to_screen(x0, tick)
            painter.setPen(QPen(GRID, 1))
            painter.drawLine(QPointF(area.left(), point.y()), QPointF(area.right(), point.y()))
            painter.setPen(MUTED)
            painter.drawText(QRectF(0, point.y() - metrics.height() / 2, area.left() - 6,
                                    metrics.height()), Qt.AlignRight | Qt.AlignVCenter,
                             tick_text(tick))
        x_ticks = [t for t in nice_ticks(x0, x1, 6) if float(t).is_integer()] or [x0, x1]
        for tick in x_ticks:
            point = to_screen(tick, y0)
            painter.setPen(MUTED)
            painter.drawText(QRectF(point.x() - 30, area.bottom() + 2, 60, metrics.height()),
                             Qt.AlignHCenter | Qt.AlignTop, tick_text(tick))
        painter.setPen(QPen(AXIS, 1))
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        painter.drawLine(area.bottomLeft(), area.topLeft())

        painter.save()
        painter.setClipRect(area.adjusted(-4, -4, 4, 4))
        for series in self.series:
            points = [to_screen(x, y) for x, y in series.points if math.isfinite(y)]
            if not points:
                continue
            pen = QPen(QColor(series.colour), series.width)
            if series.dashed:
                pen.setStyle(Qt.DashLine)
            painter.setPen(pen)
            path = QPainterPath(points[0])
            for point in points[1:]:
                path.lineTo(point)
            painter.drawPath(path)
            if series.markers:
                painter.setBrush(QColor(series.colour))
                for point in points:
                    painter.drawEllipse(point, 2.5, 2.5)
                painter.setBrush(Qt.NoBrush)
        painter.restore()
        self._legend(painter, metrics)

    def _legend(self, painter: QPainter, metrics: QFontMetrics) -> None:
        x = 10
        y = self._line_height() + 2
        for series in self.series:
            if not series.name:
                continue
            pen = QPen(QColor(series.colour), max(2.0, series.width))
            if series.dashed:
                pen.setStyle(Qt.DashLine)
            painter.setPen(pen)
            mid = y + metrics.height() / 2
            painter.drawLine(QPointF(x, mid), QPointF(x + 18, mid))
            painter.setPen(TEXT)
            width = metrics.horizontalAdvance(series.name)
            painter.drawText(QRectF(x + 22, y, width + 4, metrics.height()),
                             Qt.AlignLeft | Qt.AlignVCenter, series.name)
            x += 22 + width + 16


class BarChart(_Chart):
    """One horizontal bar (0–1) per class, in the class's colour, value written beside it."""

    def __init__(self, title: str, empty_text: str, parent: Optional[QWidget] = None):
        super().__init__(title, empty_text, parent)
        self.values: Dict[str, float] = {}
        self.colours: Dict[str, str] = {}

    def set_values(self, values: Dict[str, float],
                   colours: Optional[Dict[str, str]] = None) -> None:
        self.values = dict(values)
        if colours is not None:
            self.colours = dict(colours)
        self.update()

    def clear(self) -> None:
        self.set_values({})

    def plot_rect(self) -> QRect:
        metrics = QFontMetrics(self.font())
        label = max([metrics.horizontalAdvance(n) for n in self.values] + [40]) + 16
        top = self._line_height() + 6
        return QRect(label, top, max(10, self.width() - label - 52),
                     max(10, self.height() - top - 8))

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        self._frame(painter)
        if not self.values:
            self._empty(painter)
            return
        area = self.plot_rect()
        metrics = QFontMetrics(painter.font())
        slot = area.height() / len(self.values)
        bar = max(3.0, min(slot * 0.7, 26.0))
        for quarter in (0.25, 0.5, 0.75, 1.0):
            x = area.left() + quarter * area.width()
            painter.setPen(QPen(GRID, 1))
            painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
        for index, (name, value) in enumerate(self.values.items()):
            centre = area.top() + slot * (index + 0.5)
            colour = QColor(self.colours.get(name) or
                            FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)])
            width = max(0.0, min(1.0, value)) * area.width()
            painter.fillRect(QRectF(area.left(), centre - bar / 2, width, bar), colour)
            painter.setPen(TEXT)
            painter.drawText(QRectF(4, centre - metrics.height() / 2, area.left() - 10,
                                    metrics.height()), Qt.AlignRight | Qt.AlignVCenter, name)
            painter.drawText(QRectF(area.left() + width + 4, centre - metrics.height() / 2, 48,
                                    metrics.height()), Qt.AlignLeft | Qt.AlignVCenter,
                             f"{value:.2f}")
        painter.setPen(QPen(AXIS, 1))
        painter.drawLine(area.topLeft(), area.bottomLeft())
