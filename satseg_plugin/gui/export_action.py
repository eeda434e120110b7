""""Export model…": a checkpoint written as an ONNX model other tools open (Deepness, ONNX
Runtime), through the engine's `export` verb.

`ExportModelButton` is the button the Predict dialog (next to the model chooser) and the
training results (next to the run's files) show. It asks where to save (an .onnx beside the
checkpoint by default), runs `satseg export` with an EngineRunner and says what came of it: the
file and how far ONNX Runtime and PyTorch differed, or the engine's error and its hint.
"""

from __future__ import annotations

import html
import os
from typing import Any, Callable, Dict, Optional

from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from ..core import settings
from ..core.engine_runner import EngineRunner, RunFailure
from .i18n import translate

WARNING_STYLE = "color:#c53030;"


def default_output(checkpoint: str) -> str:
    """The checkpoint's name with .onnx, beside it."""
    return os.path.splitext(checkpoint)[0] + ".onnx"


def can_export(checkpoint: str) -> bool:
    """Only a satseg checkpoint (.pt) is exported; an .onnx already is one."""
    return checkpoint.lower().endswith(".pt") and os.path.isfile(checkpoint)


class ExportModelButton(QWidget):
    """An "Export model…" button and a one-line result, for the checkpoint `checkpoint()`."""

    #: the written .onnx path and the engine's summary
    exported = pyqtSignal(str, dict)
    #: the run ended (the message shown; "" on success)
    finished = pyqtSignal(str)

    def __init__(self, checkpoint: Callable[[], str], parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.checkpoint = checkpoint
        self.runner: Optional[EngineRunner] = None
        self.button = QPushButton(translate("satseg", "Export model…"))
        self.button.setToolTip(translate(
            "satseg", "Write the model as ONNX (normalisation inside, metadata for the "
                      "Deepness plugin), checked against PyTorch"))
        self.button.clicked.connect(self.choose_and_export)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.status, 1)
        self.refresh()

    def refresh(self) -> None:
        """Enable the button for a .pt checkpoint while no export runs."""
        running = self.runner is not None and self.runner.is_running()
        self.button.setEnabled(can_export(self.checkpoint()) and not running)

    def choose_and_export(self) -> None:
        checkpoint = self.checkpoint()
        path, _ = QFileDialog.getSaveFileName(
            self, translate("satseg", "Export model as ONNX"), default_output(checkpoint),
            translate("satseg", "ONNX model (*.onnx)"))
        if path:
            self.export(checkpoint, path if path.lower().endswith(".onnx") else path + ".onnx")

    def export(self, checkpoint: str, output: str) -> None:
        """Run `satseg export` (returns at once; `finished` follows)."""
        if self.runner is not None and self.runner.is_running():
            self.runner.cancel()
        runner = EngineRunner(settings.engine_python(), self)
        runner.done.connect(lambda summary, r=runner: self._done(r, summary))
        runner.error.connect(lambda failure, r=runner: self._failed(r, failure))
        runner.finished.connect(lambda *_: self.refresh())
        self.runner = runner
        self.status.setText(translate("satseg", "Exporting…"))
        runner.start("export", {"checkpoint": checkpoint, "format": "onnx", "output": output})
        self.refresh()

    def _done(self, runner: EngineRunner, summary: Dict[str, Any]) -> None:
        if runner is not self.runner:
            return
        path = str(summary.get("output", ""))
        self.status.setText(translate(
            "satseg", "Exported to {name} (ONNX Runtime matches PyTorch within {diff:.1e})"
        ).format(name=os.path.basename(path), diff=float(summary.get("max_abs_diff", 0.0))))
        self.status.setToolTip(path)
        self.exported.emit(path, summary)
        self.finished.emit("")

    def _failed(self, runner: EngineRunner, failure: RunFailure) -> None:
        if runner is not self.runner:
            return
        text = translate("satseg", "Export failed: {error}").format(error=failure.text())
        self.status.setText(f'<span style="{WARNING_STYLE}">{html.escape(text)}</span>')
        self.finished.emit(text)
