"""The Predict dialog's window settings: how the raster is cut into windows for the model (the
engine's `window`, `margin`, `overlap` and `batch_size` keys).

Auto leaves the choice to the engine: large windows sized from the memory budget for models that
take any input size (each pixel computed about once, a margin down-weighted where windows meet),
the training patch for the others. "Training patch" predicts windows of the training patch with
an overlap (each pixel computed about 1 / (1 - overlap)² times); "Fixed size" a window side given
in pixels. Keys left at Auto are not sent, so the engine's defaults apply.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QSpinBox,
    QWidget,
)

from .i18n import translate

#: window modes: (data, label)
MODES = ("auto", "patch", "size")
DEFAULT_SIZE = 1024
AUTO = -1  # the margin spin box's "Auto" value (0 is a real margin: no down-weighting)


class WindowOptions(QWidget):
    """Window mode, size, margin, overlap and batch size, enabled where they apply."""

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.mode = QComboBox()
        labels = {"auto": translate("satseg", "Auto (large windows, fastest)"),
                  "patch": translate("satseg", "Training patch, with overlap"),
                  "size": translate("satseg", "Fixed size")}
        for mode in MODES:
            self.mode.addItem(labels[mode], mode)
        self.mode.setToolTip(translate(
            "satseg", "Auto: windows several times the training patch for models that take "
                      "any input size (each pixel is computed about once), the training patch "
                      "for the others. Training patch: the patch size with an overlap, as "
                      "during training (slower)."))
        self.size = QSpinBox()
        self.size.setRange(64, 8192)
        self.size.setSingleStep(64)
        self.size.setValue(DEFAULT_SIZE)
        self.size.setSuffix(translate("satseg", " px"))
        self.size.setToolTip(translate("satseg", "Window side in pixels (a multiple of the "
                                                 "model's stride, usually 32)."))
        self.margin = QSpinBox()
        self.margin.setRange(AUTO, 512)
        self.margin.setSpecialValueText(translate("satseg", "Auto"))
        self.margin.setValue(AUTO)
        self.margin.setSuffix(translate("satseg", " px"))
        self.margin.setToolTip(translate(
            "satseg", "Pixels at each window edge that are down-weighted where windows meet "
                      "(Auto: a sixteenth of the training patch, at least 8)."))
        self.overlap = QDoubleSpinBox()
        self.overlap.setRange(0.0, 0.9)
        self.overlap.setSingleStep(0.05)
        self.overlap.setValue(0.5)
        self.overlap.setToolTip(translate("satseg", "Window overlap as a fraction of the patch: "
                                                    "more overlap, smoother and slower."))
        self.batch_size = QSpinBox()
        self.batch_size.setRange(0, 1024)
        self.batch_size.setSpecialValueText(translate("satseg", "Auto"))
        self.batch_size.setValue(0)
        self.batch_size.setToolTip(translate(
            "satseg", "Windows per forward pass (Auto: as many as fit the memory budget)."))
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(translate("satseg", "Windows:"), self.mode)
        form.addRow(translate("satseg", "Window size:"), self.size)
        form.addRow(translate("satseg", "Margin:"), self.margin)
        form.addRow(translate("satseg", "Overlap:"), self.overlap)
        form.addRow(translate("satseg", "Batch size:"), self.batch_size)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self._mode_changed()

    def set_mode(self, mode: str) -> None:
        self.mode.setCurrentIndex(self.mode.findData(mode))

    def _mode_changed(self, *_args: Any) -> None:
        mode = self.mode.currentData()
        self.size.setEnabled(mode == "size")
        self.margin.setEnabled(mode != "patch")
        self.overlap.setEnabled(mode == "patch")

    def keys(self) -> Dict[str, Any]:
        """The predict job's window keys; those left at Auto are omitted (engine defaults)."""
        mode = self.mode.currentData()
        keys: Dict[str, Any] = {"window": self.size.value() if mode == "size" else mode}
        if mode == "patch":
            keys["overlap"] = round(self.overlap.value(), 2)
        elif self.margin.value() != AUTO:
            keys["margin"] = self.margin.value()
        if self.batch_size.value() > 0:
            keys["batch_size"] = self.batch_size.value()
        return keys
