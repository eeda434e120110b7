"""Atomic file writing: nothing is ever left half-written under its final name."""

from __future__ import annotations

import atexit
import contextlib
import errno
import os
import shutil
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

from .threads import helper_thread

#: how C libraries word a full disk or a file-size limit (GDAL logs these and may go on).
DISK_FULL_TEXTS = ("No space left on device", "File too large", "database or disk is full",
                   "Disk quota exceeded", "disk I/O error")


class _StderrWatch:
    """fd 2 (and fd 1) go through a pipe that a thread forwards to the real stderr, noting any
    full-disk message on the way. GDAL and libtiff report a failed write there and may go on
    without raising, so a file they could not finish must be caught before its rename. Child
    processes (extraction workers) inherit the pipe: their messages are seen too."""

    def __init__(self) -> None:
        self.failed: str | None = None
        self.synced = threading.Condition()
        self.seen_marks = 0
        self.real = os.dup(2)
        read_fd, write_fd = os.pipe()
        sys.stderr.flush()
        os.dup2(write_fd, 2)
        os.dup2(write_fd, 1)
        os.close(write_fd)
        self.read_fd = read_fd
        helper_thread(self._pump, "satseg-stderr").start()

    def _pump(self) -> None:
        partial = b""  # the last, unfinished line: scanned once it is complete
        while True:
            try:
                chunk = os.read(self.read_fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            marks = chunk.count(_MARK)
            chunk = chunk.replace(_MARK, b"")
            if chunk:
                os.write(self.real, chunk)
            *lines, partial = (partial + chunk).split(b"\n")
            for line in lines:
                text = line.decode("utf-8", "replace")
                if self.failed is None and any(t in text for t in DISK_FULL_TEXTS):
                    self.failed = text.strip()
            partial = partial[-4096:]
            if marks:
                with self.synced:
                    if any(t.encode() in partial for t in DISK_FULL_TEXTS):
                        self.failed = self.failed or partial.decode("utf-8", "replace")
                        partial = b""
                    self.seen_marks += marks
                    self.synced.notify_all()

    def sync(self, timeout: float = 5.0) -> None:
        """Wait until everything written to stderr so far has been read."""
        sys.stderr.flush()
        with self.synced:
            wanted = self.seen_marks + 1
            os.write(2, _MARK)
            self.synced.wait_for(lambda: self.seen_marks >= wanted, timeout)


_MARK = b"\x00satseg-sync\x00"
_WATCH: list[_StderrWatch] = []


def watch_write_errors() -> None:
    """Start noting full-disk messages on this process's stderr (idempotent; the CLI does it)."""
    if not _WATCH:
        _WATCH.append(_StderrWatch())
        # the pump is a daemon thread: forward what is still in the pipe before the process ends
        atexit.register(flush_stderr)


def flush_stderr() -> None:
    """Forward everything written to stderr so far (before the process exits)."""
    if _WATCH:
        _WATCH[0].sync()


def check_write_errors(filename: str | os.PathLike[str] | None = None) -> None:
    """OSError(ENOSPC) if a write failed for lack of space since the watch started."""
    if not _WATCH:
        return
    watch = _WATCH[0]
    watch.sync()
    if watch.failed is not None:
        message, watch.failed = watch.failed, None
        raise OSError(errno.ENOSPC, f"a write failed: {message}",
                      None if filename is None else str(filename))


def temporary_sibling(final: Path) -> Path:
    """A unique name in the same directory (same filesystem, so the rename is atomic)."""
    return final.with_name(f".{final.name}.part-{uuid.uuid4().hex[:8]}")


@contextlib.contextmanager
def atomic_path(final: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write to; rename it to `final` only if the block succeeds.

    Works for files and directories. On any exception (including cancellation) the temporary
    is removed and an existing `final` is left untouched. GDAL sidecars written next to the
    temporary (`<tmp>.aux.xml`, `<tmp>.ovr`) are moved or removed with it.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_sibling(final)
    try:
        yield tmp
        check_write_errors(final)  # never rename a file GDAL could not finish
        for suffix in (".aux.xml", ".ovr", "-wal", "-shm"):
            side = Path(str(tmp) + suffix)
            if side.exists():
                os.replace(side, Path(str(final) + suffix))
        if final.is_dir() and tmp.is_dir():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        remove_path(tmp)
        for suffix in (".aux.xml", ".ovr", "-wal", "-shm"):
            remove_path(Path(str(tmp) + suffix))
        raise


def remove_path(path: Path) -> None:
    """Remove a file or directory if it exists."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
