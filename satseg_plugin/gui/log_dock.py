"""The "satseg log" dock: what every engine run says, with errors highlighted.

Runner users call `attach_runner(runner, title)` (or `LogDock.attach`): the run's log lines go to
the dock, and a failure goes to the dock *and* to QGIS's message bar with its hint.
"""

from __future__ import annotations

import html
import time
from typing import Any, Dict, Optional

from qgis.core import Qgis
from qgis.PyQt.QtCore import QObject
from qgis.PyQt.QtGui import QFontDatabase
from qgis.PyQt.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .i18n import translate

#: log level -> CSS of its line
LEVEL_STYLES: Dict[str, str] = {
    "debug": "color:#718096",
    "info": "",
    "warning": "color:#b7791f",
    "error": "color:#c53030;font-weight:bold",
}
MAX_LINES = 5000
_active_dock: Optional["LogDock"] = None


def active_dock() -> Optional["LogDock"]:
    """The plugin's log dock while the plugin is loaded, else None."""
    return _active_dock


def attach_runner(runner: QObject, title: str) -> None:
    """Show `runner`'s logs and errors in the plugin's log dock (no-op when there is none)."""
    if _active_dock is not None:
        _active_dock.attach(runner, title)


class LogDock(QDockWidget):
    """A read-only, timestamped log of engine runs."""

    def __init__(self, iface: Any = None, parent: Optional[QWidget] = None):
        super().__init__(translate("satseg", "satseg log"), parent)
        self.iface = iface
        self.setObjectName("satsegLogDock")
        self.view = QPlainTextEdit()
        self.view.setReadOnly(True)
        self.view.setMaximumBlockCount(MAX_LINES)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.view.setLineWrapMode(QPlainTextEdit.WidgetWidth)
        clear = QPushButton(translate("satseg", "Clear"))
        clear.clicked.connect(self.view.clear)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(clear)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        self.setWidget(body)

    def append(self, level: str, message: str, source: str = "") -> None:
        """Add one line: time, level, where it came from, the message."""
        style = LEVEL_STYLES.get(level, "")
        prefix = f"{time.strftime('%H:%M:%S')} {level.upper()}"
        if source:
            prefix += f" {source}:"
        text = html.escape(f"{prefix} {message}").replace("\n", "<br>")
        self.view.appendHtml(f'<span style="{style}">{text}</span>')

    def text(self) -> str:
        """Everything shown, as plain text."""
        return self.view.toPlainText()

    def attach(self, runner: QObject, title: str) -> None:
        """Follow one EngineRunner: its start, log lines, outcome; failures also in the
        message bar."""
        _RunnerLink(self, runner, title)

    def report_failure(self, failure: Any, title: str) -> None:
        """Show a RunFailure here and in QGIS's message bar (cancellations only here)."""
        state = getattr(failure, "state", None)
        cancelled = getattr(state, "name", "") == "CANCELLED"
        self.append("warning" if cancelled else "error", failure.text(), title)
        tail = getattr(failure, "stderr_tail", "")
        if tail and getattr(state, "name", "") in ("CRASHED", "EXITED_NONZERO",
                                                   "NO_TERMINAL_EVENT"):
            self.append("debug", translate("satseg", "engine stderr (last lines):") + "\n" + tail,
                        title)
        if cancelled:
            return
        self.show()
        self.raise_()
        if self.iface is not None:
            self.iface.messageBar().pushMessage(title, _bar_text(failure), Qgis.Critical, 0)


def _bar_text(failure: Any) -> str:
    message = str(getattr(failure, "message", "")) or failure.text()
    hint = str(getattr(failure, "hint", "") or "")
    return f"{message} — {hint}" if hint else message


class _RunnerLink(QObject):
    """Connects one runner to the dock; deleted with either of them (no dangling slots)."""

    def __init__(self, dock: LogDock, runner: QObject, title: str):
        super().__init__(dock)
        self.dock = dock
        self.title = title
        runner.started.connect(self.on_started)
        runner.log.connect(self.on_log)
        runner.done.connect(self.on_done)
        runner.error.connect(self.on_error)
        runner.destroyed.connect(self.deleteLater)

    def on_started(self, event: Dict[str, Any]) -> None:
        self.dock.append("info", translate("satseg", "{verb} started (engine {version}, "
                                                     "device {device})").format(
            verb=event.get("verb", "?"), version=event.get("engine_version", "?"),
            device=event.get("device", "?")), self.title)

    def on_log(self, level: str, message: str) -> None:
        self.dock.append(level, message, self.title)

    def on_done(self, summary: Dict[str, Any]) -> None:
        self.dock.append("info", translate("satseg", "finished successfully"), self.title)

    def on_error(self, failure: Any) -> None:
        self.dock.report_failure(failure, self.title)


def set_active_dock(dock: Optional[LogDock]) -> None:
    """Called by the plugin on load/unload."""
    global _active_dock
    _active_dock = dock
