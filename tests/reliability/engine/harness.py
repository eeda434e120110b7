"""Running one reliability case through the real CLI and checking what a user would notice.

`run_cli` starts `python -m satseg_engine VERB ... --progress json` as a subprocess (optionally
with a file-size limit, without the capabilities that let root ignore permissions, or stopped
by a signal); `Snapshot` records the files of the folders a case watches; `check_refused`
asserts the contract of a refused run: the exit code, exactly one terminal `error` event with
the expected code and a hint, no traceback on stderr, files that existed unchanged, and every
new file complete.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TERMINAL = ("done", "error")
#: CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER: without them root obeys permissions.
_PERMISSION_CAPS = (1, 2, 3)
_PR_CAPBSET_DROP = 24


@dataclass
class Result:
    returncode: int
    events: list[dict[str, Any]]
    stderr: str
    seconds: float = 0.0

    @property
    def terminals(self) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] in TERMINAL]

    @property
    def terminal(self) -> dict[str, Any]:
        return self.events[-1]

    def warnings(self) -> list[str]:
        return [e["message"] for e in self.events
                if e["type"] == "log" and e.get("level") == "warning"]


def file_size_limit(limit: int) -> Callable[[], None]:
    """preexec_fn: the engine (and its workers) may not write files past `limit` bytes, as on
    a full disk (the write fails with EFBIG; Python ignores SIGXFSZ)."""
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def obey_permissions() -> None:
    """preexec_fn: drop the capabilities that let root write into a read-only folder."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in _PERMISSION_CAPS:
            if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def engine_command(verb: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "satseg_engine", verb, *map(str, args), "--progress", "json"]


def parse(stdout: str) -> list[dict[str, Any]]:
    """Every stdout line is one JSON event (the event stream is never corrupted)."""
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def run_cli(verb: str, *args: Any, cwd: Path | None = None, timeout: float = 180,
            preexec: Callable[[], None] | None = None) -> Result:
    start = time.monotonic()
    proc = subprocess.run(engine_command(verb, *args), capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, preexec_fn=preexec)
    return Result(proc.returncode, parse(proc.stdout), proc.stderr, time.monotonic() - start)


def run_until(verb: str, *args: Any, when: Callable[[dict[str, Any]], bool],
              sig: int, cwd: Path | None = None, timeout: float = 180, group: bool = False
              ) -> tuple[Result, float, bool]:
    """Start a run, send `sig` at the first event for which `when` is true; the result, the
    seconds from the signal to the exit, and whether the signal was sent at all. With `group`,
    the run has its own process group and the signal goes to all of it, as Ctrl-C in a terminal
    reaches every process of the foreground job (data-loader workers included)."""
    proc = subprocess.Popen(engine_command(verb, *args), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=cwd, start_new_session=group)
    lines: list[str] = []
    sent_at = None
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if sent_at is None and line.strip() and when(json.loads(line)):
            if group:
                os.killpg(proc.pid, sig)
            else:
                proc.send_signal(sig)
            sent_at = time.monotonic()
        if time.monotonic() > deadline:
            proc.kill()
            break
    proc.wait(timeout=60)
    ended = time.monotonic()
    stderr = proc.stderr.read() if proc.stderr else ""
    result = Result(proc.returncode, parse("".join(lines)), stderr)
    return result, (ended - sent_at) if sent_at else 0.0, sent_at is not None


def is_event(kind: str, **fields: Any) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e["type"] == kind and all(e.get(k) == v for k, v in fields.items())


# -- files ------------------------------------------------------------------------------------

def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Snapshot:
    """Every file under some folders, with its content hash."""

    roots: list[Path]
    files: dict[Path, str] = field(default_factory=dict)

    @classmethod
    def take(cls, roots: Iterable[Path]) -> Snapshot:
        roots = [Path(r) for r in roots]
        files = {p: _digest(p) for root in roots if root.exists()
                 for p in ([root] if root.is_file() else sorted(root.rglob("*"))) if p.is_file()}
        return cls(roots, files)

    def changes(self) -> tuple[list[Path], list[Path]]:
        """(files changed or removed since the snapshot, files added)."""
        now = Snapshot.take(self.roots).files
        changed = [p for p, h in self.files.items() if now.get(p) != h]
        return changed, [p for p in now if p not in self.files]


def assert_complete(path: Path) -> None:
    """A file under a final name is whole: it opens and reads to its end."""
    name = path.name
    assert ".part-" not in name, f"temporary file left behind: {path}"
    assert not name.endswith(".satseg-lock"), f"lock file left behind: {path}"
    if path.suffix == ".tif":
        import rasterio

        with rasterio.open(path) as src:
            src.read()
    elif path.suffix == ".pt":
        import torch

        data = torch.load(path, weights_only=True)
        assert data["format"] == "satseg-checkpoint"
    elif path.suffix == ".json":
        json.loads(path.read_text(encoding="utf-8"))
    elif path.suffix == ".gpkg":
        import pyogrio

        pyogrio.read_info(path)


def check_refused(result: Result, code: str, snapshot: Snapshot | None = None, *,
                  exit_code: int = 1, debug: bool = False) -> dict[str, Any]:
    """The contract of a refused run; returns its error event."""
    assert result.terminals == [result.terminal], f"one terminal event: {result.events[-3:]}"
    error = result.terminal
    assert error["type"] == "error", error
    assert error["code"] == code, (error, result.stderr[-2000:])
    assert error.get("hint"), f"a hint that names the fix: {error}"
    assert result.returncode == exit_code, (result.returncode, error)
    assert result.events[0]["type"] == "started"
    if not debug:
        assert "Traceback" not in result.stderr, result.stderr[-3000:]
    if snapshot is not None:
        changed, added = snapshot.changes()
        assert not changed, f"files that existed were changed: {changed}"
        for path in added:
            assert_complete(path)
    return error


def check_done(result: Result) -> dict[str, Any]:
    assert result.terminals == [result.terminal], result.events[-3:]
    assert result.terminal["type"] == "done", (result.terminal, result.stderr[-3000:])
    assert result.returncode == 0
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result.terminal["summary"]


def no_temporaries(root: Path) -> None:
    left = [p for p in Path(root).rglob("*") if ".part-" in p.name or
            p.name.endswith(".satseg-lock")]
    assert not left, f"temporary files left: {left}"


SIGINT, SIGTERM, SIGKILL = signal.SIGINT, signal.SIGTERM, signal.SIGKILL
