"""EngineRunner: runs one engine verb in a subprocess and turns its events into Qt signals.

QProcess runs the engine asynchronously, so the GUI thread never blocks: output arrives through
the event loop. Every run ends with exactly one `finished(RunState)` signal, preceded by either
`done(summary)` or `error(RunFailure)` — and the failure says which of these happened: the
interpreter could not be started, the engine crashed, it exited non-zero, it ended without a
terminal event, it reported an error, or the user cancelled. A failure that is not the engine's own
`error` event still names the fix (an interpreter without satseg's engine, an incomplete engine
environment, a crash). Output that is not an event (stray prints, a huge or cut line) is logged
as a warning, a bounded number of times, and never stalls QGIS. `stop_all()` stops every running
engine (the plugin's unload and QGIS quitting): no engine outlives QGIS.
"""

from __future__ import annotations

import collections
import os
import signal
import time
import weakref
from typing import Any, Dict, List, Optional

from qgis.PyQt import sip
from qgis.PyQt.QtCore import (
    QCoreApplication,
    QObject,
    QProcess,
    QProcessEnvironment,
    QTimer,
    pyqtSignal,
)

from .engine_command import (
    CANCEL_GRACE_MS,
    clean_environment,
    end_failure,
    engine_arguments,
    interpreter_problem,
    remove_quietly,
    split_launch,
    start_failure,
    write_job_file,
)
from .events import EventFormatError, parse_event
from .run_failure import RunFailure, RunState

STDERR_TAIL_LINES = 60
#: a stdout line longer than this is not an event: it is dropped (and said so), not parsed
MAX_LINE_BYTES = 8 * 2**20
MAX_STDERR_LINE_BYTES = 64 * 2**10
#: unexpected stdout lines logged one by one; more are counted and said once
MAX_REPORTED_LINES = 10
_RUNNING: "weakref.WeakSet[EngineRunner]" = weakref.WeakSet()
_quit_hooked = False


def engine_environment() -> QProcessEnvironment:
    """The system environment without QGIS's Python/GDAL variables, with unbuffered UTF-8 I/O."""
    system = QProcessEnvironment.systemEnvironment()
    env = QProcessEnvironment()
    for name, value in clean_environment({k: system.value(k) for k in system.keys()}).items():
        env.insert(name, value)
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
        self.failure: Optional[RunFailure] = None  #: why the last run failed (None: it did not)
        self._process: Optional[QProcess] = None
        self._stdout_buffer = b""
        self._stderr_lines: collections.deque = collections.deque(maxlen=STDERR_TAIL_LINES)
        self._stderr_partial = b""
        self._job_path = ""
        self._cancel_requested = False
        self._pid = 0
        self._skipping_line = False
        self._unexpected_lines = 0
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
        self.failure = None
        self._stdout_buffer = b""
        self._stderr_partial = b""
        self._stderr_lines.clear()
        self._cancel_requested = False
        self._pid = 0
        self._skipping_line = False
        self._unexpected_lines = 0
        _RUNNING.add(self)
        _hook_quit()
        problem = self._interpreter_problem()
        if problem:
            QTimer.singleShot(0, lambda: self._fail_to_start(problem))
            return
        job, processes = split_launch(job)  # several GPUs: the engine runs under torchrun
        self._job_path = write_job_file(verb, job, work_dir)
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
        process.start(self.engine_python, engine_arguments(verb, self._job_path, processes))

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
        return interpreter_problem(self.engine_python)

    def _read_stdout(self) -> None:
        self.take_output(bytes(self._process.readAllStandardOutput()))

    def take_output(self, data: bytes) -> None:
        """Split stdout bytes into lines and dispatch them; a line longer than MAX_LINE_BYTES
        is dropped as it arrives (memory and time stay bounded)."""
        if self._skipping_line:
            end = data.find(b"\n")
            if end < 0:
                return
            data, self._skipping_line = data[end + 1:], False
        if b"\n" not in data:
            self._stdout_buffer += data
        else:
            *lines, rest = (self._stdout_buffer + data).split(b"\n")
            self._stdout_buffer = rest
            for raw in lines:
                if len(raw) > MAX_LINE_BYTES:
                    self._unexpected(f"a line of {len(raw) // 2**20} MiB (dropped)")
                else:
                    self.handle_line(raw.decode("utf-8", "replace"))
        if len(self._stdout_buffer) > MAX_LINE_BYTES:
            self._unexpected(f"a line of more than {MAX_LINE_BYTES // 2**20} MiB (dropped)")
            self._stdout_buffer, self._skipping_line = b"", True

    def _unexpected(self, what: str) -> None:
        self._unexpected_lines += 1
        if self._unexpected_lines <= MAX_REPORTED_LINES:
            self.log.emit("warning", f"unexpected engine output: {what}")
        elif self._unexpected_lines == MAX_REPORTED_LINES + 1:
            self.log.emit("warning", "more unexpected engine output follows; it is not shown")

    def _read_stderr(self) -> None:
        data = self._stderr_partial + bytes(self._process.readAllStandardError())
        *lines, self._stderr_partial = data.split(b"\n")
        self._stderr_partial = self._stderr_partial[-MAX_STDERR_LINE_BYTES:]
        for raw in lines:
            self._stderr_lines.append(raw[-MAX_STDERR_LINE_BYTES:].decode("utf-8", "replace")
                                      .rstrip("\r"))

    def handle_line(self, line: str) -> None:
        """Dispatch one stdout line as signals (public so parsing is testable on its own)."""
        try:
            event = parse_event(line)
        except EventFormatError as exc:
            self._unexpected(str(exc))
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
        if self._stdout_buffer.strip() and not self._skipping_line:
            self.handle_line(self._stdout_buffer.decode("utf-8", "replace"))
        self._stdout_buffer = b""
        if self._cancel_requested:
            self._kill_group()
        failure = end_failure(self.engine_python, self.verb, self.terminal, exit_code,
                              exit_status == QProcess.CrashExit, self._cancel_requested,
                              self._unexpected_lines, self.stderr_tail())
        if failure is None:
            self.summary = dict((self.terminal or {}).get("summary") or {})
        self._finish(failure)

    def _fail_to_start(self, message: str) -> None:
        if self.is_running():
            self._finish(start_failure(message))

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
        _RUNNING.discard(self)
        self.failure = failure
        if failure is None:
            self.state = RunState.DONE
            self.done.emit(self.summary)
        else:
            self.state = failure.state
            self.error.emit(failure)
        remove_quietly(self._job_path)
        self._job_path = ""
        self.finished.emit(self.state)


def running() -> List[EngineRunner]:
    """The runners whose engine is running now (a runner deleted with its dialog is not)."""
    return [runner for runner in list(_RUNNING)
            if not sip.isdeleted(runner) and runner.is_running()]


def stop_all(grace_ms: int = CANCEL_GRACE_MS) -> int:
    """Stop every running engine: SIGTERM (it removes partial outputs, training saves
    `last.pt`), then, after `grace_ms`, SIGKILL to its whole process group. Blocks until they
    are gone (the plugin's unload, QGIS quitting); returns how many were running."""
    runners = running()
    for runner in runners:
        runner.cancel()
    deadline = time.monotonic() + grace_ms / 1000
    for runner in runners:
        process = runner._process
        if process is not None and runner.is_running():
            process.waitForFinished(max(1, int(1000 * (deadline - time.monotonic()))))
        if runner.is_running():
            runner._kill()
            if process is not None:
                process.waitForFinished(2000)
    return len(runners)


def _hook_quit() -> None:
    """Stop running engines when QGIS quits (also when the plugin's unload is not called)."""
    global _quit_hooked
    app = QCoreApplication.instance()
    if not _quit_hooked and app is not None:
        app.aboutToQuit.connect(lambda: stop_all())
        _quit_hooked = True
