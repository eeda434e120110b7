""""Set up engine environment": build a venv with PyTorch and the engine, step by step.

The steps come from core.engine_setup.plan_setup; each runs in a QProcess (the GUI stays
responsive), its output streams into the dialog, Cancel kills the running step.
"""

from __future__ import annotations

import os
from typing import Any, List, Optional

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QProcess, QProcessEnvironment, pyqtSignal
from qgis.PyQt.QtGui import QFontDatabase, QTextCursor
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core import engine_setup, settings
from ..paths import engine_source_dir
from .i18n import tr, translate


def default_venv_dir() -> str:
    """``<QGIS profile settings dir>/satseg/engine-venv``."""
    return os.path.join(QgsApplication.qgisSettingsDirPath(), "satseg", "engine-venv")


class SetupDialog(QDialog):
    """Choose where and how, then run the setup steps with live output and progress."""

    #: the user wants the new environment checked (path of its Python)
    check_requested = pyqtSignal(str)
    #: the whole setup ended: True on success
    setup_finished = pyqtSignal(bool)

    def __init__(self, iface: Any = None, parent: Optional[QWidget] = None,
                 venv_dir: Optional[str] = None, detect: bool = True):
        super().__init__(parent)
        self.iface = iface
        self.steps: List[engine_setup.SetupStep] = []
        self.step_index = 0
        self.process: Optional[QProcess] = None
        self.state = "idle"  # idle, running, succeeded, failed, cancelled
        self.setObjectName("satsegSetupDialog")
        self.setWindowTitle(translate("satseg", "Set up the satseg engine environment"))
        self.resize(760, 560)

        self.venv_edit = QLineEdit(venv_dir or default_venv_dir())
        self.base_edit = QLineEdit((engine_setup.find_base_python() or "") if detect else "")
        self.base_edit.setPlaceholderText(translate("satseg", "a Python 3.10 or newer"))
        self.gpu_check = QCheckBox(translate("satseg", "NVIDIA GPU: install the CUDA build of "
                                                       "PyTorch (about 3 GB; CPU build: about "
                                                       "300 MB)"))
        self.gpu_check.setChecked(engine_setup.detect_gpu() if detect else False)
        self.deps_check = QCheckBox(translate("satseg", "Download dependencies (uncheck to "
                                                        "install only the engine, offline)"))
        self.deps_check.setChecked(True)
        form = QFormLayout()
        form.addRow(translate("satseg", "Environment folder:"),
                    _with_browse(self.venv_edit, self._browse_venv))
        form.addRow(translate("satseg", "Base Python:"),
                    _with_browse(self.base_edit, self._browse_base))
        form.addRow("", self.gpu_check)
        form.addRow("", self.deps_check)
        form.addRow(translate("satseg", "Engine sources:"), QLabel(str(engine_source_dir())))

        self.step_label = QLabel(translate("satseg", "Ready."))
        self.step_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setFormat(translate("satseg", "step %v of %m"))
        self.output = QPlainTextEdit()
        self.output.setReadOnly(True)
        self.output.setMaximumBlockCount(20000)
        self.output.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))

        self.start_button = QPushButton(translate("satseg", "Install"))
        self.start_button.clicked.connect(self.start)
        self.check_button = QPushButton(translate("satseg", "Run Check"))
        self.check_button.setVisible(False)
        self.check_button.clicked.connect(self._request_check)
        self.cancel_button = QPushButton(translate("satseg", "Cancel"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        close = QPushButton(translate("satseg", "Close"))
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.start_button, self.check_button, self.cancel_button, close):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.step_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.output, 1)
        layout.addLayout(buttons)

    # -- choices ---------------------------------------------------------------------------
    def _browse_venv(self) -> None:
        path = QFileDialog.getExistingDirectory(self, translate("satseg", "Environment folder"),
                                                self.venv_edit.text())
        if path:
            self.venv_edit.setText(path)

    def _browse_base(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, translate("satseg", "Base Python"),
                                              self.base_edit.text())
        if path:
            self.base_edit.setText(path)

    def venv_python(self) -> str:
        return str(engine_setup.venv_python(self.venv_edit.text().strip()))

    # -- running ---------------------------------------------------------------------------
    def start(self) -> None:
        """Plan the steps from the choices and run the first one."""
        if self.state == "running":
            return
        venv_dir = self.venv_edit.text().strip()
        base = self.base_edit.text().strip()
        problem = engine_setup.venv_dir_problem(venv_dir)
        if not problem and not base:
            problem = translate("satseg", "no Python 3.10 or newer was found: install one "
                                          "(python.org) and choose it as the base Python")
        if not problem and not (engine_source_dir() / "pyproject.toml").is_file():
            problem = translate("satseg", "the engine sources are missing from the plugin "
                                          "({path}): reinstall the plugin").format(
                path=engine_source_dir())
        if problem:
            self._fail(translate("satseg", "Cannot set up the environment: {problem}").format(
                problem=problem))
            return
        self.steps = engine_setup.plan_setup(venv_dir, base, engine_source_dir(),
                                             gpu=self.gpu_check.isChecked(),
                                             install_deps=self.deps_check.isChecked())
        self.step_index = 0
        self.state = "running"
        self.output.clear()
        self.progress.setRange(0, len(self.steps))
        self.progress.setValue(0)
        self.check_button.setVisible(False)
        self._set_running(True)
        self._run_next()

    def _run_next(self) -> None:
        if self.step_index >= len(self.steps):
            self._succeed()
            return
        step = self.steps[self.step_index]
        self.step_label.setText(translate("satseg", "Step {i} of {n}: {what}…").format(
            i=self.step_index + 1, n=len(self.steps), what=tr(step.description)))
        self._append(f"\n$ {step.command_line()}\n")
        process = QProcess(self)
        environment = QProcessEnvironment()
        for name, value in engine_setup.clean_environment().items():
            environment.insert(name, value)
        process.setProcessEnvironment(environment)
        process.setProcessChannelMode(QProcess.MergedChannels)
        process.readyReadStandardOutput.connect(self._read_output)
        process.finished.connect(self._step_finished)
        process.errorOccurred.connect(self._process_error)
        self.process = process
        process.start(step.program, list(step.args))

    def _read_output(self) -> None:
        if self.process is not None:
            data = bytes(self.process.readAllStandardOutput())
            self._append(data.decode("utf-8", "replace"))

    def _process_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.FailedToStart and self.state == "running":
            step = self.steps[self.step_index]
            reason = self.process.errorString() if self.process is not None else ""
            self._end_process()
            self._fail(translate("satseg", "Could not start {program}: {reason}").format(
                program=step.program, reason=reason))

    def _step_finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        if self.state != "running":
            return
        self._read_output()
        step = self.steps[self.step_index]
        self._end_process()
        if exit_status == QProcess.CrashExit or exit_code != 0:
            self._fail(translate("satseg", "Step {i} ({what}) failed with exit code {code}; "
                                           "its output is above.").format(
                i=self.step_index + 1, what=tr(step.description), code=exit_code))
            return
        self.step_index += 1
        self.progress.setValue(self.step_index)
        self._run_next()

    def cancel(self) -> None:
        """Kill the running step and stop."""
        if self.state != "running":
            return
        self.state = "cancelled"
        if self.process is not None:
            self.process.kill()
            self.process.waitForFinished(5000)
        self._end_process()
        self._set_running(False)
        self.step_label.setText(translate("satseg", "Cancelled. The environment folder may be "
                                                    "incomplete: run the setup again."))
        self._append("\n" + translate("satseg", "Cancelled by the user.") + "\n")
        self.setup_finished.emit(False)

    def _end_process(self) -> None:
        if self.process is not None:
            self.process.deleteLater()
        self.process = None

    def _succeed(self) -> None:
        self.state = "succeeded"
        python = self.venv_python()
        settings.set_engine_python(python)
        self._set_running(False)
        self.progress.setValue(len(self.steps))
        self.step_label.setText(translate("satseg", "The engine environment is ready; satseg "
                                                    "now uses {python}.").format(python=python))
        self.check_button.setVisible(True)
        self.setup_finished.emit(True)

    def _fail(self, message: str) -> None:
        self.state = "failed"
        self._set_running(False)
        self.step_label.setText(f'<span style="color:#c53030">{message}</span>')
        self._append("\n" + message + "\n")
        self.setup_finished.emit(False)

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        for widget in (self.venv_edit, self.base_edit, self.gpu_check, self.deps_check):
            widget.setEnabled(not running)

    def _append(self, text: str) -> None:
        self.output.moveCursor(QTextCursor.End)
        self.output.insertPlainText(text)
        self.output.ensureCursorVisible()

    def _request_check(self) -> None:
        self.check_requested.emit(self.venv_python())

    def closeEvent(self, event: Any) -> None:
        """Closing the window cancels a running step (no orphan pip left behind)."""
        self.cancel()
        super().closeEvent(event)


def _with_browse(edit: QLineEdit, on_browse: Any) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    button = QPushButton(translate("satseg", "Browse…"))
    button.clicked.connect(on_browse)
    layout.addWidget(button)
    return row
