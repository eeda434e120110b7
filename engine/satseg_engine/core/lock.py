"""One run per output: an exclusive lock that a second run into the same place is refused by.

The lock is `fcntl.flock` on a small file next to the output (`.NAME.satseg-lock` beside the
folder or file `NAME`), so it also guards a dataset folder that extraction replaces by a rename.
The operating system releases it when the process ends, however it ends: a run killed with
SIGKILL never blocks the next one (the stale file is reused), and the temporaries it left are
removed by the next run that takes the lock. A clean exit removes the lock file.
On systems without `fcntl` (Windows) runs are not locked.
"""

from __future__ import annotations

import contextlib
import glob
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from .errors import SatsegError
from .fileio import remove_path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def lock_path(target: Path) -> Path:
    """The lock file of an output folder or file."""
    target = Path(os.path.abspath(target))
    return target.with_name(f".{target.name}.satseg-lock")


def _acquire(path: Path, key: str) -> int:
    """An open descriptor holding the lock on `path`, or SatsegError("output_locked")."""
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except PermissionError:
            raise SatsegError("output_unwritable", f"cannot write into {path.parent}: "
                              "permission denied", key=key,
                              hint="choose an output folder you can write to") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "another process"
            os.close(fd)
            target = path.with_name(path.name[1:].removesuffix(".satseg-lock"))
            raise SatsegError("output_locked", f"{target} is being written by another satseg "
                              f"run (process {holder})", key=key,
                              hint="wait until that run ends or cancel it, or choose another "
                                   "output") from None
        try:  # the holder before us may have removed the file: lock the one on disk
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            return fd
        os.close(fd)


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Temporaries a killed run left (`core.fileio.temporary_sibling` names): beside the output
    and, for a folder, inside it. Only called under the output's lock, so no live run owns them."""
    found = list(target.parent.glob(f".{glob.escape(target.name)}.part-*"))
    if target.is_dir():
        found += list(target.glob(".*.part-*"))
    for path in found:
        remove_path(path)
    return found


@contextlib.contextmanager
def output_lock(targets: Sequence[tuple[str, Path]]) -> Iterator[None]:
    """Hold the lock of every (key, output) while the block runs; refuse if one is held."""
    held: list[tuple[Path, int]] = []
    made: list[Path] = []  # folders created for the lock: removed again if left empty
    try:
        if fcntl is not None:
            for key, target in targets:
                path = lock_path(target)
                missing = [d for d in (path.parent, *path.parent.parents) if not d.exists()]
                made += reversed(missing)
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except PermissionError:
                    raise SatsegError("output_unwritable", f"cannot create {path.parent}: "
                                      "permission denied", key=key,
                                      hint="choose an output folder you can write to") from None
                held.append((path, _acquire(path, key)))
                remove_stale_temporaries(Path(target))
        yield
    finally:
        for path, fd in reversed(held):
            with contextlib.suppress(OSError):
                path.unlink()  # still holding the lock: a waiting run re-checks the inode
            os.close(fd)
        for folder in reversed(made):  # deepest first; a folder with outputs stays
            with contextlib.suppress(OSError):
                folder.rmdir()
