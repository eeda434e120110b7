"""The right side of the training dialog: live charts with an ETA, then the run's files.

`TrainingMonitor` turns metric and progress events into chart series (through
`train_job.MetricHistory`) and repaints at most a few times a second; `ArtifactsPanel` lists
checkpoints, plots and reports with buttons to open them.
"""

from __future__ import annotations

import html
import os
import time
from typing import Any, Dict, List, Optional

from qgis.PyQt.QtCore import QSize, Qt, QTimer, QUrl
from qgis.PyQt.QtGui import QDesktopServices, QPixmap
from qgis.PyQt.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..core.train_job import EtaEstimator, MetricHistory, format_duration
from .charts import BarChart, LineChart, Series
from .export_action import ExportModelButton
from .i18n import translate

REFRESH_MS = 300
TRAIN_COLOUR = "#3182ce"
VALIDATION_COLOUR = "#dd6b20"
STEP_COLOUR = "#a3bffa"


class TrainingMonitor(QWidget):
    """Loss (train + validation), validation mIoU and per-class IoU charts, plus an ETA line."""

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.history = MetricHistory()
        self.eta = EtaEstimator()
        self.planned_epochs = 1
        self.class_colours: Dict[str, str] = {}
        self.repaints = 0
        self._dirty = False
        waiting = translate("satseg", "Curves appear after the first epoch.")
        self.loss_chart = LineChart(translate("satseg", "Loss per epoch"), waiting)
        self.miou_chart = LineChart(translate("satseg", "mIoU per epoch"), waiting, (0.0, 1.0))
        self.class_chart = BarChart(translate("satseg", "IoU per class"), waiting)
        self.status = QLabel()
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.loss_chart, 0, 0)
        grid.addWidget(self.miou_chart, 0, 1)
        grid.addWidget(self.class_chart, 1, 0, 1, 2)
        grid.addWidget(self.status, 2, 0, 1, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)

    def begin(self, planned_epochs: int, class_colours: Dict[str, str]) -> None:
        """A run starts: forget the last one's curves; repaint periodically."""
        self.history = MetricHistory()
        self.eta.reset()
        self.planned_epochs = max(1, planned_epochs)
        self.class_colours = dict(class_colours)
        self.status.setText(translate("satseg", "Starting…"))
        self._dirty = True
        self.refresh()
        self.timer.start()

    def end(self) -> None:
        self.timer.stop()
        self._dirty = True
        self.refresh()

    def handle(self, event: Dict[str, Any]) -> None:
        """Take one engine event (metric / progress); cheap: charts repaint on the timer."""
        kind = event.get("type")
        if kind == "metric":
            if self.history.add(event):
                self._dirty = True
            if event.get("step") is None and event.get("split") in ("validation", "train"):
                self.eta.epoch_end(float(event.get("t") or time.time()))
        elif kind == "progress" and event.get("unit") == "batches" and event.get("total"):
            total, done = int(event["total"]), int(event["done"])
            self.eta.progress(done, total, float(event.get("t") or time.time()))
            self.history.steps_per_epoch = max(1, total // self.planned_epochs)
            self._dirty = True

    def refresh(self) -> None:
        """Push the history into the charts (only when something changed)."""
        if not self._dirty:
            return
        self._dirty = False
        self.repaints += 1
        h = self.history
        x_max = max(self.planned_epochs, h.completed_epochs())
        train = translate("satseg", "training")
        validation = translate("satseg", "validation")
        self.loss_chart.set_series([
            Series("", STEP_COLOUR, h.step_series(), width=1.0, markers=False),
            Series(train, TRAIN_COLOUR, h.series("train", "loss")),
            Series(validation, VALIDATION_COLOUR, h.series("validation", "loss")),
        ], x_max)
        self.miou_chart.set_series([
            Series(validation, VALIDATION_COLOUR, h.series("validation", "miou")),
            Series(train, TRAIN_COLOUR, h.series("train", "miou"), width=1.0, dashed=True),
        ], x_max)
        split, epoch, values = h.latest_class_iou()
        titles = {"test": translate("satseg", "IoU per class — test split, best model "
                                              "(epoch {epoch})"),
                  "validation": translate("satseg", "IoU per class — validation, epoch "
                                                    "{epoch}"),
                  "train": translate("satseg", "IoU per class — training, epoch {epoch}")}
        self.class_chart.set_title(titles.get(split, translate("satseg", "IoU per class"))
                                   .format(epoch=epoch))
        self.class_chart.set_values(values, self.class_colours)
        self.status.setText(self.status_text())

    def status_text(self) -> str:
        h = self.history
        parts = []
        if h.stage.startswith("fold_"):
            parts.append(translate("satseg", "fold {n}").format(n=h.stage[5:]))
        parts.append(translate("satseg", "epoch {done}/{total}").format(
            done=h.completed_epochs(), total=self.planned_epochs))
        last = (h.epochs.get("validation") or {}).get(h.completed_epochs())
        if last and "miou" in last:
            parts.append(translate("satseg", "validation mIoU {value:.3f}").format(
                value=last["miou"]))
        left = self.eta.seconds_left()
        if left is not None and self.timer.isActive():
            parts.append(translate("satseg", "about {time} left").format(
                time=format_duration(left)))
        return " · ".join(parts)


class ImageViewer(QDialog):
    """A plot shown at the size of the window, keeping its aspect ratio."""

    def __init__(self, path: str, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.setWindowTitle(os.path.basename(path))
        self.picture = QPixmap(path)
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignCenter)
        self.label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        size = self.picture.size() if not self.picture.isNull() else QSize(640, 480)
        self.resize(min(size.width() + 24, 1200), min(size.height() + 24, 900))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if not self.picture.isNull():
            self.label.setPixmap(self.picture.scaled(self.label.size(), Qt.KeepAspectRatio,
                                                     Qt.SmoothTransformation))


class ArtifactsPanel(QWidget):
    """The run's files (checkpoints, plots, reports) with Open / Open folder buttons."""

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.viewers: List[ImageViewer] = []
        self.list = QListWidget()
        self.list.setMaximumHeight(120)
        self.list.itemDoubleClicked.connect(lambda item: self.open(item))
        self.list.currentItemChanged.connect(lambda *_: self._selection_changed())
        self.open_button = QPushButton(translate("satseg", "Open"))
        self.open_button.clicked.connect(lambda: self.open(self.list.currentItem()))
        self.folder_button = QPushButton(translate("satseg", "Open folder"))
        self.folder_button.clicked.connect(self.open_folder)
        self.best_button = QPushButton(translate("satseg", "Use best model for prediction"))
        #: "Export model…": the selected checkpoint (else the first one) as ONNX
        self.export = ExportModelButton(self.export_checkpoint, self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.best_button)
        #: the end-of-run quality report (the engine's summary `quality`)
        self.quality = QLabel()
        self.quality.setObjectName("qualityReport")
        self.quality.setWordWrap(True)
        self.quality.setTextFormat(Qt.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addWidget(self.quality)
        layout.addLayout(buttons)
        layout.addWidget(self.export)
        self.clear()

    def show_quality(self, findings: List[Dict[str, Any]]) -> None:
        """Each finding of the quality report with the lever that usually helps."""
        if not findings:
            self.quality.setText(translate("satseg", "Quality: no problem found."))
        else:
            items = "".join("<li>{}<br><i>{}</i></li>".format(
                html.escape(str(f.get("message", ""))),
                html.escape(translate("satseg", "What usually helps: {lever}").format(
                    lever=f.get("lever", "")))) for f in findings)
            self.quality.setText("<b>{}</b><ul>{}</ul>".format(
                html.escape(translate("satseg", "Quality report")), items))
        self.quality.setVisible(True)

    def clear(self) -> None:
        self.list.clear()
        self.quality.clear()
        self.quality.setVisible(False)
        self.best_button.setEnabled(False)
        self._selection_changed()

    def add(self, kind: str, path: str, role: str) -> None:
        """One artifact event; a file listed again (a later checkpoint) is not repeated."""
        for index in range(self.list.count()):
            if self.list.item(index).data(Qt.UserRole) == path:
                return
        texts = {"checkpoint": translate("satseg", "checkpoint"),
                 "plot": translate("satseg", "plot"), "csv": translate("satseg", "table"),
                 "report": translate("satseg", "report")}
        item = QListWidgetItem(f"{texts.get(kind, kind)} · {role or kind} — "
                               f"{os.path.basename(path)}")
        item.setData(Qt.UserRole, path)
        item.setData(Qt.UserRole + 1, kind)
        item.setToolTip(path)
        self.list.addItem(item)
        if self.list.currentItem() is None and kind == "plot":
            self.list.setCurrentItem(item)
        self._selection_changed()

    def paths(self, kind: Optional[str] = None) -> List[str]:
        return [self.list.item(i).data(Qt.UserRole) for i in range(self.list.count())
                if kind is None or self.list.item(i).data(Qt.UserRole + 1) == kind]

    def export_checkpoint(self) -> str:
        """The checkpoint "Export model…" writes: the selected one, else the first listed."""
        item = self.list.currentItem()
        if item is not None and item.data(Qt.UserRole + 1) == "checkpoint":
            return str(item.data(Qt.UserRole))
        checkpoints = [p for p in self.paths("checkpoint") if p.lower().endswith(".pt")]
        return checkpoints[0] if checkpoints else ""

    def _selection_changed(self) -> None:
        if hasattr(self, "export"):
            self.export.refresh()
        self.open_button.setEnabled(self.list.currentItem() is not None)
        self.folder_button.setEnabled(self.list.count() > 0)

    def open(self, item: Optional[QListWidgetItem]) -> Optional[QWidget]:
        """Plots open in a viewer inside QGIS; other files with the system's application."""
        if item is None:
            return None
        path = str(item.data(Qt.UserRole))
        if item.data(Qt.UserRole + 1) == "plot":
            viewer = ImageViewer(path, self.window())
            self.viewers = [v for v in self.viewers if v.isVisible()] + [viewer]
            viewer.show()
            return viewer
        QDesktopServices.openUrl(QUrl.fromLocalFile(path))
        return None

    def open_folder(self) -> None:
        paths = self.paths()
        if paths:
            QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(paths[0])))
