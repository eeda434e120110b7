"""SyncRunner: runs one engine verb to its end in the calling thread (Processing algorithms,
scripts). No widgets and no event loop.

The engine starts exactly as EngineRunner starts it (engine_command: same cleaned environment,
job file, arguments and failure classification). Two reader threads collect stdout lines and the
stderr tail; the calling thread dispatches events to `on_event` and polls `is_cancelled` every
POLL_S, so Cancel ends the engine within a fraction of a second: SIGTERM (it removes partial
outputs, training saves `last.pt`), then SIGKILL to its whole process group after the grace
period. `run()` returns the `done` summary or raises EngineRunError carrying the RunFailure.
"""

from __future__ import annotations

import collections
import os
import queue
import signal
import subprocess
import threading
import time
from typing import IO, Any, Callable, Dict, Mapping, Optional

from .engine_command import (
    CANCEL_GRACE_MS,
    clean_environment,
    end_failure,
    engine_arguments,
    interpreter_problem,
    remove_quietly,
    start_failure,
    write_job_file,
)
from .events import EventFormatError, parse_event
from .run_failure import RunFailure

POLL_S = 0.1
#: once the engine has exited, how long its stdout may stay open (a leftover child holding it)
EXIT_WAIT_S = 5.0
STDERR_TAIL_LINES = 60
#: a stdout line longer than this is not an event: it is dropped, not parsed
MAX_LINE_BYTES = 8 * 2**20
MAX_STDERR_LINE_BYTES = 64 * 2**10
_EOF = object()


class EngineRunError(RuntimeError):
    """A run that did not end in `done`; `failure` says why and `str()` is what users read."""

    def __init__(self, failure: RunFailure):
        super().__init__(failure.text())
        self.failure = failure


class SyncRunner:
    """Run `python -u -m satseg_engine VERB --config job.json --progress json` to its end."""

    def __init__(self, engine_python: str, on_event: Optional[Callable[[Dict[str, Any]], None]]
                 = None, is_cancelled: Optional[Callable[[], bool]] = None,
                 on_unexpected: Optional[Callable[[str], None]] = None,
                 grace_ms: int = CANCEL_GRACE_MS):
        self.engine_python = engine_python
        self.on_event = on_event or (lambda event: None)
        self.is_cancelled = is_cancelled or (lambda: False)
        self.on_unexpected = on_unexpected or (lambda text: None)
        self.grace_ms = grace_ms
        self.pid = 0
        self.terminal: Optional[Dict[str, Any]] = None
        self.unexpected_lines = 0
        self._stderr: collections.deque = collections.deque(maxlen=STDERR_TAIL_LINES)

    def run(self, verb: str, job: Mapping[str, Any], work_dir: Optional[str] = None
            ) -> Dict[str, Any]:
        """Run `verb` with `job`; the `done` summary, or EngineRunError."""
        problem = interpreter_problem(self.engine_python)
        if problem:
            raise EngineRunError(start_failure(problem))
        self.terminal, self.unexpected_lines, self.pid = None, 0, 0
        self._stderr.clear()
        job_path = write_job_file(verb, job, work_dir)
        try:
            return self._run(verb, job_path, work_dir)
        finally:
            remove_quietly(job_path)

    def _run(self, verb: str, job_path: str, work_dir: Optional[str]) -> Dict[str, Any]:
        try:
            process = subprocess.Popen(
                [self.engine_python, *engine_arguments(verb, job_path)], cwd=work_dir,
                env=clean_environment(os.environ), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            raise EngineRunError(start_failure(
                f"The engine interpreter {self.engine_python} could not be started "
                f"({exc.strerror or exc}). Check the path in satseg Settings.")) from None
        self.pid = process.pid
        lines: "queue.Queue[object]" = queue.Queue()
        readers = [threading.Thread(target=_read_lines, args=(process.stdout, lines.put),
                                    daemon=True),
                   threading.Thread(target=self._read_stderr, args=(process.stderr,),
                                    daemon=True)]
        for reader in readers:
            reader.start()
        cancelled = self._pump(process, lines)
        for reader in readers:
            reader.join(timeout=2)
        self._drain(lines)
        if cancelled:
            self._kill_group()
        crashed = process.returncode is not None and process.returncode < 0 and not cancelled
        failure = end_failure(self.engine_python, verb, self.terminal, process.returncode or 0,
                              crashed, cancelled, self.unexpected_lines, self.stderr_tail())
        if failure is not None:
            raise EngineRunError(failure)
        return dict((self.terminal or {}).get("summary") or {})

    def _pump(self, process: subprocess.Popen, lines: "queue.Queue[object]") -> bool:
        """Dispatch lines until stdout closes and the process ends; True when cancelled."""
        cancelled, kill_at, eof, exited_at = False, 0.0, False, 0.0
        while not eof or process.poll() is None:
            if process.poll() is not None:  # a leftover child may hold stdout open: not forever
                exited_at = exited_at or time.monotonic()
                if time.monotonic() - exited_at > EXIT_WAIT_S:
                    break
            if not cancelled and self.is_cancelled():
                cancelled, kill_at = True, time.monotonic() + self.grace_ms / 1000
                process.terminate()
            if cancelled and time.monotonic() >= kill_at and process.poll() is None:
                self._kill_group()
                process.kill()
            try:
                item = lines.get(timeout=POLL_S)
            except queue.Empty:
                continue
            if item is _EOF:
                eof = True
            else:
                self._handle(item)  # type: ignore[arg-type]
        return cancelled

    def _drain(self, lines: "queue.Queue[object]") -> None:
        while True:
            try:
                item = lines.get_nowait()
            except queue.Empty:
                return
            if item is not _EOF:
                self._handle(item)  # type: ignore[arg-type]

    def _handle(self, raw: bytes) -> None:
        if len(raw) > MAX_LINE_BYTES:
            self._unexpected(f"a line of {len(raw) // 2**20} MiB (dropped)")
            return
        try:
            event = parse_event(raw.decode("utf-8", "replace"))
        except EventFormatError as exc:
            self._unexpected(str(exc))
            return
        if event is None:
            return
        if event["type"] in ("done", "error") and self.terminal is None:
            self.terminal = event
        self.on_event(event)

    def _unexpected(self, what: str) -> None:
        self.unexpected_lines += 1
        if self.unexpected_lines <= 10:
            self.on_unexpected(f"unexpected engine output: {what}")

    def _read_stderr(self, stream: IO[bytes]) -> None:
        for raw in iter(lambda: stream.readline(MAX_STDERR_LINE_BYTES), b""):
            self._stderr.append(raw.decode("utf-8", "replace").rstrip("\r\n"))
        stream.close()

    def stderr_tail(self) -> str:
        return "\n".join(self._stderr)

    def _kill_group(self) -> None:
        """SIGKILL whatever is left of the engine's process group (POSIX)."""
        if self.pid > 0 and hasattr(os, "killpg"):
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def _read_lines(stream: IO[bytes], put: Callable[[object], None]) -> None:
    """Put each stdout line (bytes, bounded) on the queue, then _EOF."""
    skipping = False
    for raw in iter(lambda: stream.readline(MAX_LINE_BYTES + 1), b""):
        if skipping:  # the rest of an overlong line
            skipping = not raw.endswith(b"\n")
            continue
        if len(raw) > MAX_LINE_BYTES:
            skipping = not raw.endswith(b"\n")
        put(raw.rstrip(b"\r\n") if len(raw) <= MAX_LINE_BYTES else raw)
    stream.close()
    put(_EOF)
