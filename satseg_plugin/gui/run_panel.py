"""The bottom of a tool dialog: message line, progress bar, Run / Cancel / Close.

It runs one engine verb at a time with an EngineRunner (QGIS stays responsive), follows its
progress, shows what went wrong in the dialog (and, when the plugin's log dock is not there to do
it, in QGIS's message bar), and hands the run to the log dock.
"""

from __future__ import annotations

import html
import os
from typing import Any, Callable, Dict, Optional

from qgis.core import Qgis
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core import settings
from ..core.engine_runner import EngineRunner, RunFailure, RunState
from ..core.layers import InputError
from . import log_dock
from .i18n import translate

#: message kind -> CSS of the message line
MESSAGE_STYLES: Dict[str, str] = {
    "error": "color:#c53030;",
    "info": "",
    "success": "color:#276749;",
}


class RunPanel(QWidget):
    """Message line + progress + buttons; `start(verb, job, title)` runs a verb."""

    #: the run ended: its RunState
    finished = pyqtSignal(object)
    #: the run succeeded: its summary
    done = pyqtSignal(dict)
    #: the engine reported `started` (its event)
    runner_started = pyqtSignal(dict)

    @classmethod
    def for_dialog(cls, dialog: QWidget, iface: Any, run: Callable[[], None],
                   done: Callable[[dict], None], finished: Callable[[Any], None],
                   run_text: Optional[str] = None) -> "RunPanel":
        """The panel of a tool dialog: Run starts `run`, Close closes the dialog, and the run's
        summary and end go to `done` and `finished`."""
        panel = cls(iface, dialog)
        if run_text:
            panel.run_button.setText(run_text)
        panel.run_button.clicked.connect(run)
        panel.close_button.clicked.connect(dialog.close)
        panel.done.connect(done)
        panel.finished.connect(finished)
        return panel

    def __init__(self, iface: Any, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.iface = iface
        self.runner: Optional[EngineRunner] = None
        self.title = ""
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message.setMinimumHeight(self.message.fontMetrics().height() * 2)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.run_button = QPushButton(translate("satseg", "Run"))
        self.run_button.setDefault(True)
        self.cancel_button = QPushButton(translate("satseg", "Cancel"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton(translate("satseg", "Close"))
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addStretch(0)
        row.addWidget(self.run_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addLayout(row)

    # -- messages ---------------------------------------------------------------------------
    def show_message(self, text: str, kind: str = "info") -> None:
        style = MESSAGE_STYLES.get(kind, "")
        body = html.escape(text).replace("\n", "<br>")
        self.message.setText(f'<span style="{style}">{body}</span>' if text else "")

    def message_text(self) -> str:
        """The message line as plain text (what the user reads)."""
        from qgis.PyQt.QtGui import QTextDocument

        document = QTextDocument()
        document.setHtml(self.message.text())
        return document.toPlainText()

    # -- running ----------------------------------------------------------------------------
    @staticmethod
    def output_keys(path_widget: Any, overwrite: Any, key: str, missing: str,
                    suffix: str = "") -> Dict[str, Any]:
        """`{key: absolute path, "overwrite": bool}` from an output file widget and its
        "replace" check box; InputError(`missing`) when no path was chosen. A path without
        `suffix` (e.g. ".gpkg") gets it."""
        output = path_widget.filePath().strip()
        if not output:
            raise InputError(missing)
        if suffix and not output.lower().endswith(suffix):
            output += suffix
        return {key: os.path.abspath(output), "overwrite": overwrite.isChecked()}

    def is_running(self) -> bool:
        return self.runner is not None and self.runner.is_running()

    def job_or_none(self, build: Callable[[], Dict[str, Any]]) -> Optional[Dict[str, Any]]:
        """The job `build()` makes, or None when a run is going on or the inputs are incomplete
        (the message line then says what to fix)."""
        if self.is_running():
            return None
        try:
            return build()
        except InputError as problem:
            self.show_message(str(problem), "error")
            return None

    def start(self, verb: str, job: Dict[str, Any], title: str) -> EngineRunner:
        """Run `verb` with `job`; the panel shows progress until `finished`."""
        self.title = title
        runner = EngineRunner(settings.engine_python(), self)
        runner.started.connect(self.runner_started)
        runner.progress.connect(self._on_progress)
        runner.done.connect(self._on_done)
        runner.error.connect(self._on_error)
        runner.finished.connect(self._on_finished)
        log_dock.attach_runner(runner, title)
        if self.runner is not None and not self.runner.is_running():
            self.runner.deleteLater()
        self.runner = runner
        self.progress.setRange(0, 0)
        self.progress.setFormat(translate("satseg", "starting the engine…"))
        self.progress.show()
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        runner.start(verb, job)
        return runner

    def cancel(self) -> None:
        if self.is_running():
            self.cancel_button.setEnabled(False)
            self.progress.setFormat(translate("satseg", "cancelling…"))
            self.runner.cancel()

    def _on_progress(self, stage: str, done: int, total: int, unit: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
            self.progress.setFormat(f"{stage}: {done}/{total} {unit}")
        else:
            self.progress.setRange(0, 0)
            self.progress.setFormat(f"{stage}: {done} {unit}")

    def _on_done(self, summary: dict) -> None:
        self.done.emit(summary)

    def _on_error(self, failure: RunFailure) -> None:
        cancelled = failure.state is RunState.CANCELLED
        self.show_message(failure.text(), "info" if cancelled else "error")
        if not cancelled and log_dock.active_dock() is None and self.iface is not None:
            self.iface.messageBar().pushMessage(self.title, failure.text(), Qgis.Critical, 0)

    def _on_finished(self, state: RunState) -> None:
        self.progress.hide()
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.finished.emit(state)
