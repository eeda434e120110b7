"""The Predict dialog's model box: a checkpoint file and what its header says.

A model is a checkpoint (.pt) or an ONNX file written by `satseg export` (.onnx, whose metadata
holds the same header); "Export model…" writes a checkpoint as ONNX (export_action.py).
QGIS cannot load torch, so the header is read by the engine (`satseg inspect CHECKPOINT`) through
an EngineRunner: classes with their colours, the bands the model expects (checked against the
chosen raster at once; for a model of several sources or dates, the sources it takes), patch
size, task and training metrics.
"""

from __future__ import annotations

import html
from typing import Any, Dict, List, Optional, Sequence

from qgis.gui import QgsFileWidget
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor, QIcon, QPixmap
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import layers, settings
from ..core.engine_runner import EngineRunner, RunFailure
from ..core.source_info import SourceSummary, header_sources
from ..core.source_jobs import source_text
from .export_action import ExportModelButton
from .i18n import translate

SWATCH_PX = 14
#: a class table shows up to this many rows before it scrolls
VISIBLE_ROWS = 8
#: metric key -> how it is written in the header panel
METRIC_NAMES = {"miou": "mIoU", "accuracy": "accuracy", "mean_f1": "mean F1", "loss": "loss"}
WARNING_STYLE = "color:#c53030;"
OK_STYLE = "color:#276749;"


def swatch(colour: str) -> QIcon:
    pixmap = QPixmap(SWATCH_PX, SWATCH_PX)
    pixmap.fill(QColor(colour) if QColor(colour).isValid() else QColor("#9e9e9e"))
    return QIcon(pixmap)


class ModelPanel(QWidget):
    """Checkpoint chooser + header (read with `satseg inspect`) + band check."""

    #: the header was read (the inspect summary)
    header_loaded = pyqtSignal(dict)
    #: the header shown changed (the inspect summary; {} when none is shown)
    header_changed = pyqtSignal(dict)
    #: reading the header ended, successfully or not (the message shown, "" on success)
    inspect_finished = pyqtSignal(str)

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.header: Dict[str, Any] = {}
        self.runner: Optional[EngineRunner] = None
        self._raster_bands: Optional[int] = None
        self._raster_band_names: List[str] = []
        self.file = QgsFileWidget()
        self.file.setStorageMode(QgsFileWidget.GetFile)
        self.file.setFilter(translate("satseg", "satseg model (*.pt *.onnx)"))
        self.file.fileChanged.connect(self.inspect)
        self.export = ExportModelButton(self.path, self)  # "Export model…" (to ONNX)
        self.header_changed.connect(lambda *_: self.export.refresh())
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.bands = QLabel()
        self.bands.setWordWrap(True)
        self.bands.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.classes = read_only_table([translate("satseg", "Value"),
                                        translate("satseg", "Class"),
                                        translate("satseg", "IoU (validation)")], stretch=1)
        self.metrics = QLabel()
        self.metrics.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.file)
        layout.addWidget(self.export)
        layout.addWidget(self.status)
        layout.addWidget(self.bands)
        layout.addWidget(self.classes)
        layout.addWidget(self.metrics)
        self.show_header({})

    # -- the checkpoint ---------------------------------------------------------------------
    def path(self) -> str:
        return self.file.filePath().strip()

    def set_path(self, path: str) -> None:
        """Choose a checkpoint (reads its header)."""
        if path == self.file.filePath():
            self.inspect(path)
        else:
            self.file.setFilePath(path)

    def inspect(self, path: str) -> None:
        """Run `satseg inspect` on `path` (returns at once; `inspect_finished` follows)."""
        self.cancel()
        self.show_header({})
        path = path.strip()
        if not path:
            self.inspect_finished.emit("")
            return
        runner = EngineRunner(settings.engine_python(), self)
        runner.done.connect(lambda summary, r=runner: self._inspected(r, summary))
        runner.error.connect(lambda failure, r=runner: self._failed(r, failure))
        self.runner = runner
        self.status.setText(translate("satseg", "Reading the model…"))
        runner.start("inspect", {"checkpoint": path})

    def cancel(self) -> None:
        if self.runner is not None and self.runner.is_running():
            self.runner.cancel()
        self.runner = None

    def _inspected(self, runner: EngineRunner, summary: dict) -> None:
        if runner is not self.runner:
            return
        self.show_header(summary)
        self.header_loaded.emit(summary)
        self.inspect_finished.emit("")

    def _failed(self, runner: EngineRunner, failure: RunFailure) -> None:
        if runner is not self.runner:
            return
        text = translate("satseg", "This model cannot be used: {error}").format(
            error=failure.text())
        self.status.setText(f'<span style="{WARNING_STYLE}">{html.escape(text)}</span>')
        self.inspect_finished.emit(text)

    # -- the raster -------------------------------------------------------------------------
    def set_raster_bands(self, count: Optional[int], names: Optional[List[str]] = None) -> None:
        """The chosen raster's band count (None: no raster), checked against the model's."""
        self._raster_bands = count
        self._raster_band_names = list(names or [])
        self._show_bands()

    def band_mismatch(self) -> bool:
        expected = self.header.get("in_channels")
        return bool(expected and self._raster_bands is not None and not self.sources()
                    and int(expected) != self._raster_bands)

    def sources(self) -> List[SourceSummary]:
        """The model's sources when it takes several sources or dates ([]: one raster)."""
        return header_sources(self.header)

    # -- display ----------------------------------------------------------------------------
    def show_header(self, header: Dict[str, Any]) -> None:
        """Show a header (an inspect summary; {}: none)."""
        self.header = dict(header)
        self.classes.setRowCount(0)
        if not header:
            self.status.setText(translate("satseg", "Choose a model trained with satseg "
                                                    "(best_iou.pt, best_loss.pt or last.pt)."))
            self.metrics.setText("")
            self.classes.setVisible(False)
            self._show_bands()
            self.header_changed.emit(self.header)
            return
        architecture = header.get("architecture") or "?"
        if header.get("encoder"):
            architecture += f" / {header['encoder']}"
        self.status.setText(translate(
            "satseg", "{architecture}, {task}, patch {patch} px, normalisation {method}; "
                      "epoch {epoch} ({role})").format(
            architecture=html.escape(architecture), task=header.get("task", "?"),
            patch=header.get("patch_size", "?"), method=header.get("normalization") or "-",
            epoch=header.get("epoch", "?"), role=header.get("role") or "-"))
        ious = (header.get("metrics") or {}).get("validation", {}).get("per_class_iou") or {}
        self.classes.setVisible(True)
        for cls in header.get("classes") or []:
            row = self.classes.rowCount()
            self.classes.insertRow(row)
            value = QTableWidgetItem(swatch(str(cls.get("colour") or "")), str(cls["value"]))
            self.classes.setItem(row, 0, value)
            self.classes.setItem(row, 1, QTableWidgetItem(str(cls.get("name", ""))))
            iou = ious.get(str(cls.get("name")))
            self.classes.setItem(row, 2, QTableWidgetItem("-" if iou is None else f"{iou:.2f}"))
        self.classes.resizeColumnToContents(0)
        fit_rows(self.classes)
        self.metrics.setText(metrics_text(header.get("metrics") or {}))
        self._show_bands()
        self.header_changed.emit(self.header)

    def _show_bands(self) -> None:
        expected = self.header.get("in_channels")
        sources = self.sources()
        if sources:
            fusion = self.header.get("multisource") or {}
            text = translate("satseg", "Sources: {sources}; fusion {fusion}, dates {temporal}."
                             ).format(sources=", ".join(source_text(s) for s in sources),
                                      fusion=fusion.get("fusion") or "-",
                                      temporal=fusion.get("temporal") or "-")
            self.bands.setText(html.escape(text))
            return
        if not expected:
            self.bands.setText("")
            return
        names = ", ".join(self.header.get("band_names") or [])
        text = translate("satseg", "Bands: the model expects {count} ({names}).").format(
            count=expected, names=names or translate("satseg", "unnamed"))
        style = ""
        if self._raster_bands is not None:
            if self.band_mismatch():
                text += " " + translate(
                    "satseg", "The raster has {found}: prediction will be refused. Choose a "
                              "raster with the model's bands.").format(found=self._raster_bands)
                style = WARNING_STYLE
            else:
                text += " " + translate("satseg", "The raster has {found} ✓").format(
                    found=self._raster_bands)
                style = OK_STYLE
        self.bands.setText(f'<span style="{style}">{html.escape(text)}</span>')

    def classes_text(self) -> List[str]:
        """The class names shown (for tests and screenshots)."""
        return [self.classes.item(row, 1).text() for row in range(self.classes.rowCount())]


def read_only_table(headers: Sequence[str], stretch: int) -> QTableWidget:
    """A compact table the user reads but does not edit or select; column `stretch` fills."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.NoSelection)
    table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.Stretch)
    compact_rows(table)
    return table


def compact_rows(table: QTableWidget) -> None:
    """Rows as high as a line of text (the default is much taller)."""
    table.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)


def fit_rows(table: QTableWidget, most: int = VISIBLE_ROWS) -> None:
    """Make `table` exactly as tall as its rows (up to `most`, then it scrolls)."""
    rows = min(table.rowCount(), most)
    height = (table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
              + rows * table.verticalHeader().defaultSectionSize())
    table.setFixedHeight(height)


def metrics_text(metrics: Dict[str, Any]) -> str:
    """'validation: mIoU 0.62 · accuracy 0.91 · loss 0.34' for each split with metrics."""
    lines = []
    names = layers.split_texts()
    for split in ("validation", "test", "train"):
        values = metrics.get(split) or {}
        parts = [f"{label} {values[key]:.3f}" for key, label in METRIC_NAMES.items()
                 if isinstance(values.get(key), (int, float))]
        if parts:
            lines.append(f"{names.get(split, split)}: " + " · ".join(parts))
    if not lines:
        return ""
    return translate("satseg", "Training metrics — {lines}").format(lines="; ".join(lines))
