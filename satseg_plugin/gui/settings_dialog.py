"""Settings: which Python runs the engine, and a Check that shows what `doctor` reports."""

from __future__ import annotations

import os
from typing import Any, List, Optional

from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..core import settings
from ..core.engine_runner import EngineRunner
from ..paths import icon_path
from .doctor_report import doctor_report_html, failure_html
from .i18n import translate


class SettingsDialog(QDialog):
    """Engine interpreter path (Browse, Check) and a button to build an engine environment."""

    #: emitted when a Check ends, with the runner's final RunState
    check_finished = pyqtSignal(object)

    def __init__(self, iface: Any = None, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.iface = iface
        self.runner: Optional[EngineRunner] = None
        self.setup_dialog: Optional[QDialog] = None
        self._warnings: List[str] = []
        self.setObjectName("satsegSettingsDialog")
        self.setWindowTitle(translate("satseg", "satseg Settings"))
        self.resize(640, 560)

        self.python_edit = QLineEdit(settings.engine_python())
        self.python_edit.setPlaceholderText(translate("satseg", "Path to the engine's Python "
                                                                "interpreter"))
        browse = QPushButton(translate("satseg", "Browse…"))
        browse.clicked.connect(self.browse)
        self.check_button = QPushButton(translate("satseg", "Check"))
        self.check_button.setToolTip(translate("satseg", "Run the engine's doctor: versions, "
                                                         "GPUs, free disk"))
        self.check_button.clicked.connect(self.run_check)
        path_row = QHBoxLayout()
        path_row.addWidget(self.python_edit, 1)
        path_row.addWidget(browse)
        path_row.addWidget(self.check_button)

        self.status = QLabel()
        self.report = QTextBrowser()
        self.report.setOpenExternalLinks(True)
        self.report.setHtml(translate(
            "satseg", "<p>The engine runs in its own Python environment (with PyTorch), "
                      "separate from QGIS. Choose its interpreter and press <b>Check</b>, or "
                      "let satseg create one with <b>Set up engine environment…</b>.</p>"))

        self.setup_button = QPushButton(translate("satseg", "Set up engine environment…"))
        self.setup_button.setIcon(QIcon(str(icon_path("setup"))))
        self.setup_button.clicked.connect(self.open_setup)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.setup_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(translate("satseg", "Engine Python interpreter:")))
        layout.addLayout(path_row)
        layout.addWidget(self.status)
        layout.addWidget(self.report, 1)
        layout.addLayout(bottom)

    def engine_python(self) -> str:
        return self.python_edit.text().strip()

    def browse(self) -> None:
        start = os.path.dirname(self.engine_python()) or os.path.expanduser("~")
        path, _ = QFileDialog.getOpenFileName(self, translate("satseg", "Engine Python "
                                                                        "interpreter"), start)
        if path:
            self.python_edit.setText(path)

    def run_check(self) -> None:
        """Run `doctor` with the interpreter in the line edit; the report fills in when done."""
        if self.runner is not None and self.runner.is_running():
            return
        self._warnings = []
        self.check_button.setEnabled(False)
        self.status.setText(translate("satseg", "Checking the engine environment…"))
        self.report.setHtml("")
        runner = EngineRunner(self.engine_python(), self)
        runner.progress.connect(self._on_progress)
        runner.log.connect(self._on_log)
        runner.done.connect(self._on_done)
        runner.error.connect(self._on_error)
        runner.finished.connect(self._on_finished)
        self.runner = runner
        runner.start("doctor", {"output_dir": os.path.expanduser("~")})

    def _on_progress(self, stage: str, done: int, total: int, unit: str) -> None:
        if total > 0:
            self.status.setText(translate("satseg", "Checking the engine environment… "
                                                    "({done}/{total})").format(done=done,
                                                                              total=total))

    def _on_log(self, level: str, message: str) -> None:
        if level in ("warning", "error"):
            self._warnings.append(message)

    def _on_done(self, summary: dict) -> None:
        self.status.setText("")
        devices = (summary.get("torch") or {}).get("devices") or []
        settings.set_cuda_device_count(len(devices))  # the training dialog's "all GPUs"
        self.report.setHtml(doctor_report_html(summary, self._warnings))

    def _on_error(self, failure: Any) -> None:
        self.status.setText("")
        self.report.setHtml(failure_html(failure))

    def _on_finished(self, state: Any) -> None:
        self.check_button.setEnabled(True)
        self.check_finished.emit(state)

    def report_text(self) -> str:
        """The report as plain text (what the user reads)."""
        return self.report.toPlainText()

    def open_setup(self) -> None:
        """Open the setup dialog; when it has built an environment, use it and Check it."""
        from .setup_dialog import SetupDialog

        if self.setup_dialog is None:
            self.setup_dialog = SetupDialog(self.iface, parent=self)
            self.setup_dialog.check_requested.connect(self.use_and_check)
        self.setup_dialog.show()
        self.setup_dialog.raise_()

    def use_and_check(self, python: str) -> None:
        self.python_edit.setText(python)
        self.show()
        self.raise_()
        self.run_check()

    def accept(self) -> None:
        settings.set_engine_python(self.engine_python())
        super().accept()

    def done(self, result: int) -> None:
        """Closing the dialog (OK, Cancel, Esc) cancels a running Check."""
        if self.runner is not None and self.runner.is_running():
            self.runner.cancel()
        super().done(result)
