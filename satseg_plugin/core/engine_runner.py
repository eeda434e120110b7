"""EngineRunner: runs one engine verb in a subprocess and turns its events into Qt signals.

QProcess runs the engine asynchronously, so the GUI thread never blocks: output arrives through
the event loop. Every run ends with exactly one `finished(RunState)` signal, preceded by either
`done(summary)` or `error(RunFailure)` — and the failure says which of these happened: the
interpreter could not be started, the engine crashed, it exited non-zero, it ended without a
terminal event, it reported an error, or the user cancelled.
"""

from __future__ import annotations

import collections
import enum
import json
import os
import signal
import tempfile
from dataclasses import dataclass
from typing import Any, Dict, Optional

from qgis.PyQt.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, pyqtSignal

from .events import EventFormatError, parse_event

#: variables from QGIS's own process that would break the engine's separate Python and GDAL
LEAKY_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE",
                   "VIRTUAL_ENV", "GDAL_DATA", "GDAL_DRIVER_PATH", "PROJ_LIB", "PROJ_DATA",
                   "QT_PLUGIN_PATH", "LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH")
CANCEL_GRACE_MS = 5000
STDERR_TAIL_LINES = 60


class RunState(enum.Enum):
    IDLE = "idle"
    RUNNING = "running"
    DONE = "done"
    FAILED_TO_START = "failed to start"
    CRASHED = "crashed"
    EXITED_NONZERO = "exited non-zero"
    NO_TERMINAL_EVENT = "ended without a terminal event"
    ENGINE_ERROR = "engine error"
    CANCELLED = "cancelled"


@dataclass
class RunFailure:
    """Why a run did not end in `done`; `text()` is what a user reads."""

    state: RunState
    message: str
    code: str = ""
    hint: str = ""
    key: str = ""
    stderr_tail: str = ""

    def text(self) -> str:
        parts = [self.message]
        if self.key:
            parts.append(f"(key: {self.key})")
        if self.hint:
            parts.append(f"— {self.hint}")
        return " ".join(parts)


def engine_environment() -> QProcessEnvironment:
    """The system environment without QGIS's Python/GDAL variables, with unbuffered UTF-8 I/O."""
    env = QProcessEnvironment.systemEnvironment()
    for name in list(env.keys()):
        if name in LEAKY_VARIABLES or name.startswith("QGIS_"):
            env.remove(name)
    env.insert("PYTHONUNBUFFERED", "1")
    env.insert("PYTHONIOENCODING", "utf-8")
    env.insert("PYTHONUTF8", "1")
    env.insert("SATSEG_PROCESS_GROUP", "1")
    return env


class EngineRunner(QObject):
    """Run `python -u -m satseg_engine VERB --config job.json --progress json`."""

    started = pyqtSignal(dict)
    progress = pyqtSignal(str, int, int, str)
    metric = pyqtSignal(dict)
    log = pyqtSignal(str, str)
    artifact = pyqtSignal(str, str, str)
    done = pyqtSignal(dict)
    error = pyqtSignal(object)
    finished = pyqtSignal(object)
    received = pyqtSignal(dict)  # every event (not "event": that is QObject.event())

    def __init__(self, engine_python: str, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.engine_python = engine_python
        self.state = RunState.IDLE
        self.verb = ""
        self.terminal: Optional[Dict[str, Any]] = None
        self.summary: Dict[str, Any] = {}
        self._process: Optional[QProcess] = None
        self._stdout_buffer = b""
        self._stderr_lines: collections.deque = collections.deque(maxlen=STDERR_TAIL_LINES)
        self._stderr_partial = b""
        self._job_path = ""
        self._cancel_requested = False
        self._pid = 0
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_timer.timeout.connect(self._kill)

    # -- control ---------------------------------------------------------------------------
    def start(self, verb: str, job: Dict[str, Any], work_dir: Optional[str] = None) -> None:
        """Start a run; returns at once. Signals report what happens."""
        if self.is_running():
            raise RuntimeError("this runner is already running a job")
        self.verb = verb
        self.state = RunState.RUNNING
        self.terminal = None
        self.summary = {}
        self._stdout_buffer = b""
        self._stderr_partial = b""
        self._stderr_lines.clear()
        self._cancel_requested = False
        self._pid = 0
        problem = self._interpreter_problem()
        if problem:
            QTimer.singleShot(0, lambda: self._fail_to_start(problem))
            return
        job = dict(job)
        job.setdefault("schema", 1)
        fd, self._job_path = tempfile.mkstemp(prefix=f"satseg-{verb}-", suffix=".json",
                                              dir=work_dir)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(job, handle, indent=2)
        process = QProcess(self)
        process.setProcessEnvironment(engine_environment())
        if work_dir:
            process.setWorkingDirectory(work_dir)
        process.readyReadStandardOutput.connect(self._read_stdout)
        process.readyReadStandardError.connect(self._read_stderr)
        process.finished.connect(self._on_finished)
        process.errorOccurred.connect(self._on_process_error)
        # a bound method, not a lambda holding `process`: Qt drops the connection when the
        # runner is destroyed, whereas a lambda could fire on an already deleted QProcess
        process.started.connect(self._on_started)
        self._process = process
        process.start(self.engine_python, ["-u", "-m", "satseg_engine", verb, "--config",
                                           self._job_path, "--progress", "json"])

    def cancel(self) -> None:
        """Ask the engine to stop (SIGTERM: it saves what it must and removes partial outputs);
        after a grace period kill its whole process group (data-loader workers included)."""
        if not self.is_running() or self._process is None:
            return
        self._cancel_requested = True
        self._process.terminate()
        self._kill_timer.start(CANCEL_GRACE_MS)

    def is_running(self) -> bool:
        return self.state is RunState.RUNNING

    def process_id(self) -> int:
        return int(self._process.processId()) if self._process is not None else 0

    def stderr_tail(self) -> str:
        lines = list(self._stderr_lines)
        if self._stderr_partial:
            lines.append(self._stderr_partial.decode("utf-8", "replace"))
        return "\n".join(lines)

    def wait(self, msecs: int = 30000) -> bool:
        """Block until finished (scripts and tests only; dialogs rely on signals)."""
        if self._process is not None and self.is_running():
            self._process.waitForFinished(msecs)
        return not self.is_running()

    # -- process I/O -----------------------------------------------------------------------
    def _on_started(self) -> None:
        if self._process is not None:
            self._pid = int(self._process.processId())

    def _interpreter_problem(self) -> str:
        path = self.engine_python
        if not path:
            return ("No engine interpreter is set. Open satseg Settings and choose the Python "
                    "of an engine environment, or run 'Set up engine environment'.")
        if not os.path.isfile(path):
            return (f"The engine interpreter {path} does not exist. Choose another one in "
                    f"satseg Settings, or run 'Set up engine environment'.")
        if not os.access(path, os.X_OK):
            return f"The engine interpreter {path} is not executable."
        return ""

    def _read_stdout(self) -> None:
        self._stdout_buffer += bytes(self._process.readAllStandardOutput())
        *lines, self._stdout_buffer = self._stdout_buffer.split(b"\n")
        for raw in lines:
            self.handle_line(raw.decode("utf-8", "replace"))

    def _read_stderr(self) -> None:
        data = self._stderr_partial + bytes(self._process.readAllStandardError())
        *lines, self._stderr_partial = data.split(b"\n")
        for raw in lines:
            self._stderr_lines.append(raw.decode("utf-8", "replace").rstrip("\r"))

    def handle_line(self, line: str) -> None:
        """Dispatch one stdout line as signals (public so parsing is testable on its own)."""
        try:
            event = parse_event(line)
        except EventFormatError as exc:
            self.log.emit("warning", f"unexpected engine output: {exc}")
            return
        if event is None:
            return
        self.received.emit(event)
        kind = event["type"]
        if kind == "started":
            self.started.emit(event)
        elif kind == "progress":
            total = event["total"]
            self.progress.emit(str(event["stage"]), int(event["done"]),
                               -1 if total is None else int(total), str(event["unit"]))
        elif kind == "metric":
            self.metric.emit(event)
        elif kind == "log":
            self.log.emit(str(event["level"]), str(event["message"]))
        elif kind == "artifact":
            self.artifact.emit(str(event["kind"]), str(event["path"]),
                               str(event.get("role") or ""))
        elif kind in ("done", "error"):
            if self.terminal is None:
                self.terminal = event

    def _on_process_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.FailedToStart and self.is_running():
            detail = self._process.errorString() if self._process else ""
            self._fail_to_start(f"The engine interpreter {self.engine_python} could not be "
                                f"started ({detail}). Check the path in satseg Settings.")

    def _on_finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        if not self.is_running():
            return
        self._kill_timer.stop()
        self._read_stdout()
        self._read_stderr()
        if self._stdout_buffer.strip():
            self.handle_line(self._stdout_buffer.decode("utf-8", "replace"))
            self._stdout_buffer = b""
        tail = self.stderr_tail()
        terminal = self.terminal or {}
        if self._cancel_requested:
            self._kill_group()
            self._finish(RunFailure(RunState.CANCELLED, "The run was cancelled.",
                                    code="cancelled", stderr_tail=tail))
        elif terminal.get("type") == "done" and exit_code == 0:
            self.summary = dict(terminal.get("summary") or {})
            self._finish(None)
        elif terminal.get("type") == "error":
            self._finish(RunFailure(RunState.ENGINE_ERROR, str(terminal.get("message", "")),
                                    code=str(terminal.get("code", "")),
                                    hint=str(terminal.get("hint") or ""),
                                    key=str(terminal.get("key") or ""), stderr_tail=tail))
        elif exit_status == QProcess.CrashExit:
            self._finish(RunFailure(RunState.CRASHED, f"The engine crashed while running "
                                    f"'{self.verb}'.{_last_line(tail)}", code="crashed",
                                    stderr_tail=tail))
        elif exit_code != 0:
            self._finish(RunFailure(RunState.EXITED_NONZERO, f"The engine exited with code "
                                    f"{exit_code} while running '{self.verb}'."
                                    f"{_last_line(tail)}", code="exit_code", stderr_tail=tail))
        else:
            self._finish(RunFailure(RunState.NO_TERMINAL_EVENT, f"The engine ended '{self.verb}' "
                                    f"without reporting success or failure."
                                    f"{_last_line(tail)}", code="no_terminal_event",
                                    stderr_tail=tail))

    def _fail_to_start(self, message: str) -> None:
        if self.is_running():
            self._finish(RunFailure(RunState.FAILED_TO_START, message, code="failed_to_start"))

    def _kill(self) -> None:
        if self._process is not None and self.is_running():
            self._kill_group()
            self._process.kill()

    def _kill_group(self) -> None:
        """SIGKILL whatever is left of the engine's process group (POSIX)."""
        if self._pid > 0 and hasattr(os, "killpg"):
            try:
                os.killpg(self._pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def _finish(self, failure: Optional[RunFailure]) -> None:
        if failure is None:
            self.state = RunState.DONE
            self.done.emit(self.summary)
        else:
            self.state = failure.state
            self.error.emit(failure)
        if self._job_path:
            try:
                os.remove(self._job_path)
            except OSError:
                pass
            self._job_path = ""
        self.finished.emit(self.state)


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return f" Last message: {lines[-1].strip()}" if lines else ""
